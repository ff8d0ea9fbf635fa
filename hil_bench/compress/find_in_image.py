"""Survival in the binary, the decoding half: find the .tflite inside raw flash bytes and decode every
weight tensor, compressed or not (:func:`weights_of`).

Bytes in (e.g. an ELF's flash sections, concatenated); no ELF parsing here. Compressed tensors are
decoded with the independent decoder (:mod:`hil_bench.compress.decode`). The audit of what was found
(checksums, reference, sparsity and clusters) is :func:`hil_bench.audit.audit_image`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from hil_bench.errors import CorruptTensorError, DecodeError, ModelFileError
from hil_bench.tensor_types import DTYPES
from hil_bench.tflite import (TFLITE_IDENTIFIER, int_list, opcode_name, quantization_of, read_model, tensor_name,
                              weighted_operands)

from hil_bench.compress.decode import decode_tensor
from hil_bench.compress.formats import DECODE_TYPES

DECODE_OP = "CUSTOM:TFLM_DECODE"


@dataclass(frozen=True)
class Weight:
    """One weight tensor as a model stores it, decoded."""

    subgraph: int
    tensor: int
    name: str
    op: str
    method: str                   # "raw", "lut", "hb" (or "unknown" for a decode type hil-bench lacks)
    stored: bytes                 # the raw buffer, or the encoded buffer followed by the ancillary data
    values: Optional[np.ndarray]  # None when it could not be decoded
    channel_axis: int
    scales: tuple = ()
    zero_points: tuple = ()
    problem: str = ""


def find_models(flash: bytes) -> list[int]:
    """Offsets in ``flash`` where a parseable .tflite starts (identifier "TFL3" at offset 4)."""
    offsets, pos = [], flash.find(TFLITE_IDENTIFIER, 4)
    while pos != -1:
        try:
            model = read_model(flash[pos - 4:])
            if model.subgraphs:
                offsets.append(pos - 4)
        except ModelFileError:
            pass
        pos = flash.find(TFLITE_IDENTIFIER, pos + 1)
    return offsets


def weights_of(model_bytes: bytes) -> list[Weight]:
    """Every CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED weight tensor of a model, compressed or not,
    with its stored bytes and decoded values (a problem instead when it does not decode)."""
    model = read_model(model_bytes)
    producers_by_sg = []  # per subgraph: DECODE output tensor -> (encoded, ancillary) input tensors
    for sg in model.subgraphs:
        producers = {}
        producers_by_sg.append(producers)
        for op in sg.operators or []:
            if opcode_name(model, op) == DECODE_OP:
                ins, outs = int_list(op.inputs), int_list(op.outputs)
                if len(ins) != 2 * len(outs):
                    raise ModelFileError(f"a DECODE operator has {len(ins)} inputs for {len(outs)} outputs; "
                                         "expected an (encoded, ancillary) pair per output")
                for k, out in enumerate(outs):
                    producers[int(out)] = (int(ins[2 * k]), int(ins[2 * k + 1]))
    return [_weight(model, s, sg, t, producers_by_sg[s].get(t), op_name, axis)
            for s, sg, t, op_name, axis in weighted_operands(model)]


def _buffer(model, tensor) -> bytes:
    buf = model.buffers[tensor.buffer]
    return bytes(buf.data) if buf.data is not None else b""


def _weight(model, s: int, sg, t: int, pair, op_name: str, default_axis: int) -> Weight:
    tensor = sg.tensors[t]
    name = tensor_name(tensor).removesuffix("_decoded")
    shape = tuple(int_list(tensor.shape))
    scales, zps = quantization_of(tensor)
    axis = int(tensor.quantization.quantizedDimension) if len(scales) > 1 else default_axis
    if pair is None:
        method, stored = "raw", _buffer(model, tensor)
        dtype = DTYPES.get(tensor.type, np.dtype(np.int8))
        values, problem = None, f"buffer holds {len(stored)} bytes, shape {list(shape)} of {dtype.name}"
        if len(stored) == int(np.prod(shape)) * dtype.itemsize:
            values, problem = np.frombuffer(stored, dtype=dtype).reshape(shape), ""
    else:
        encoded, ancillary = _buffer(model, sg.tensors[pair[0]]), _buffer(model, sg.tensors[pair[1]])
        method, stored = DECODE_TYPES.get(ancillary[0] if ancillary else -1, "unknown"), encoded + ancillary
        try:
            values, problem = decode_tensor(encoded, ancillary, shape, np.int8), ""
        except DecodeError as exc:
            values, problem = None, f"decode failed: {exc}"
    if values is not None and not 0 <= axis < len(shape):
        values, problem = None, f"channel axis {axis} outside shape {list(shape)}"
    return Weight(s, t, name, op_name, method, stored, values, axis, scales, zps, problem)
