"""int8 versions of the model zoo the runtime is checked and measured on (tests and benchmarks).

Untrained zoo models, post-training quantized with random calibration data and cached by the zoo's
source and the TensorFlow version (checked :mod:`hil_bench.cache` entries). An untrained network's logits can be ~1e-7 (dead ReLUs), which
quantizes SOFTMAX's input to a scale TFLite Micro aborts on; such a model is rebuilt with gain and
bias on its last layer (``logit_gain``), so that both runtimes can run it.
"""

from __future__ import annotations

import hashlib

import numpy as np

from hil_bench.cache import building, cache_dir, open_entry
from hil_bench.errors import UnsupportedModelError
from hil_bench.runtime.host import model_info
import hil_bench.models as models
from hil_bench.tflite import to_int8_tflite

LOGIT_GAIN = 1e3
_MODEL = "model.tflite"   # the file in each cache entry


def convert_zoo_model(name: str, logit_gain: float = 1.0) -> bytes:
    """Full-int8 .tflite of zoo model ``name`` (seed 0, untrained), cached."""
    # start-up cost: pulls TensorFlow, loaded only when this runs
    from hil_bench._keras import tf

    spec = models.get_spec(name)
    key = hashlib.sha256(open(models.__file__, "rb").read() + tf.__version__.encode()).hexdigest()[:16]
    entry = cache_dir("zoo_models") / f"{name}-x{logit_gain:g}-{key}"
    if open_entry(entry, (_MODEL,)) is None:
        model = models.build_model(name, seed=0)
        if logit_gain != 1.0:
            last = [layer for layer in model.layers if layer.get_weights()][-1]
            kernel, bias = last.get_weights()
            noise = np.random.default_rng(1).normal(0.0, 1.0, bias.shape).astype(bias.dtype)
            last.set_weights([kernel * logit_gain, bias + noise])
        rep = np.random.default_rng(0).normal(0.0, 1.0, size=(64, *spec.input_shape)).astype(np.float32)
        with building(entry, label=f"zoo model {name} (logit gain {logit_gain:g})") as work:
            (work / _MODEL).write_bytes(to_int8_tflite(model, rep, samples=64))
    return (entry / _MODEL).read_bytes()


def zoo_int8(name: str) -> bytes:
    """The zoo model as int8 that both this runtime and TFLite Micro can run."""
    data = convert_zoo_model(name)
    try:
        model_info(data)
        return data
    except UnsupportedModelError as exc:
        if "beta * input scale" not in str(exc):
            raise
    return convert_zoo_model(name, LOGIT_GAIN)
