"""Compressed models (TFLite Micro's DECODE operator, custom code TFLM_DECODE) on the runtime.

- LUT models made by tflite_micro's own tool run bit-exactly like tflite_micro's interpreter;
- hb- and auto-compressed models give outputs byte-identical to the uncompressed model's;
- a corrupted compressed tensor fails the init (per layer: the invoke) with a status and a message
  naming the tensor;
- both decode modes (once at init, per layer at every invoke) give the same outputs;
- on corstone300 (QEMU), a compressed model's outputs equal the uncompressed model's.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURES, random_inputs
from tflite_edit import pack, unpack

from hil_bench.compress.lut import compress_lut
from hil_bench.compress.model import compress_model
from hil_bench.errors import ModelFileError, UnsupportedModelError
from hil_bench.evaluate import run_tflm
from hil_bench.runtime.host import model_info, run_model

SAMPLES = 16
SYNTHETIC = [(0.5, 16, 0), (0.75, 8, 1)]


@pytest.fixture(scope="session")
def models(tmp_path_factory) -> dict[str, bytes]:
    """Uncompressed int8 models: digits PCQAT, the MLPerf Tiny fixtures, synthetic tensors."""
    from hil_bench.cli.main import main
    from hil_bench.compress.synthetic import synthetic_tflite

    out = tmp_path_factory.mktemp("digits_pcqat")
    assert main(["optimize", "--model", "digits_cnn", "--recipe", "pcqat", "--out", str(out), "-q"]) == 0
    found = {"digits_pcqat": (out / "model_int8.tflite").read_bytes()}
    kws = (FIXTURES / "kws_ref_model.tflite").read_bytes()
    found["kws"] = kws  # old-style operator codes: the compressors must cope (hil_bench.tflite.with_builtin_codes)
    found["ic_resnet8"] = (FIXTURES / "ic_resnet8_int8.tflite").read_bytes()
    for sparsity, clusters, seed in SYNTHETIC:
        found[f"synthetic_{sparsity}_{clusters}"] = bytes(synthetic_tflite(sparsity, clusters, seed))
    return found


def _inputs(model: bytes, seed: int = 0) -> np.ndarray:
    return random_inputs(model_info(model), SAMPLES, seed)[0]


def _decode_ops(model: bytes) -> int:
    return sum(name == "TFLM_DECODE" for name in model_info(model)["ops"])


def test_kws_normalized_opcodes_run_like_the_fixture() -> None:
    from hil_bench.tflite import with_builtin_codes

    kws = (FIXTURES / "kws_ref_model.tflite").read_bytes()
    fixed = with_builtin_codes(kws)
    assert fixed != kws  # the fixture really has old-style operator codes
    x = _inputs(kws)
    assert np.array_equal(run_model(fixed, x)[0], run_model(kws, x)[0])


@pytest.mark.parametrize("decode", ["init", "per-layer"])
@pytest.mark.parametrize("name", ["digits_pcqat", "ic_resnet8", "synthetic_0.5_16"])
def test_tflm_lut_models_bit_exact_with_tflm(models, name: str, decode: str) -> None:
    lut = compress_lut(models[name])
    assert _decode_ops(lut) > 0
    x = _inputs(lut, seed=1)
    ours = run_model(lut, x, decode=decode)[0]
    theirs = run_tflm(lut, x.reshape(len(x), *x.shape[2:]) if x.shape[1] == 1 else x)
    assert np.array_equal(ours.reshape(theirs.shape), theirs)
    # LUT is lossless on these models: the uncompressed model gives the same bytes.
    assert np.array_equal(ours, run_model(models[name], x)[0])


@pytest.mark.parametrize("decode", ["init", "per-layer"])
@pytest.mark.parametrize("method", ["hb", "auto"])
@pytest.mark.parametrize("name", ["digits_pcqat", "kws", "ic_resnet8", "synthetic_0.5_16", "synthetic_0.75_8"])
def test_compressed_outputs_equal_uncompressed(models, name: str, method: str, decode: str) -> None:
    result = compress_model(models[name], method)
    compressed = result.model
    # One DECODE per compressed tensor ("auto" keeps tensors raw when nothing is smaller, e.g. KWS).
    assert _decode_ops(compressed) == sum(c.method != "raw" for c in result.choices)
    assert method == "auto" or _decode_ops(compressed) == len(result.choices) > 0
    x = _inputs(models[name], seed=2)
    assert np.array_equal(run_model(compressed, x, decode=decode)[0], run_model(models[name], x)[0])


@pytest.mark.parametrize("decode", ["init", "per-layer"])
def test_decoding_is_clean_under_sanitizers(models, decode: str) -> None:
    model = models["synthetic_0.75_8"]
    x = _inputs(model, seed=4)[:2]
    for compressed in (compress_model(model, "hb").model, compress_lut(model)):
        assert np.array_equal(run_model(compressed, x, sanitize=True, decode=decode)[0], run_model(model, x)[0])


def test_per_layer_decoding_needs_less_arena(models) -> None:
    compressed = compress_model(models["synthetic_0.5_16"], "hb").model
    at_init, per_layer = model_info(compressed), model_info(compressed, decode="per-layer")
    # At init every decoded tensor stays in the tail; per layer only the live ones, in the head.
    assert per_layer["arena_bytes"] < at_init["arena_bytes"]
    assert per_layer["arena_head_bytes"] > at_init["arena_head_bytes"]


def _first_pair(model: bytes) -> tuple[str, bytes, bytes]:
    """Name, encoded bytes and ancillary bytes of the first DECODE operator's first pair."""
    m = unpack(model)
    sg = m.subgraphs[0]
    decode = next(k for k, c in enumerate(m.operatorCodes) if c.customCode == b"TFLM_DECODE")
    op = next(o for o in sg.operators if o.opcodeIndex == decode)
    enc, anc = sg.tensors[op.inputs[0]], sg.tensors[op.inputs[1]]
    data = [bytes(np.asarray(m.buffers[t.buffer].data, dtype=np.uint8)) for t in (enc, anc)]
    return enc.name.decode(), data[0], data[1]


def _patched(model: bytes, old: bytes, offset: int, value: int) -> bytes:
    """The model with byte `offset` of the (unique) data `old` replaced in place."""
    at = model.find(old)
    assert at > 0 and model.find(old, at + 1) < 0
    out = bytearray(model)
    out[at + offset] = value
    return bytes(out)


@pytest.mark.parametrize("method", ["hb", "lut"])
def test_corrupt_tensor_fails_init_naming_it(models, method: str) -> None:
    model = models["synthetic_0.5_16"]
    compressed = compress_model(model, method).model
    name, enc, _ = _first_pair(compressed)
    bad = _patched(compressed, enc, len(enc) // 2, enc[len(enc) // 2] ^ 0x10)
    if method == "hb":  # the codec's CRC catches any flipped bit: at init, or per layer at invoke
        with pytest.raises(ModelFileError, match=f"'{name[:48]}.*corrupt"):
            model_info(bad)
        assert model_info(bad, decode="per-layer")["ops"][0] == "TFLM_DECODE"
        with pytest.raises(ModelFileError, match=f"'{name[:48]}.*corrupt"):
            run_model(bad, _inputs(model), decode="per-layer")
    # LUT has no checksum; an unknown decode type in its ancillary data is refused by name.
    _, _, anc = _first_pair(compressed)
    unknown = _patched(compressed, anc, 0, 7)
    with pytest.raises(UnsupportedModelError, match=f"'{name[:48]}'.*decode type"):
        run_model(unknown, _inputs(model))


def test_other_custom_ops_are_refused_by_name(models) -> None:
    m = unpack(compress_model(models["synthetic_0.5_16"], "hb").model)
    for code in m.operatorCodes:
        if code.customCode == b"TFLM_DECODE":
            code.customCode = b"MY_DECODE"
    with pytest.raises(UnsupportedModelError, match="custom operator 'MY_DECODE'"):
        model_info(pack(m))


def test_decode_with_odd_input_count_is_a_model_error(models) -> None:
    m = unpack(compress_model(models["synthetic_0.5_16"], "hb").model)
    decode = next(k for k, c in enumerate(m.operatorCodes) if c.customCode == b"TFLM_DECODE")
    op = next(o for o in m.subgraphs[0].operators if o.opcodeIndex == decode)
    op.inputs = np.asarray(list(op.inputs) + [op.inputs[0]], dtype=np.int32)
    with pytest.raises(ModelFileError, match="TFLM_DECODE.*3 inputs"):
        model_info(pack(m))


def test_arena_used_is_enough_to_init(models, host_runner: Path, tmp_path: Path) -> None:
    """The reported arena covers the decode scratch borrowed during init, not just head + tail."""
    compressed = compress_model(models["synthetic_0.5_16"], "hb").model
    info = model_info(compressed)
    assert info["arena_bytes"] >= info["arena_head_bytes"] + info["arena_tail_bytes"]
    path = tmp_path / "m.tflite"
    path.write_bytes(compressed)
    for arena, ok in ((info["arena_bytes"] + 16, True), (info["arena_tail_bytes"] - 64, False)):
        proc = subprocess.run([str(host_runner), "--arena", str(arena), "--check", str(path)],
                              capture_output=True, timeout=60)
        assert (proc.returncode == 0) == ok, proc.stderr


@pytest.mark.hil
def test_compressed_models_on_every_board(models, board, tmp_path: Path) -> None:
    """Outputs of compressed models on the device equal the uncompressed model's (TFLM LUT included)."""
    from hil_bench.dut import run_model as board_run

    for name, method in (("digits_pcqat", "auto"), ("kws", "hb"), ("synthetic_0.5_16", "lut")):
        model = models[name]
        compressed = compress_lut(model) if method == "lut" else compress_model(model, method).model
        path = tmp_path / f"{name}_{method}.tflite"
        path.write_bytes(compressed)
        x = _inputs(model, seed=3)[:4]
        got = board_run(path.read_bytes(), board, x, name=path.name, runs=1)
        assert np.array_equal(np.asarray(got.outputs[0]).reshape(len(x), -1),
                              run_model(model, x)[0].reshape(len(x), -1)), name
