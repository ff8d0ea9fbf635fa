"""Fixtures for the runtime tests: the host runner builds once per session, and the oracle is
TFLite Micro's Python interpreter (reference kernels), nothing else."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mlperf_tiny"
MLPERF_MODELS = ["kws_ref_model.tflite", "ic_resnet8_int8.tflite"]
SAMPLES = 100


def oracle_outputs(model: bytes, inputs: list[np.ndarray], out_shapes: list[list[int]]) -> list[np.ndarray]:
    """Run every sample through tflite_micro.runtime.Interpreter; one array per graph output."""
    from tflite_micro import runtime

    ip = runtime.Interpreter.from_bytes(bytes(model))
    outs: list[list[np.ndarray]] = []
    for s in range(len(inputs[0])):
        for k, arr in enumerate(inputs):
            ip.set_input(arr[s : s + 1].reshape(ip.get_input_details(k)["shape"]), k)
        ip.invoke()
        outs.append([np.array(ip.get_output(k), copy=True) for k in range(len(out_shapes))])
    return [np.stack([row[k] for row in outs]).reshape(len(outs), *shape) for k, shape in enumerate(out_shapes)]


def random_inputs(info: dict, n: int, seed: int) -> list[np.ndarray]:
    """n samples per graph input covering the whole int8 range, plus the extremes first."""
    rng = np.random.default_rng(seed)
    arrays = []
    for spec in info["inputs"]:
        shape = (n, *spec["shape"][1:]) if spec["shape"] and spec["shape"][0] == 1 else (n, *spec["shape"])
        if spec["type"] == 9:
            a = rng.integers(-128, 128, size=shape, dtype=np.int8)
            a[0], a[1], a[2] = -128, 127, spec["zero_point"]
        else:
            a = rng.normal(0.0, 3.0, size=shape).astype(np.float32)
        arrays.append(a.reshape(n, *spec["shape"]))
    return arrays


@pytest.fixture(scope="session")
def host_runner() -> Path:
    from hil_bench.runtime import build_host_runner

    return build_host_runner()
