"""Size report of a .tflite's weights: raw, compressed (per tensor), gzip -9, TFLM LUT, entropy bound."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from hil_bench.compress.lut import weight_refs
from hil_bench.tflite import edit_model, model_bytes, read_model
from hil_bench.compress.model import compress_model


def entropy_bound_bytes(values: np.ndarray, channel_axis) -> float:
    """Zero-order entropy of the int8 values, per channel, in bytes (tables not counted)."""
    rows = values.reshape(1, -1) if channel_axis is None else \
        np.moveaxis(values, channel_axis, 0).reshape(values.shape[channel_axis], -1)
    bits = 0.0
    for row in rows:
        counts = np.unique(row, return_counts=True)[1].astype(np.float64)
        bits -= float((counts * np.log2(counts / counts.sum())).sum())
    return bits / 8


def size_report(tflite: bytes | str | Path, method: str = "auto", decode: str = "in-place",
                path: str = "c") -> dict:
    """Bytes of the model and its weights, raw and compressed with ``method`` for ``decode`` on kernel
    path ``path`` (:func:`hil_bench.compress.model.compress_model`), with comparisons."""
    data, _ = model_bytes(tflite)
    read_model(tflite)  # a corrupt file is refused here, naming it
    compressed = compress_model(data, method, decode, path)
    lut = compress_model(data, "lut")
    editor = edit_model(data)
    tensors = []
    bound_total = 0.0
    for choice, ref in zip(compressed.choices, weight_refs(data)):
        values = editor.subgraphs[choice.subgraph].tensors[choice.tensor].array
        axis = ref.channel_axis
        bound = entropy_bound_bytes(values, axis)
        bound_total += bound
        row = {"name": choice.name, "method": choice.method, "format": choice.format, "raw_bytes": choice.raw_bytes,
               "compressed_bytes": choice.chosen_bytes, "lut_bytes": choice.lut_bytes,
               "hb_bytes": choice.hb_bytes, "entropy_bound_bytes": round(bound)}
        tensors.append(row)
    return {
        "method": method,
        "weight_bytes_raw": sum(c.raw_bytes for c in compressed.choices),
        "weight_bytes_compressed": compressed.weight_bytes,
        "model_bytes_raw": len(data),
        "model_bytes": len(compressed.model),     # as stored (the name run, size and rows share)
        "gzip9_bytes": len(gzip.compress(data, 9)),
        "lut_bytes": lut.weight_bytes,          # weights under TFLM LUT (raw where LUT cannot apply)
        "lut_model_bytes": len(lut.model),
        "entropy_bound_bytes": round(bound_total),
        "tensors": tensors,
    }

