"""`hil-bench size` and `hil-bench audit --elf`: sizes from a real ELF, and a flipped bit caught in flash."""

from __future__ import annotations

import json
import shutil

import pytest

from hil_bench.boards import load_board
from hil_bench.cli.main import main
from hil_bench.compress import compress_model
from hil_bench.firmware.build import build_firmware
from hil_bench.tflite import opcode_name, read_model, tensor_name

pytestmark = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc")


@pytest.fixture(scope="module")
def pcqat_tflite(tmp_path_factory):
    out = tmp_path_factory.mktemp("pcqat")
    assert main(["optimize", "--model", "digits_cnn", "--recipe", "pcqat", "--out", str(out), "-q"]) == 0
    return out / "model_int8.tflite"


def test_size_reports_elf_sizes_and_yardsticks(pcqat_tflite, capsys):
    # decoded at init: auto may take the hb codec and TFLM LUT (the default, in place, takes only
    # what the board's kernels run in place no slower than dense: on corstone300's Helium path, int8)
    assert main(["size", str(pcqat_tflite), "--board", "corstone300", "--compress", "auto", "--decode", "init",
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["decode"] == "init" and {f["format"] for f in report["weight_formats"]} <= {"int8", "lut", "hb"}
    for key in ("weight_bytes_raw", "weight_bytes_compressed", "model_bytes_raw", "model_bytes", "code_bytes",
                "flash_bytes", "ram_reserved_bytes", "gzip9_bytes", "lut_bytes", "entropy_bound_bytes"):
        assert isinstance(report[key], int) and report[key] > 0, key
    assert report["weight_bytes_compressed"] < report["weight_bytes_raw"]
    assert report["model_bytes"] < report["model_bytes_raw"]
    assert report["code_bytes"] + report["model_bytes"] == report["flash_bytes"]
    assert 0 < report["checksum_table_bytes"] < report["code_bytes"]   # not the model (main counted it in)
    assert "model_bytes_compressed" not in report      # one name per quantity (README, "Reading a report")


def test_size_npu_needs_a_board_with_an_npu(pcqat_tflite, capsys):
    assert main(["size", str(pcqat_tflite), "--board", "mps2-an386", "--npu"]) == 2
    assert "declares no NPU" in capsys.readouterr().err


def _flip_bit_in_compressed_tensor(elf_path, model: bytes) -> str:
    """Flip one bit in the middle of the first DECODE-encoded tensor as it sits in the ELF; its name."""
    parsed = read_model(model)
    sg = parsed.subgraphs[0]
    for op in sg.operators:
        if opcode_name(parsed, op) == "CUSTOM:TFLM_DECODE":
            encoded = bytes(parsed.buffers[sg.tensors[op.inputs[0]].buffer].data)
            decoded_name = tensor_name(sg.tensors[op.outputs[0]]).removesuffix("_decoded")
            break
    image = bytearray(elf_path.read_bytes())
    at = image.find(encoded)
    assert at > 0 and image.find(encoded, at + 1) == -1
    image[at + len(encoded) // 2] ^= 0x10
    elf_path.write_bytes(bytes(image))
    return decoded_name


def test_a_flipped_bit_in_flash_fails_the_binary_audit_naming_the_tensor(pcqat_tflite, tmp_path, capsys):
    model = compress_model(pcqat_tflite.read_bytes(), method="hb").model
    elf = tmp_path / "firmware.elf"
    shutil.copy(build_firmware(load_board("corstone300"), model).elf, elf)
    assert main(["audit", "--elf", str(elf), "--json"]) == 0
    clean = json.loads(capsys.readouterr().out)["tensors"]
    assert [t["max_unique_per_channel"] <= 16 and t["sparsity"] >= 0.5 for t in clean] == [True] * 3
    name = _flip_bit_in_compressed_tensor(elf, model)
    assert main(["audit", "--elf", str(elf)]) == 1
    err = capsys.readouterr().err.replace("\n  ", " ")
    assert name in err and "Traceback" not in err
