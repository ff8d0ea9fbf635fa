"""Full-int8 conversion and reading of ``.tflite`` flatbuffers.

Models are read with the flatbuffer schema module that ``tflite-micro`` ships, never with hand-rolled
offsets, and every read is checked: a corrupt or truncated file raises :class:`ModelFileError`.
"""

from __future__ import annotations

import struct
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from hil_bench.errors import ModelFileError, UsageError
from hil_bench.tensor_types import numpy_dtype
from hil_bench.weighted import WEIGHTED_LAYERS

from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

TFLITE_IDENTIFIER = b"TFL3"

# Weighted ops: builtin code -> (input index of the weights, axis of the output channel in the weights).
# CONV_2D weights are [O, H, W, I]; DEPTHWISE_CONV_2D [1, H, W, O]; FULLY_CONNECTED [O, I].
WEIGHTED_OPS = {getattr(schema.BuiltinOperator, w.tflite_op): (w.tflite_op, w.tflite_weight_input, w.tflite_channel_axis)
                for w in WEIGHTED_LAYERS}


def to_int8_tflite(model, representative: np.ndarray | Callable[[], Iterable], *, samples: int = 200) -> bytes:
    """Convert a tf_keras model to a full-int8 ``.tflite`` (int8 weights, activations, input and output).

    ``representative`` is either an array of float inputs (the first ``samples`` are used, one per
    calibration step) or a generator function yielding lists of input arrays, as TFLiteConverter wants.
    """
    from hil_bench._keras import require_keras2_model, tf

    require_keras2_model(model)
    if isinstance(representative, np.ndarray):
        data = representative[:samples].astype(np.float32)
        if len(data) == 0:
            raise UsageError("the representative data set is empty; int8 calibration needs samples")

        def representative_dataset():
            for row in data:
                yield [row[None, ...]]
    else:
        representative_dataset = representative

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    with warnings.catch_warnings():
        # "Statistics for quantized inputs were expected": irrelevant, the inputs are calibrated.
        warnings.filterwarnings("ignore", message="Statistics for quantized inputs")
        return bytes(converter.convert())


def read_model(source: bytes | str | Path) -> "schema.ModelT":
    """Parse a ``.tflite`` file or buffer into the schema's object API, with clear errors."""
    data, origin = _read_bytes(source)
    if len(data) < 8:
        raise ModelFileError(f"{origin}: {len(data)} bytes is too short to be a .tflite flatbuffer")
    if data[4:8] != TFLITE_IDENTIFIER:
        raise ModelFileError(
            f"{origin}: not a TFLite flatbuffer (file identifier {data[4:8]!r}, expected {TFLITE_IDENTIFIER!r}); "
            "pass a .tflite produced by TFLiteConverter"
        )
    root = struct.unpack_from("<I", data, 0)[0]
    if root + 4 > len(data):
        raise ModelFileError(f"{origin}: truncated (root table at {root}, file has {len(data)} bytes)")
    try:
        model = schema.ModelT.InitFromPackedBuf(bytearray(data), 0)
    except Exception as exc:  # the generated parser raises struct.error/IndexError/... on corrupt input
        raise ModelFileError(
            f"{origin}: corrupt or truncated .tflite ({type(exc).__name__}: {exc}); re-export the model"
        ) from None
    _check_model(model, len(data), origin)
    return model


def _read_bytes(source: bytes | str | Path) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), "model buffer"
    path = Path(source)
    try:
        return path.read_bytes(), str(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, expected a .tflite file") from None


def _check_model(model, size: int, origin: str) -> None:
    if not model.subgraphs:
        raise ModelFileError(f"{origin}: the model has no subgraph")
    nbuffers = len(model.buffers or [])
    for sg in model.subgraphs:
        ntensors = len(sg.tensors or [])
        for t in sg.tensors or []:
            if not 0 <= t.buffer < max(nbuffers, 1):
                raise ModelFileError(f"{origin}: tensor {tensor_name(t)!r} points at buffer {t.buffer} of {nbuffers}")
        for op in sg.operators or []:
            if not 0 <= op.opcodeIndex < len(model.operatorCodes or []):
                raise ModelFileError(f"{origin}: an operator uses opcode {op.opcodeIndex}, which does not exist")
            for i in list(op.inputs if op.inputs is not None else []) + list(op.outputs if op.outputs is not None else []):
                if not -1 <= i < ntensors:
                    raise ModelFileError(f"{origin}: an operator refers to tensor {i} of {ntensors}")
    for buf in model.buffers or []:
        if buf.offset and buf.offset + buf.size > size:
            raise ModelFileError(f"{origin}: a buffer lies outside the file (offset {buf.offset}, size {buf.size})")


def with_builtin_codes(model_bytes: bytes) -> bytes:
    """The model with every operator code's ``builtin_code`` set (old files carry only the deprecated byte).

    TFLite Micro's model editor, which its compression tool is built on, keys operator codes on
    ``builtin_code`` alone and would merge every old-style code into one; unchanged if none is old-style.
    """
    import flatbuffers

    model = read_model(model_bytes)
    old = [c for c in model.operatorCodes or [] if c.builtinCode < c.deprecatedBuiltinCode]
    if not old:
        return bytes(model_bytes)
    for code in old:
        code.builtinCode = code.deprecatedBuiltinCode
    builder = flatbuffers.Builder(len(model_bytes) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=TFLITE_IDENTIFIER)
    return bytes(builder.Output())


def tensor_name(tensor) -> str:
    name = tensor.name
    return name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)


def opcode_name(model, op) -> str:
    code = model.operatorCodes[op.opcodeIndex]
    builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
    if builtin == schema.BuiltinOperator.CUSTOM:
        custom = code.customCode
        return "CUSTOM:" + (custom.decode() if isinstance(custom, bytes) else str(custom))
    for key, value in vars(schema.BuiltinOperator).items():
        if value == builtin and not key.startswith("_"):
            return key
    return f"BUILTIN_{builtin}"


@dataclass(frozen=True)
class TfliteTensor:
    """A constant tensor of a .tflite with its quantization, as stored in the flatbuffer."""

    name: str
    op: str
    values: np.ndarray
    channel_axis: int
    scales: tuple[float, ...] = field(default=())
    zero_points: tuple[int, ...] = field(default=())


def weighted_operands(model) -> Iterator[tuple[int, object, int, str, int]]:
    """(subgraph index, subgraph, weight tensor index, op name, default channel axis) for the weights of
    every CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, in graph order, each tensor once."""
    for s, sg in enumerate(model.subgraphs):
        seen = set()
        for op in sg.operators or []:
            code = model.operatorCodes[op.opcodeIndex]
            builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
            if builtin not in WEIGHTED_OPS:
                continue
            op_name, input_index, axis = WEIGHTED_OPS[builtin]
            t = int(op.inputs[input_index])
            if t not in seen:
                seen.add(t)
                yield s, sg, t, op_name, axis


def quantization_of(tensor) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """(scales, zero points) of a tensor, empty when it is not quantized."""
    q = tensor.quantization
    scales = tuple(float(v) for v in (q.scale if q is not None and q.scale is not None else []))
    zero_points = tuple(int(v) for v in (q.zeroPoint if q is not None and q.zeroPoint is not None else []))
    return scales, zero_points


def weight_tensors(source: bytes | str | Path) -> list[TfliteTensor]:
    """The weight tensor of every CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, in graph order."""
    model = read_model(source)
    data, _ = _read_bytes(source)
    return [_constant(model, data, sg.tensors[t], op_name, axis) for _, sg, t, op_name, axis in weighted_operands(model)]


def _constant(model, data: bytes, tensor, op_name: str, axis: int) -> TfliteTensor:
    name = tensor_name(tensor)
    dtype = numpy_dtype(tensor.type, f"tensor {name!r}")
    buf = model.buffers[tensor.buffer]
    if buf.offset:  # models over 2 GB keep buffers outside the flatbuffer
        raw = data[buf.offset : buf.offset + buf.size]
    else:
        raw = bytes(buf.data) if buf.data is not None else b""
    shape = tuple(int(d) for d in (tensor.shape if tensor.shape is not None else []))
    count = int(np.prod(shape)) if shape else 1
    if len(raw) != count * np.dtype(dtype).itemsize:
        raise ModelFileError(
            f"tensor {name!r}: buffer holds {len(raw)} bytes, shape {shape} of {np.dtype(dtype).name} needs "
            f"{count * np.dtype(dtype).itemsize}"
        )
    values = np.frombuffer(raw, dtype=dtype).reshape(shape)
    scales, zps = quantization_of(tensor)
    if len(scales) > 1:  # per-channel: the flatbuffer says which axis the scales run along
        axis = int(tensor.quantization.quantizedDimension)
    return TfliteTensor(name, op_name, values, axis, scales, zps)
