import re

import numpy as np
import pytest

from hil_bench.compress import compress_model
from hil_bench.audit import audit_image
from hil_bench.compress.find_in_image import CorruptTensorError, find_models
from hil_bench.compress.lut import compress_lut
from hil_bench.compress.sizes import size_report
from hil_bench.errors import UsageError
from hil_bench.tflite import opcode_name, read_model, weight_tensors


def _run(model_bytes, x):
    from tflite_micro import runtime

    interpreter = runtime.Interpreter.from_bytes(bytes(model_bytes))
    interpreter.set_input(x, 0)
    interpreter.invoke()
    return interpreter.get_output(0)


def _decode_ops(model_bytes):
    model = read_model(model_bytes)
    return [opcode_name(model, op) for op in model.subgraphs[0].operators].count("CUSTOM:TFLM_DECODE")


def test_tflm_lut_outputs_byte_identical(small_model):
    lut = compress_lut(small_model)
    assert isinstance(lut, bytes) and _decode_ops(lut) == 3 and len(lut) < len(small_model)
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.integers(-128, 128, (1, 8, 8, 3), dtype=np.int8)
        np.testing.assert_array_equal(_run(lut, x), _run(small_model, x))


def test_auto_picks_smallest_per_tensor(small_model):
    cm = compress_model(small_model, "auto", decode="init")   # decoded copies allowed: raw, lut, hb
    for c in cm.choices:
        options = [b for b in (c.lut_bytes, c.hb_bytes) if b is not None]
        if c.method == "raw":
            assert all(b > c.raw_bytes - 256 - 12 * 10 for b in options)
        else:
            assert c.chosen_bytes == min(options)
    assert _decode_ops(cm.model) == sum(c.method != "raw" for c in cm.choices)
    assert len(cm.model) < len(small_model)
    assert compress_model(small_model, "none").model == small_model
    with pytest.raises(UsageError, match="auto"):
        compress_model(small_model, "zip")


def test_hb_model_decodes_to_the_original_weights(small_model):
    cm = compress_model(small_model, "hb")
    assert {c.method for c in cm.choices} == {"hb"}
    rows = audit_image(b"\xff" * 64 + cm.model + b"\x00" * 32, reference=small_model)
    original = {t.name: t for t in weight_tensors(small_model)}
    assert [r.name for r in rows] == list(original)
    for r in rows:
        assert r.problem == ""
        assert r.audit.sparsity == pytest.approx(float(np.mean(original[r.name].values == 0)))


def test_flipped_bit_in_image_names_the_tensor(anchor_model):
    cm = compress_model(anchor_model, "hb")
    image = bytearray(b"\x00" * 100 + cm.model)
    assert find_models(bytes(image)) == [100]
    audit_image(bytes(image))  # clean image passes
    # flip one bit in the middle of the largest rANS stream (names depend on Keras' layer counters,
    # so the tensor is found by its DECODE operator, not by name)
    model = read_model(cm.model)
    sg = model.subgraphs[0]
    decodes = [op for op in sg.operators if opcode_name(model, op) == "CUSTOM:TFLM_DECODE"]
    op = max(decodes, key=lambda op: len(model.buffers[sg.tensors[op.inputs[0]].buffer].data))
    stream = bytes(model.buffers[sg.tensors[op.inputs[0]].buffer].data)
    name = sg.tensors[op.outputs[0]].name.decode().removesuffix("_decoded")
    where = bytes(image).find(stream)
    assert where > 0
    image[where + len(stream) // 2] ^= 0x04
    with pytest.raises(CorruptTensorError, match=re.escape(name)):
        audit_image(bytes(image))
    rows = audit_image(bytes(image), strict=False)
    bad = [r.name for r in rows if r.problem]
    assert bad == [name]


def test_lut_flip_caught_against_reference(small_model):
    lut = compress_lut(small_model)
    model = read_model(lut)
    sg = model.subgraphs[0]
    ops = [op for op in sg.operators if opcode_name(model, op) == "CUSTOM:TFLM_DECODE"]
    enc = bytes(model.buffers[sg.tensors[ops[-1].inputs[0]].buffer].data)
    image = bytearray(lut)
    image[image.find(enc) + 3] ^= 0x80
    with pytest.raises(CorruptTensorError, match="differ from the reference"):
        audit_image(bytes(image), reference=small_model)


def test_size_report_and_anchor_targets(anchor_model):
    from hil_bench.compress.vela import run_vela

    r = size_report(anchor_model, decode="init")   # the hb codec's targets (decoded at init)
    assert r["weight_bytes_raw"] == 78336
    assert r["model_bytes_raw"] == len(anchor_model)
    assert r["weight_bytes_compressed"] <= 1.15 * r["entropy_bound_bytes"]
    assert r["weight_bytes_compressed"] < r["lut_bytes"] < r["weight_bytes_raw"]
    assert r["model_bytes"] < r["lut_model_bytes"] < r["model_bytes_raw"]
    assert r["gzip9_bytes"] < r["model_bytes_raw"]
    assert sum(t["compressed_bytes"] for t in r["tensors"]) == r["weight_bytes_compressed"]
    try:
        vela = run_vela(anchor_model)
    except Exception as exc:  # pragma: no cover - only when Vela cannot run here
        pytest.skip(f"vela cannot run: {exc}")
    assert r["weight_bytes_compressed"] <= vela.vela_encoded_weight_bytes
    # also below Vela's weights without its 10-byte-per-channel scale/bias words (484 channels)
    assert r["weight_bytes_compressed"] <= vela.vela_encoded_weight_bytes - 10 * 484
