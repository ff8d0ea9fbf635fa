"""`hil-bench audit --elf` checks every weight byte: one flipped byte in ANY weight tensor of the
image — raw or compressed — fails, naming the tensor; `--against MODEL` compares every weight value."""

import shutil
from pathlib import Path

import pytest

from hil_bench.boards import load_board
from hil_bench.cli.main import main
from hil_bench.compress import compress_model
from hil_bench.audit import audit_image
from hil_bench.compress.find_in_image import CorruptTensorError, weights_of
from hil_bench.firmware.build import build_firmware

RESNET8 = Path(__file__).parents[1] / "fixtures" / "mlperf_tiny" / "ic_resnet8_int8.tflite"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """ResNet-8 under `auto` decoding at init keeps most tensors raw and compresses some (hb, LUT):
    both kinds in one image."""
    model = compress_model(RESNET8.read_bytes(), "auto", decode="init").model
    methods = {w.method for w in weights_of(model)}
    assert "raw" in methods and methods - {"raw"}, methods
    elf = build_firmware(load_board("corstone300"), model, decode="init").elf
    return model, elf


def _flip_in(image: bytearray, stored: bytes) -> None:
    key = stored[:64]
    at = image.find(key)
    assert at > 0 and image.find(key, at + 1) == -1, "the tensor's bytes are not unique in the image"
    image[at + len(key) // 2] ^= 0x01


def test_clean_image_passes_alone_and_against_the_original(mixed, capsys):
    _, elf = mixed
    assert main(["audit", "--elf", str(elf)]) == 0
    assert main(["audit", "--elf", str(elf), "--against", str(RESNET8)]) == 0


def test_a_flipped_byte_in_each_weight_tensor_fails_naming_it(mixed, tmp_path, capsys):
    model, elf = mixed
    clean = bytearray(elf.read_bytes())
    weights = weights_of(model)
    assert len(weights) == 10
    for w in weights:
        image = bytearray(clean)
        _flip_in(image, w.stored)
        bad = tmp_path / "firmware.elf"
        bad.write_bytes(bytes(image))
        capsys.readouterr()
        assert main(["audit", "--elf", str(bad)]) == 1, w.name
        err = capsys.readouterr().err.replace("\n  ", " ")
        assert f"weight tensor {w.name!r} ({w.method})" in err and "Traceback" not in err, err
        assert main(["audit", "--elf", str(bad), "--against", str(RESNET8)]) == 1, w.name
        assert w.name in capsys.readouterr().err.replace("\n  ", " ")


def test_against_compares_values_even_without_the_checksum_table(mixed):
    """The device read-back (hb-read) holds the model only, no table: raw tensors are compared with the
    reference value for value, as bench's survival audit does."""
    model, _ = mixed
    raw = next(w for w in weights_of(model) if w.method == "raw")
    readback = bytearray(model)
    _flip_in(readback, raw.stored)
    assert len(audit_image(bytes(model), RESNET8.read_bytes(), offset=0)) == 10
    with pytest.raises(CorruptTensorError, match=f"weight tensor '{raw.name}' \\(raw\\).*differ from the reference"):
        audit_image(bytes(readback), RESNET8.read_bytes(), offset=0)


def test_audit_of_a_compressed_tflite_decodes_its_tensors(mixed, tmp_path, capsys):
    from hil_bench.audit import audit

    model, _ = mixed
    assert audit(model) == audit(RESNET8.read_bytes())
    path = tmp_path / "compressed.tflite"
    path.write_bytes(model)
    assert main(["audit", str(path), "--against", str(RESNET8)]) == 0
