"""N:M structured sparsity: where the blocks run in each kernel layout, the mask, the audit's pattern
and the survival check that treats a broken pattern as lost structure (numpy only, no training)."""

from __future__ import annotations

import numpy as np
import pytest

from hil_bench.audit import audit_tensor, survival
from hil_bench.nm import NM_PATTERNS, nm_sparsity, parse_nm
from hil_bench.qat.structure import apply_nm, nm_mask, nm_share, nm_shares, reduction_rows, strictest_nm


def _rng_kernel(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def test_mask_keeps_the_n_largest_magnitudes_of_every_block_and_the_short_tail():
    rows = np.array([[1, -5, 3, 2, 0.5, -4, 7, 1, 9, -8]], np.float32)   # blocks [1,-5,3,2] [.5,-4,7,1] [9,-8]
    mask = nm_mask(rows, 2, 4)
    assert mask.tolist() == [[0, 1, 1, 0, 0, 1, 1, 0, 1, 1]]
    assert nm_mask(rows, 1, 4).tolist() == [[0, 1, 0, 0, 0, 0, 1, 0, 1, 0]]


@pytest.mark.parametrize("pattern", ["2:4", "1:4", "1:8"])
@pytest.mark.parametrize("shape,channel_axes", [((3, 3, 5, 7), 1), ((10, 4, 1, 6), 1), ((20, 6), 1),
                                                ((3, 3, 6, 2), 2)])
def test_every_kernel_layout_comes_out_exactly_n_m_along_its_tflite_reduction(pattern, shape, channel_axes):
    n, m = parse_nm(pattern)
    pruned = apply_nm(_rng_kernel(shape), n, m, channel_axes)
    rows = reduction_rows(pruned, channel_axes)
    assert nm_share(rows, n, m) == 1.0
    # every full block keeps exactly N (random weights: no ties, no zeros)
    full = rows.shape[1] // m * m
    counts = (rows[:, :full] != 0).reshape(rows.shape[0], -1, m).sum(axis=2)
    assert (counts == n).all()


def test_reduction_rows_are_tflite_order():
    """Conv2D [H,W,I,O] -> per O the HWI filter as TFLite's OHWI stores it; Dense [I,O] -> [O,I];
    DepthwiseConv2D [H,W,C,1] -> per channel its H*W filter (TFLite [1,H,W,C])."""
    conv = _rng_kernel((2, 3, 4, 5))
    assert np.array_equal(reduction_rows(conv), np.transpose(conv, (3, 0, 1, 2)).reshape(5, -1))
    dense = _rng_kernel((6, 3))
    assert np.array_equal(reduction_rows(dense), dense.T)
    dw = _rng_kernel((3, 3, 4, 1))
    tflite = dw.reshape(1, 3, 3, 4)
    assert np.array_equal(reduction_rows(dw, 2), np.moveaxis(tflite, 3, 0).reshape(4, -1))


def test_audit_reports_the_pattern_in_tflite_layout_for_every_op():
    conv = apply_nm(_rng_kernel((3, 3, 8, 4)), 1, 4)
    dw = apply_nm(_rng_kernel((3, 3, 8, 1)), 1, 8, 2)
    dense = apply_nm(_rng_kernel((32, 10)), 2, 4)
    assert audit_tensor("c", "CONV_2D", np.transpose(conv, (3, 0, 1, 2)), 0).nm_pattern == "1:4"
    assert audit_tensor("d", "DEPTHWISE_CONV_2D", dw.reshape(1, 3, 3, 8), 3).nm_pattern == "1:8"
    assert audit_tensor("f", "FULLY_CONNECTED", dense.T, 0).nm_pattern == "2:4"
    dense_audit = audit_tensor("x", "FULLY_CONNECTED", _rng_kernel((10, 32)), 0)
    assert dense_audit.nm_pattern == "" and dense_audit.nm_shares["2:4"] == 0.0


def test_patterns_longer_than_the_filter_are_not_reported():
    """Nine weights of a 3x3 depthwise filter with five non-zeros are 2:4 (blocks 4+4+1), not '5:16'."""
    dw = apply_nm(_rng_kernel((3, 3, 6, 1)), 2, 4, 2)
    shares = nm_shares(reduction_rows(dw, 2))
    assert "5:16" not in shares and "1:16" not in shares
    assert strictest_nm(shares) == "2:4"


def test_unstructured_sparsity_is_not_a_pattern():
    rng = np.random.default_rng(3)
    w = rng.normal(size=(64, 32))
    w[rng.random(w.shape) < 0.5] = 0
    shares = nm_shares(w)
    assert strictest_nm(shares) == ""
    assert 0.5 < shares["2:4"] < 0.85   # about 11/16 of random half-empty blocks hold at most 2


def _audit(values, name="dense_1"):
    return audit_tensor(name, "FULLY_CONNECTED", values, 0)


def test_survival_fails_when_one_block_breaks_the_pattern_even_with_more_zeros():
    before = apply_nm(_rng_kernel((64, 16)), 1, 4).T   # Keras Dense [I,O] -> TFLite [O,I]
    after = before.copy()
    after[0, 0:4] = [1, 1, 0, 0]          # one block now holds two non-zeros...
    after[5:9] = 0                        # ...while the tensor as a whole got sparser
    (verdict,) = survival([_audit(before)], [_audit(after)])
    assert verdict.sparsity_after > verdict.sparsity_before
    assert not verdict.pattern_survived and not verdict.sparsity_survived and not verdict.survived
    assert verdict.nm_pattern == "1:4" and verdict.nm_share_after == pytest.approx(1 - 1 / 256)
    assert "N:M pattern 1:4 broken: 99.6 % of blocks hold at most 1 non-zeros" in verdict.problem()


def test_survival_keeps_a_pattern_that_gained_zeros():
    before = apply_nm(_rng_kernel((64, 16)), 2, 4).T
    after = before.copy()
    after[:, :8] = 0
    (verdict,) = survival([_audit(before)], [_audit(after)])
    assert verdict.survived and verdict.nm_share_after == 1.0


def test_pattern_names():
    assert {"2:4", "1:4", "1:8"} <= set(NM_PATTERNS)
    assert nm_sparsity("1:8") == 0.875 and nm_sparsity("3:4") is None and nm_sparsity("0.5") is None
    with pytest.raises(ValueError, match="e.g. 2:4, 1:4 or 1:8"):
        parse_nm("4:4")
