"""Full-int8 conversion and reading of ``.tflite`` flatbuffers.

Models are read with the flatbuffer schema module that ``tflite-micro`` ships, never with hand-rolled
offsets, and every read is checked: a corrupt or truncated file raises :class:`ModelFileError`.
"""

from __future__ import annotations

import struct
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from hil_bench.errors import Error, ModelFileError, UnsupportedModelError, UsageError
from hil_bench.tensor_types import DTYPES, numpy_dtype, type_name
from hil_bench.weighted import WEIGHTED_LAYERS
from hil_bench.quiet import native_stderr_to_log

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
    # start-up cost: pulls TensorFlow, loaded only when this runs
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

    # The converter's C++ side prints its settings ("fully_quantize: 0, ...") to fd 2: to the log.
    with warnings.catch_warnings(), native_stderr_to_log("TFLite conversion"):
        # "Statistics for quantized inputs were expected": irrelevant, the inputs are calibrated.
        warnings.filterwarnings("ignore", message="Statistics for quantized inputs")
        try:
            return bytes(converter.convert())
        except Exception as exc:   # tf.lite's ConverterError: a layer with no int8 TFLite builtin op
            if type(exc).__name__ != "ConverterError":
                raise
            first = next((line.strip() for line in str(exc).splitlines() if "error" in line.lower()), "")
            raise UnsupportedModelError(
                f"TFLite cannot convert this model to full int8 ({first[:300] or 'ConverterError'}); "
                "a layer has no int8 TFLite builtin operator (recurrent layers such as LSTM do not). "
                "Rebuild it from convolution, Dense and pooling layers.") from None


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


def model_bytes(source: bytes | str | Path) -> tuple[bytes, str]:
    """The bytes of a model given as bytes or a path, and how to name it in an error."""
    return _read_bytes(source)


def edit_model(source: bytes | str | Path):
    """tflite_micro's ``model_editor`` view of a model, after :func:`read_model` checked it."""
    from tflite_micro.tensorflow.lite.micro.compression import model_editor

    data, origin = _read_bytes(source)
    read_model(data if origin == "model buffer" else source)
    with foreign_reader(origin, "tflite_micro's model editor"):
        return model_editor.read(data)


@contextmanager
def foreign_reader(origin: str, reader: str):
    """Turn a crash of another project's parser on a model into :class:`ModelFileError` naming the file.

    read_model's checks come first, so this only catches what they do not know about; hil-bench's own
    errors pass through unchanged.
    """
    try:
        yield
    except Error:
        raise
    except (ValueError, IndexError, KeyError, TypeError, struct.error, OverflowError, AssertionError) as exc:
        raise ModelFileError(f"{origin}: {reader} cannot read this model ({type(exc).__name__}: {exc}); "
                             "it is corrupt or uses a layout hil-bench does not handle") from None


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


MAX_ELEMENTS = 1 << 31  # no microcontroller model has a tensor this large; a corrupt shape often does


def _check_model(model, size: int, origin: str) -> None:
    """Everything the readers below rely on, checked once so they index without fear."""
    if not model.subgraphs:
        raise ModelFileError(f"{origin}: the model has no subgraph")
    buffers = model.buffers or []
    codes = model.operatorCodes or []
    for code in codes:
        if not isinstance(code.builtinCode, int) or not isinstance(code.deprecatedBuiltinCode, int):
            raise ModelFileError(f"{origin}: an operator code is unreadable")
    for b, buf in enumerate(buffers):
        if buf is None:
            raise ModelFileError(f"{origin}: buffer {b} is missing")
        if buf.offset and (buf.offset < 0 or buf.size < 0 or buf.offset + buf.size > size):
            raise ModelFileError(f"{origin}: buffer {b} lies outside the file (offset {buf.offset}, size {buf.size})")
    for s, sg in enumerate(model.subgraphs):
        if sg is None:
            raise ModelFileError(f"{origin}: subgraph {s} is missing")
        tensors = sg.tensors or []
        for i, t in enumerate(tensors):
            _check_tensor(t, i, buffers, origin)
        for k, op in enumerate(sg.operators or []):
            if op is None:
                raise ModelFileError(f"{origin}: operator {k} of subgraph {s} is missing")
            if not 0 <= op.opcodeIndex < len(codes):
                raise ModelFileError(f"{origin}: operator {k} uses opcode {op.opcodeIndex} of {len(codes)}")
            for i in int_list(op.inputs) + int_list(op.outputs):
                if not -1 <= i < len(tensors):
                    raise ModelFileError(f"{origin}: operator {k} refers to tensor {i} of {len(tensors)}")
            code = codes[op.opcodeIndex]
            builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
            if builtin in WEIGHTED_OPS:
                op_name, w, _ = WEIGHTED_OPS[builtin]
                ins = int_list(op.inputs)
                if len(ins) <= w or ins[w] < 0:
                    raise ModelFileError(f"{origin}: {op_name} operator {k} has {len(ins)} inputs and no weight "
                                         f"tensor (input {w})")
                _check_weight_quantization(tensors[ins[w]], origin)


def _check_weight_quantization(t, origin: str) -> None:
    """Per-channel scales run along an axis of the weights, one per channel (the readers index by it)."""
    q, name, shape = t.quantization, tensor_name(t), int_list(t.shape)
    if q is None:
        return
    scales = len(q.scale) if q.scale is not None else 0
    zero_points = len(q.zeroPoint) if q.zeroPoint is not None else 0
    if scales > 1:
        axis = q.quantizedDimension
        if not 0 <= axis < len(shape) or shape[axis] != scales:
            raise ModelFileError(f"{origin}: tensor {name!r} has {scales} per-channel scales along axis {axis} "
                                 f"but shape {shape}")
    if zero_points not in (0, 1, scales):
        raise ModelFileError(f"{origin}: tensor {name!r} has {scales} scales and {zero_points} zero points")


def int_list(vector) -> list[int]:
    """A flatbuffer int vector (None when absent) as a list."""
    return [int(v) for v in vector] if vector is not None else []


def _check_tensor(t, index: int, buffers: list, origin: str) -> None:
    if t is None:
        raise ModelFileError(f"{origin}: tensor {index} is missing")
    name = tensor_name(t)
    if not 0 <= t.buffer < max(len(buffers), 1):
        raise ModelFileError(f"{origin}: tensor {name!r} points at buffer {t.buffer} of {len(buffers)}")
    shape = int_list(t.shape)
    count = float(np.prod(shape, dtype=np.float64))
    if any(d < 0 for d in shape) or count > MAX_ELEMENTS:
        raise ModelFileError(f"{origin}: tensor {name!r} has an impossible shape {shape}")
    buf = buffers[t.buffer] if buffers else None
    stored = (buf.size if buf.offset else len(buf.data) if buf.data is not None else 0) if buf is not None else 0
    if stored and t.type in DTYPES and stored != int(count) * DTYPES[t.type].itemsize:
        raise ModelFileError(f"{origin}: tensor {name!r} of shape {shape} ({type_name(t.type)}) has a buffer of "
                             f"{stored} bytes")


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
    """The tensor's name; "" for a model stored without names (``--strip-names``)."""
    name = tensor.name
    if name is None:
        return ""
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
            t = int(op.inputs[input_index])  # present and >= 0: checked by read_model
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
