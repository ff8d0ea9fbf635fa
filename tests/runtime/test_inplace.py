"""Weights executed in place (HB_DECODE_IN_PLACE): every format, byte-identical to tflite_micro on the
same model with its weights stored uncompressed, on the host build of the runtime.

Covers reduction lengths that are no multiple of M or of the SIMD width, all-zero and single-value
output channels, palettes of b = 1..4 bits, N:M 2:4 / 1:4 / 1:8 with and without palette, a model
compressed by TFLite Micro's own tool (LUT, run in place, DEPTHWISE_CONV_2D included), and the arena:
no decoded copy (in place stays within the dense arena plus the stated scratch).
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import FIXTURES, random_inputs

from hil_bench.compress.edge_models import EDGE_VARIANTS, edge_base, edge_variant
from hil_bench.compress.lut import compress_lut
from hil_bench.compress.model import compress_model
from hil_bench.evaluate import run_tflm
from hil_bench.runtime.host import model_info, run_model

SAMPLES = 8


@pytest.fixture(scope="module")
def base() -> bytes:
    return edge_base()


def _oracle(model: bytes, x: np.ndarray) -> np.ndarray:
    return run_tflm(model, x.reshape(len(x), *x.shape[2:]) if x.shape[1] == 1 else x)


def _check(dense: bytes, stored: bytes, expect_formats=None) -> None:
    x = random_inputs(model_info(dense), SAMPLES, 3)[0]
    ours = run_model(stored, x, decode="in-place")[0]
    theirs = _oracle(dense, x)
    assert np.array_equal(ours.reshape(theirs.shape), theirs)


@pytest.mark.parametrize("variant", sorted(EDGE_VARIANTS))
def test_every_format_bit_exact_with_tflm(base, variant: str) -> None:
    dense = edge_variant(base, variant)
    method = "nm" if variant.startswith("nm") else "lut"
    stored = compress_model(dense, method, "in-place")
    formats = {f["format"] for f in stored.weight_formats}
    want = variant.split("+")[0] if method == "nm" else variant
    assert any(f.startswith(want) for f in formats), formats
    if variant == "nm:2:4+palette":
        assert any("+palette:" in f for f in formats), formats
    _check(dense, stored.model)
    # in place keeps no decoded copy: the arena is the dense one plus the stated scratch bound
    # (HB_WSRC_WHOLE_BYTES: tensors up to 1 KB are decoded into scratch for the dense kernels) and
    # the per-op state of each layer (hb_wsrc, folded: < 100 B + 4 B per channel)
    assert model_info(stored.model, decode="in-place")["arena_bytes"] <= model_info(dense)["arena_bytes"] + 1024 + 3 * 100


def test_in_place_needs_far_less_arena_than_decoding_at_init(base) -> None:
    dense = edge_variant(base, "palette:4")
    stored = compress_model(dense, "lut", "in-place").model
    at_init = model_info(stored, decode="init")["arena_bytes"]
    in_place = model_info(stored, decode="in-place")["arena_bytes"]
    weights = sum(c.raw_bytes for c in compress_model(dense, "none").choices)
    assert at_init - in_place >= weights // 2


@pytest.mark.parametrize("name", ["kws_ref_model", "ic_resnet8_int8"])
def test_tflm_lut_compressed_model_runs_in_place(name: str) -> None:
    from hil_bench.compress.synthetic import restructure_tflite

    dense = restructure_tflite((FIXTURES / f"{name}.tflite").read_bytes(), clusters=16)
    lut = compress_lut(dense)   # TFLite Micro's own compression tool, as it ships
    x = random_inputs(model_info(dense), 4, 5)[0]
    ours = run_model(lut, x, decode="in-place")[0]
    theirs = run_tflm(lut, x.reshape(len(x), *x.shape[2:]) if x.shape[1] == 1 else x)
    assert np.array_equal(ours.reshape(theirs.shape), theirs)
    dense_arena = model_info(dense)["arena_bytes"]
    assert model_info(lut, decode="in-place")["arena_bytes"] <= 1.06 * dense_arena
    assert model_info(lut, decode="init")["arena_bytes"] > 1.5 * dense_arena


def test_corrupt_nm_positions_are_refused_at_init(base) -> None:
    """A position beyond the short last group (K = 27 at M = 8) fails the init with a message."""
    from hil_bench.errors import ModelFileError

    dense = edge_variant(base, "nm:1:8")
    stored = compress_model(dense, "nm", "in-place").model
    x = random_inputs(model_info(dense), 3, 0)[0]
    run_model(stored, x, decode="in-place")   # intact: runs
    with pytest.raises(ModelFileError, match="N:M positions"):
        run_model(_corrupt_nm_tail(stored), x, decode="in-place")


def _corrupt_nm_tail(model: bytes) -> bytes:
    """The model with the last position byte of the first conv's N:M row 0 set to 0xFF."""
    from hil_bench.tflite import read_model

    m = read_model(model)
    sg = m.subgraphs[0]
    for op in sg.operators:
        if len(op.inputs) < 2:
            continue
        anc = m.buffers[sg.tensors[op.inputs[1]].buffer].data
        if anc is not None and len(anc) >= 16 and int(anc[0]) == 202 and int(anc[8]) == 8:
            enc = bytes(m.buffers[sg.tensors[op.inputs[0]].buffer].data)
            n, k = int(anc[7]), 27                      # the first conv: 3x3x3
            pos_bytes = (-(-k // 8) * n * 3 + 7) // 8
            start = model.find(enc)
            out = bytearray(model)
            out[start + pos_bytes - 1] = 0xFF
            return bytes(out)
    raise AssertionError("no 1:8 tensor found")


@pytest.mark.parametrize("plan", range(3))
def test_mixed_formats_in_one_model(base, plan: int) -> None:
    from hil_bench.compress.edge_models import MIXED_PLANS, edge_mixed

    dense, stored = edge_mixed(base, MIXED_PLANS[plan])
    _check(dense, stored)


@pytest.mark.hil
def test_every_format_on_the_board_bit_exact(base, board, tmp_path) -> None:
    """On the board's optimized kernel path and on its plain C path: models mixing every format
    (palette b = 1..4, N:M 2:4 / 1:4 / 1:8, N:M + palette, K = 27 / 12 / 20, zero and single-value
    channels) and a TFLM LUT kws (DEPTHWISE_CONV_2D in place) equal tflite_micro byte for byte."""
    from hil_bench.compress.edge_models import MIXED_PLANS, edge_mixed
    from hil_bench.compress.synthetic import restructure_tflite
    from hil_bench.dut import run_model as board_run

    cases = [edge_mixed(base, plan) for plan in MIXED_PLANS]
    kws = restructure_tflite((FIXTURES / "kws_ref_model.tflite").read_bytes(), clusters=8)
    cases.append((kws, compress_lut(kws)))
    for kernels in ("opt", "ref"):
        for i, (dense, stored) in enumerate(cases):
            path = tmp_path / f"case{i}.tflite"
            path.write_bytes(stored)
            x = random_inputs(model_info(dense), 3, 11)[0]
            got = board_run(path.read_bytes(), board, x, name=path.name, runs=1, kernels=kernels, decode="in-place")
            theirs = _oracle(dense, x)
            assert np.array_equal(np.asarray(got.outputs[0]).reshape(theirs.shape), theirs), (kernels, i)
            assert got.arena_used_bytes is None or got.arena_used_bytes > 0


def test_flipped_bits_in_in_place_tensors_never_crash_the_sanitized_runtime(base) -> None:
    """Random bit flips in the encoded and ancillary tensors (palette and N:M): the runtime built with
    ASan + UBSan either runs (the flip only changed weights) or refuses the model with a status."""
    from hil_bench.compress.edge_models import MIXED_PLANS, edge_mixed
    from hil_bench.errors import UnsupportedModelError, ModelFileError
    from hil_bench.tflite import read_model

    dense, stored = edge_mixed(base, MIXED_PLANS[0])
    m = read_model(stored)
    sg = m.subgraphs[0]
    regions = []
    for op in sg.operators:
        for t in op.inputs:
            data = m.buffers[sg.tensors[t].buffer].data
            if data is not None and sg.tensors[t].type == 3 and len(data):   # UINT8: DECODE inputs
                regions.append((stored.find(bytes(data)), len(data)))
    assert len(regions) == 6
    x = random_inputs(model_info(dense), 3, 1)[0]
    rng = np.random.default_rng(0)
    refused = 0
    for _ in range(30):
        at, n = regions[rng.integers(len(regions))]
        mutated = bytearray(stored)
        mutated[at + rng.integers(n)] ^= 1 << rng.integers(8)
        try:
            run_model(bytes(mutated), x, decode="in-place", sanitize=True)
        except (ModelFileError, UnsupportedModelError):
            refused += 1
    assert refused > 0   # some flips hit a header, a stride or a position and must be refused
