"""Unpack a .tflite into the schema's object API, edit it, pack it again (tests only).

Used to make models the converter never emits: an int8 -> int8 QUANTIZE, and the malformed corpus.
"""

from __future__ import annotations

import flatbuffers
import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema


def unpack(data: bytes) -> "schema.ModelT":
    return schema.ModelT.InitFromPackedBuf(bytearray(data), 0)


def pack(model: "schema.ModelT") -> bytes:
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def set_single_op(model: "schema.ModelT", builtin: int) -> None:
    """Make operator 0 use `builtin` (no options) as the model's only operator code."""
    code = schema.OperatorCodeT()
    code.builtinCode = builtin
    code.deprecatedBuiltinCode = min(builtin, 127)
    code.version = 1
    model.operatorCodes = [code]
    op = model.subgraphs[0].operators[0]
    op.opcodeIndex = 0
    op.builtinOptionsType = 0
    op.builtinOptions = None


def requantize_model(base: bytes) -> bytes:
    """A one-op int8 -> int8 QUANTIZE (requantize), built from a one-op model of the same shape."""
    model = unpack(base)
    sg = model.subgraphs[0]
    assert len(sg.operators) == 1
    set_single_op(model, schema.BuiltinOperator.QUANTIZE)
    op = sg.operators[0]
    src, dst = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    op.inputs = np.array([op.inputs[0]], dtype=np.int32)
    dst.shape = np.array(src.shape, dtype=np.int32)
    dst.quantization.scale = np.array([src.quantization.scale[0] * 1.37], dtype=np.float32)
    dst.quantization.zeroPoint = np.array([5], dtype=np.int64)
    return pack(model)
