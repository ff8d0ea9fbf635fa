"""The Python side of the host runner: errors are hil_bench.errors classes, timing via the hook."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import FIXTURES
from hil_bench.errors import ModelFileError, UnsupportedModelError, UsageError
from hil_bench.runtime import model_info, profile_model, run_model
from malformed_models import corpus

KWS = FIXTURES / "kws_ref_model.tflite"
BY_NAME = {name: data for name, data, _, _ in corpus(KWS.read_bytes(), mutants=0)}


def test_model_info_reports_arena_ops_and_io() -> None:
    info = model_info(KWS)
    assert info["ops"][:2] == ["CONV_2D", "DEPTHWISE_CONV_2D"] and len(info["ops"]) == 13
    assert info["arena_bytes"] == info["arena_head_bytes"] + info["arena_tail_bytes"]
    assert info["inputs"][0]["shape"] == [1, 49, 10, 1] and info["outputs"][0]["shape"] == [1, 12]


def test_refusals_map_to_error_classes(tmp_path) -> None:
    with pytest.raises(UnsupportedModelError, match="TANH"):
        model_info(BY_NAME["unsupported_op_tanh"])
    with pytest.raises(ModelFileError, match="malformed"):
        model_info(BY_NAME["truncated_256"])
    with pytest.raises(UsageError, match="no such model"):
        model_info(tmp_path / "missing.tflite")


def test_bad_inputs_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="expected"):
        run_model(KWS, np.zeros((2, 1, 49, 10, 1), dtype=np.float32))
    with pytest.raises(UsageError, match="expected"):
        run_model(KWS, np.zeros((2, 1, 49, 11, 1), dtype=np.int8))
    with pytest.raises(UsageError, match="1 inputs"):
        run_model(KWS, [np.zeros((1, 1, 49, 10, 1), dtype=np.int8)] * 2)


def test_profile_times_every_op() -> None:
    x = np.random.default_rng(0).integers(-128, 128, size=(3, 1, 49, 10, 1), dtype=np.int8)
    report = profile_model(KWS, x)
    assert len(report["invoke_ns"]) == 3 and all(t > 0 for t in report["invoke_ns"])
    assert [o["op"] for o in report["op_ns"]] == model_info(KWS)["ops"]
    assert sum(o["ns"] for o in report["op_ns"]) <= sum(report["invoke_ns"])
