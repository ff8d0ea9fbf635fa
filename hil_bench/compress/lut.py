"""Model compression through ``tflite_micro``'s own compression tool: TFLM LUT, and hb as a plug-in.

``compress_lut`` is TFLM's tool as it ships (``compression.compress`` with a spec built here: per-channel
tables where the tensor is per-channel quantized, the smallest bit width that fits).
``compress_with`` runs the same pipeline (TFLM's compressor plug-ins, ``decode_insert``, flatbuffer
alignment) with hb's plug-in beside TFLM's LUT one, so one model can mix both.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from dataclasses import dataclass
from typing import Optional

import numpy as np

from hil_bench.errors import UnsupportedModelError
from hil_bench.tflite import (edit_model, foreign_reader, int_list, quantization_of, read_model, tensor_name,
                              weighted_operands, with_builtin_codes)

from tflite_micro.tensorflow.lite.micro import compression as tflm_compression
from tflite_micro.tensorflow.lite.micro.compression import (
    compressor, decode_insert, lut as tflm_lut, model_editor, spec,
)
from hil_bench.compress.hbcodec import HbCompression, HbCompressor

MAX_LUT_BITWIDTH = 7


@dataclass(frozen=True)
class WeightRef:
    """A constant weight tensor of a weighted op: where it is and how it is quantized."""

    subgraph: int
    tensor: int
    name: str
    op: str
    shape: tuple[int, ...]
    is_int8: bool
    channel_axis: Optional[int]   # None: per-tensor quantization


def weight_refs(model_bytes: bytes) -> list[WeightRef]:
    """The weight tensor of every CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED (graph order)."""
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    model = read_model(model_bytes)
    refs = []
    for s, sg, t, op_name, _ in weighted_operands(model):
        tensor = sg.tensors[t]
        buf = model.buffers[tensor.buffer]
        if buf.data is None or len(buf.data) == 0:
            continue
        scales, _ = quantization_of(tensor)
        refs.append(WeightRef(s, t, tensor_name(tensor), op_name, tuple(int_list(tensor.shape)),
                              tensor.type == schema.TensorType.INT8,
                              int(tensor.quantization.quantizedDimension) if len(scales) > 1 else None))
    return refs


def lut_method(values: np.ndarray, channel_axis: Optional[int]) -> Optional[spec.LookUpTableCompression]:
    """TFLM LUT spec for a tensor (smallest bit width), or None if it has too many values per table."""
    if channel_axis is None:
        unique = len(np.unique(values))
        mode = spec.PerTensor()
    else:
        rows = np.moveaxis(values, channel_axis, 0).reshape(values.shape[channel_axis], -1)
        unique = max(len(np.unique(r)) for r in rows)
        mode = spec.PerChannel(axis=channel_axis)
    bits = max(1, (unique - 1).bit_length())
    return spec.LookUpTableCompression(index_bitwidth=bits, mode=mode) if bits <= MAX_LUT_BITWIDTH else None


def compress_lut(model_bytes: bytes) -> bytes:
    """Compress every eligible weight tensor with TFLM's own tool (LUT, decode type 0)."""
    model = edit_model(model_bytes)
    specs = []
    for ref in weight_refs(model_bytes):
        method = lut_method(model.subgraphs[ref.subgraph].tensors[ref.tensor].array, ref.channel_axis)
        if method is not None:
            specs.append(spec.Tensor(ref.subgraph, ref.tensor, [method]))
    if not specs:
        raise UnsupportedModelError("no weight tensor has few enough values per channel for TFLM LUT "
                                    f"(at most {1 << MAX_LUT_BITWIDTH}); cluster the model first")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bytes(tflm_compression.compress(with_builtin_codes(model_bytes), specs))


def _plugins():
    from hil_bench.compress.nm import NmCompression, NmCompressor

    return {spec.LookUpTableCompression: tflm_lut.LutCompressor(), HbCompression: HbCompressor(),
            NmCompression: NmCompressor()}


def compress_with(model_bytes: bytes, methods: dict[tuple[int, int], spec.CompressionMethod]) -> bytes:
    """TFLM's compression pipeline with hb's plug-in registered: ``{(subgraph, tensor): method}``."""
    if not methods:
        return bytes(model_bytes)
    plugins = _plugins()
    model = edit_model(with_builtin_codes(model_bytes))
    results = {}
    for (s, t), method in methods.items():
        tensor = model.subgraphs[s].tensors[t]
        results[(s, t)] = plugins[type(method)].compress(tensor, method)
    with warnings.catch_warnings(), foreign_reader("model buffer", "tflite_micro's compression tool"):
        warnings.simplefilter("ignore")
        decode_insert.insert_decode_operators(model, results)
        return _aligned(model.build())


def _aligned(model_bytes: bytearray) -> bytes:
    """Re-pack with the schema's alignment (as TFLM's tool does; the Python builder ignores it)."""
    from tflite_micro.tensorflow.lite.micro.tools import tflite_flatbuffer_align_wrapper as align

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.tflite"), os.path.join(tmp, "out.tflite")
        with open(src, "wb") as fh:
            fh.write(model_bytes)
        align.align_tflite_model(src, dst)
        with open(dst, "rb") as fh:
            return fh.read()


def lut_size(values: np.ndarray, channel_axis: Optional[int]) -> Optional[int]:
    """Bytes TFLM's LUT plug-in makes of one tensor (indices + DCM + tables), None if not eligible."""
    method = lut_method(values, channel_axis)
    if method is None:
        return None
    tensor = model_editor.Tensor(shape=values.shape, dtype=_TFLITE_INT8, data=values.tobytes())
    result = tflm_lut.LutCompressor().compress(tensor, method)
    return len(result.encoded_data) + len(result.ancillary_data)


def _tflite_int8():
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema
    return schema.TensorType.INT8


_TFLITE_INT8 = _tflite_int8()

__all__ = ["WeightRef", "weight_refs", "lut_method", "compress_lut", "compress_with", "lut_size",
           "compressor"]
