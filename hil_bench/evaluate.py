"""Host-side evaluation: float Keras accuracy and int8 ``.tflite`` accuracy with TFLite Micro's kernels.

The int8 model runs in ``tflite_micro.runtime.Interpreter`` — TFLite Micro's reference kernels, the same
oracle the device runtime is held to — so "accuracy on host" is what the device must reproduce.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hil_bench.datasets import CLASSIFICATION, Dataset
from hil_bench.errors import ModelFileError, UsageError
from hil_bench.metrics import TASK_METRIC
from hil_bench.tflite import read_model


@dataclass(frozen=True)
class Quantization:
    scale: float
    zero_point: int


def io_quantization(tflite: bytes) -> tuple[Quantization, Quantization]:
    """(input, output) quantization of a single-input, single-output int8 model."""
    model = read_model(tflite)
    sg = model.subgraphs[0]
    params = []
    for index in (sg.inputs[0], sg.outputs[0]):
        q = sg.tensors[index].quantization
        if q is None or q.scale is None or len(q.scale) != 1:
            raise ModelFileError("the model's input/output is not per-tensor quantized int8; "
                                 "convert it with full int8 (hil_bench.tflite.to_int8_tflite)")
        params.append(Quantization(float(q.scale[0]), int(q.zeroPoint[0])))
    return params[0], params[1]


def quantize(x: np.ndarray, q: Quantization) -> np.ndarray:
    return np.clip(np.round(x / q.scale) + q.zero_point, -128, 127).astype(np.int8)


def dequantize(y: np.ndarray, q: Quantization) -> np.ndarray:
    return (y.astype(np.float32) - q.zero_point) * q.scale


def run_tflm(tflite: bytes, inputs_int8: np.ndarray) -> np.ndarray:
    """Outputs of TFLite Micro's reference kernels for a batch of int8 inputs (one inference each),
    shaped ``[N, *output_shape]`` with the model's own batch axis kept, as the device returns them."""
    from tflite_micro.python.tflite_micro import runtime

    interpreter = runtime.Interpreter.from_bytes(bytes(tflite))
    outputs = []
    for sample in inputs_int8:
        interpreter.set_input(sample[None, ...], 0)
        interpreter.invoke()
        outputs.append(np.array(interpreter.get_output(0)))
    return np.stack(outputs)


def score(outputs: np.ndarray, data: Dataset, split: str = "test") -> float:
    """Accuracy for classification, mean squared error for an autoencoder (lower is better): the value
    is of the metric :func:`metric_name` names, never to be read as an accuracy without it."""
    y = getattr(data, f"y_{split}")
    flat = np.asarray(outputs).reshape(len(y), -1)  # device outputs keep the model's batch axis of 1
    if data.task == CLASSIFICATION:
        return float(np.mean(np.argmax(flat, axis=-1) == y))
    return float(np.mean((flat - y.reshape(len(y), -1)) ** 2))


def metric_name(data: Dataset) -> str:
    """The name of what :func:`score` returns for ``data`` (see :mod:`hil_bench.metrics` for its direction)."""
    return TASK_METRIC[data.task]


def keras_score(model, data: Dataset, split: str = "test") -> float:
    return score(model.predict(getattr(data, f"x_{split}"), verbose=0, batch_size=256), data, split)


def tflite_score(tflite: bytes, data: Dataset, split: str = "test") -> float:
    q_in, q_out = io_quantization(tflite)
    outputs = run_tflm(tflite, quantize(getattr(data, f"x_{split}"), q_in))
    return score(dequantize(outputs, q_out), data, split)


def check_labels(data: Dataset, tflite: bytes) -> None:
    """Refuse a classification data set whose test labels are not classes of the model's output
    (an accuracy over them would be a silent 0)."""
    if data.task != CLASSIFICATION:
        return
    sg = read_model(tflite).subgraphs[0]
    classes = int(np.prod([int(d) for d in sg.tensors[int(sg.outputs[0])].shape]))
    y = np.asarray(data.y_test)
    if len(y) and (y.min() < 0 or y.max() >= classes):
        bad = int(y.max()) if y.max() >= classes else int(y.min())
        raise UsageError(f"data set {data.name}: test label {bad} is not a class of the model, whose output has "
                         f"{classes} classes (0..{classes - 1}); use the data set the model was trained on")
