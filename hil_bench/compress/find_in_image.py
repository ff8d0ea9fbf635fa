"""Survival in the binary: find the .tflite inside raw flash bytes, decode every weight, audit it.

Bytes in (e.g. an ELF's flash sections, concatenated); no ELF parsing here. Compressed tensors are
decoded with the independent decoder (:mod:`hil_bench.compress.decode`); hb tensors carry CRC-32s, so
a flipped bit fails with the tensor's name. TFLM LUT tensors have no checksum: pass ``reference`` (the
uncompressed .tflite) to compare every decoded value, which catches flips in any tensor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from hil_bench.audit import TensorAudit, audit_tensor
from hil_bench.errors import ModelFileError
from hil_bench.tflite import (TFLITE_IDENTIFIER, opcode_name, quantization_of, read_model, tensor_name,
                              weight_tensors, weighted_operands)

from hil_bench.compress.decode import DecodeError, decode_tensor
from hil_bench.compress.formats import DECODE_TYPES

DECODE_OP = "CUSTOM:TFLM_DECODE"


class CorruptTensorError(DecodeError):
    """A weight tensor in the image does not decode, fails its checksum or differs from the reference."""


@dataclass(frozen=True)
class ImageTensor:
    name: str
    method: str                   # "raw", "lut" or "hb"
    audit: Optional[TensorAudit]  # None when the tensor could not be decoded
    problem: str = ""             # empty when decoded, checksum-clean and equal to the reference


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


def audit_image(flash: bytes, reference: bytes | None = None, *, strict: bool = True,
                offset: int | None = None) -> list[ImageTensor]:
    """Audit every weight tensor of the model embedded in ``flash``.

    With ``strict`` the first problem raises :class:`CorruptTensorError` naming the tensor; otherwise
    problems are returned in :attr:`ImageTensor.problem`.
    """
    flash = bytes(flash)
    if offset is None:
        found = find_models(flash)
        if not found:
            raise ModelFileError("no .tflite model (identifier 'TFL3' at offset 4) found in the image")
        if len(found) > 1:
            raise ModelFileError(f"{len(found)} models found in the image at offsets {found}; pass offset=")
        offset = found[0]
    data = flash[offset:]
    model = read_model(data)
    expected = {t.name: t.values for t in weight_tensors(reference)} if reference is not None else {}
    rows = []
    producers_by_sg = []  # per subgraph: DECODE output tensor -> (encoded, ancillary) input tensors
    for sg in model.subgraphs:
        producers = {}
        producers_by_sg.append(producers)
        for op in sg.operators or []:
            if opcode_name(model, op) == DECODE_OP:
                ins = list(op.inputs)
                for k, out in enumerate(op.outputs):
                    producers[int(out)] = (int(ins[2 * k]), int(ins[2 * k + 1]))
    for s, sg, t, op_name, default_axis in weighted_operands(model):
        rows.append(_one(model, sg, t, producers_by_sg[s].get(t), op_name, default_axis, expected))
    for row in rows:
        if row.problem and strict:
            raise CorruptTensorError(f"weight tensor {row.name!r} ({row.method}) in the image: {row.problem}")
    return rows


def _buffer(model, tensor) -> bytes:
    buf = model.buffers[tensor.buffer]
    return bytes(buf.data) if buf.data is not None else b""


def _one(model, sg, t: int, pair, op_name: str, default_axis: int, expected: dict) -> ImageTensor:
    tensor = sg.tensors[t]
    name = tensor_name(tensor).removesuffix("_decoded")
    shape = tuple(int(d) for d in tensor.shape)
    scales, zps = quantization_of(tensor)
    axis = int(tensor.quantization.quantizedDimension) if len(scales) > 1 else default_axis
    if pair is None:
        method = "raw"
        values = np.frombuffer(_buffer(model, tensor), dtype=np.int8)
        if values.size != int(np.prod(shape)):
            return ImageTensor(name, method, None, f"buffer holds {values.size} bytes, shape {list(shape)}")
        values = values.reshape(shape)
    else:
        encoded, ancillary = _buffer(model, sg.tensors[pair[0]]), _buffer(model, sg.tensors[pair[1]])
        method = DECODE_TYPES.get(ancillary[0] if ancillary else -1, "unknown")
        try:
            values = decode_tensor(encoded, ancillary, shape, np.int8)
        except DecodeError as exc:
            return ImageTensor(name, method, None, f"decode failed: {exc}")
    audit = audit_tensor(name, op_name, values, axis, scales, zps)
    ref = expected.get(name)
    if expected and ref is None:
        return ImageTensor(name, method, audit, "no tensor of that name in the reference model")
    if ref is not None and not np.array_equal(ref, values):
        diff = int(np.sum(ref != values)) if ref.shape == values.shape else -1
        return ImageTensor(name, method, audit, f"decoded values differ from the reference ({diff} values)")
    return ImageTensor(name, method, audit)
