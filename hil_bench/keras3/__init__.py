"""Keras 3 models in: an equal tf_keras model from a Keras 3 Sequential or functional model.

TFMOT, and so hil-bench's whole pipeline, works on Keras 2 (``tf_keras``). Keras 3 is the separate
``keras`` package: it is imported here only when a Keras 3 model or file turns up, after
:mod:`hil_bench._keras` has fixed ``TF_USE_LEGACY_KERAS``, and never through ``tf.keras``, so both live
in one process without touching each other.

:func:`convert` rebuilds the model layer by layer (:mod:`hil_bench.keras3.graph`, the supported layers
in :mod:`hil_bench.keras3.layers`), copies the weights, then runs both models on the same random inputs
and refuses the result if any output differs by more than ``TOLERANCE`` relative to the largest output
(1 at least). Anything it cannot carry over exactly is refused naming the layer and what to do.
A Keras 3 ``model.export()`` SavedModel holds a graph but no layers, so it cannot be converted.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hil_bench.errors import UnsupportedModelError
from hil_bench.keras3.files import read_keras3
from hil_bench.keras3.graph import operations, rebuild

TOLERANCE = 1e-5
SAMPLES = 16

__all__ = ["Conversion", "convert", "load_file", "is_keras3_model", "TOLERANCE"]


@dataclass(frozen=True)
class Conversion:
    """A converted model and the evidence that it computes what the Keras 3 model computes."""

    model: object        # the tf_keras model
    origin: str
    layers: int          # Keras 3 layers converted (the input layer not counted)
    max_abs_diff: float
    limit: float         # the largest difference accepted on these outputs
    samples: int

    def summary(self) -> str:
        return (f"{self.origin}: Keras 3 model converted to tf_keras ({self.layers} layers); max abs difference "
                f"{self.max_abs_diff:.3g} on {self.samples} random inputs (limit {self.limit:.3g})")


def is_keras3_model(obj) -> bool:
    """Whether ``obj`` is a Keras 3 model (subclassed ones too), without importing Keras 3: whoever built
    one has imported it already."""
    keras = sys.modules.get("keras")
    return isinstance(getattr(keras, "Model", None), type) and isinstance(obj, keras.Model)


def convert(model, origin: str | None = None) -> Conversion:
    """The tf_keras equivalent of the Keras 3 ``model``, checked equal on random inputs.

    Raises :class:`~hil_bench.errors.UnsupportedLayerError` naming a layer it cannot convert and
    :class:`~hil_bench.errors.UnsupportedModelError` for a subclassed model or outputs that differ.
    """
    from hil_bench._keras import keras as keras2  # first: sets TF_USE_LEGACY_KERAS before TensorFlow loads
    import keras as keras3

    origin = origin or f"Keras 3 model {model.name!r}"
    copy = rebuild(model, keras3, keras2)
    diff, limit = _difference(model, copy, origin)
    if diff > limit:
        raise UnsupportedModelError(
            f"{origin}: the tf_keras conversion differs from the Keras 3 model by up to {diff:.3g} on random "
            f"inputs (limit {limit:.3g}); hil-bench will not optimize a model that is not the one given. Please "
            "report it with the model, or build the model with tf_keras (`import tf_keras as keras`) directly.")
    layers = sum(type(op).__name__ != "InputLayer" for op in operations(model))
    return Conversion(copy, origin, layers, diff, limit, SAMPLES)


def load_file(path: Path) -> Conversion:
    """Read a ``.keras`` or ``.h5`` file written by Keras 3 and convert it (see :mod:`hil_bench.keras3.files`)."""
    return convert(read_keras3(path), origin=str(path))


def _difference(model3, model2, origin: str) -> tuple[float, float]:
    """(max abs difference of all outputs, the limit) on ``SAMPLES`` seeded standard-normal inputs."""
    rng = np.random.default_rng(0)
    xs = []
    for tensor in model2.inputs:
        shape = tuple(tensor.shape[1:])
        if any(d is None for d in shape):
            raise UnsupportedModelError(f"{origin}: input shape {shape} has unknown dimensions; TFLite Micro needs "
                                        "a fixed input shape, so rebuild the model with keras.Input(shape=(...)) "
                                        "fully given")
        xs.append(rng.standard_normal((SAMPLES, *shape)).astype(np.float32))
    x = xs[0] if len(xs) == 1 else xs
    expected = _as_list(model3(x, training=False))
    got = _as_list(model2(x, training=False))
    diff = max(float(np.max(np.abs(a - b))) if a.shape == b.shape else float("inf") for a, b in zip(expected, got))
    scale = max([1.0] + [float(np.max(np.abs(a))) for a in expected])
    return diff, TOLERANCE * scale


def _as_list(outputs) -> list[np.ndarray]:
    items = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return [np.asarray(item, dtype=np.float64) for item in items]
