"""Bit-exactness of the hil-bench runtime against TFLite Micro's reference kernels.

Every model runs >= 100 random int8 inputs (plus the extremes) through both; any differing byte
fails the test and reports how many and where.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import FIXTURES, MLPERF_MODELS, SAMPLES, oracle_outputs, random_inputs
from hil_bench.runtime import model_info, run_model
from single_op_models import SPECS, build_model
from tflite_edit import requantize_model


def assert_bit_exact(model: bytes, seed: int) -> None:
    info = model_info(model)
    inputs = random_inputs(info, SAMPLES, seed)
    ours = run_model(model, inputs)
    ref = oracle_outputs(model, inputs, [o["shape"] for o in info["outputs"]])
    assert len(ours) == len(ref)
    for k, (a, b) in enumerate(zip(ours, ref)):
        assert a.shape == b.shape and a.dtype == b.dtype, (k, a.shape, b.shape, a.dtype, b.dtype)
        differ = a.view(np.uint8) != b.view(np.uint8)
        assert not differ.any(), (
            f"output {k}: {int(differ.sum())} of {differ.size} bytes differ "
            f"(first at sample {int(np.argwhere(differ)[0][0])}); ops {info['ops']}"
        )


@pytest.mark.parametrize("name", MLPERF_MODELS)
def test_mlperf_tiny_bit_exact(name: str) -> None:
    assert_bit_exact((FIXTURES / name).read_bytes(), seed=1)


@pytest.mark.parametrize("name", MLPERF_MODELS)
def test_activation_arena_not_above_tflm(name: str) -> None:
    """The planned activations ('head') need no more than TFLite Micro's greedy planner."""
    from hil_bench.runtime.tflm import tflm_arena

    ours, theirs = model_info(FIXTURES / name), tflm_arena(FIXTURES / name)
    assert ours["arena_head_bytes"] <= theirs["head"], (ours, theirs)
    assert ours["arena_bytes"] == ours["arena_head_bytes"] + ours["arena_tail_bytes"]


# Spec name prefix -> the op the model exists to test (checked, so a converter change that lowers
# a layer differently cannot make a test silently cover something else).
PREFIX_OP = {
    "conv": "CONV_2D", "dw": "DEPTHWISE_CONV_2D", "fc": "FULLY_CONNECTED", "add": "ADD", "mul": "MUL",
    "avgpool": "AVERAGE_POOL_2D", "maxpool": "MAX_POOL_2D", "reshape": "RESHAPE", "softmax": "SOFTMAX",
    "logistic": "LOGISTIC", "relu": "RELU", "relu6": "RELU6", "pad": "PAD", "concat": "CONCATENATION",
    "mean": "MEAN", "quantize": "DEQUANTIZE",
}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_single_op_bit_exact(name: str) -> None:
    model = build_model(name)
    assert PREFIX_OP[name.split("_")[0]] in model_info(model)["ops"]
    assert_bit_exact(model, seed=2)


def test_requantize_bit_exact() -> None:
    """int8 -> int8 QUANTIZE, which the converter does not emit for these small models."""
    model = requantize_model(build_model("avgpool_2_valid"))
    assert model_info(model)["ops"] == ["QUANTIZE"]
    assert_bit_exact(model, seed=3)
