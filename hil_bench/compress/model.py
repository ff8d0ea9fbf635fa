"""Pick, per weight tensor, the smallest of raw, TFLM LUT and hb, and build the compressed model."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Optional

from hil_bench.errors import UsageError
from hil_bench.tflite import edit_model

from hil_bench.compress.formats import METHODS
from hil_bench.compress.hbcodec import HbCompression, encode_tensor
from hil_bench.compress.lut import compress_with, lut_method, lut_size, weight_refs

# What a DECODE costs in the flatbuffer besides the tensor's own bytes: the operator, the ancillary
# and output tensor tables and names (~256 B), plus the output tensor's copy of the per-channel
# quantization (float32 scale + int64 zero point per channel).
DECODE_OVERHEAD_BYTES = 256
DECODE_OVERHEAD_PER_CHANNEL = 12


def decode_overhead(shape, channel_axis) -> int:
    channels = 1 if channel_axis is None else int(shape[channel_axis])
    return DECODE_OVERHEAD_BYTES + DECODE_OVERHEAD_PER_CHANNEL * channels


@dataclass(frozen=True)
class TensorChoice:
    name: str
    subgraph: int
    tensor: int
    method: str                  # "raw", "lut" or "hb"
    raw_bytes: int
    lut_bytes: Optional[int]     # encoded indices + DCM + value tables; None: not eligible
    hb_bytes: Optional[int]      # rANS stream + DCM + hb ancillary data; None: not int8
    chosen_bytes: int


@dataclass(frozen=True)
class CompressedModel:
    model: bytes
    method: str
    choices: tuple[TensorChoice, ...]

    @property
    def weight_bytes(self) -> int:
        return sum(c.chosen_bytes for c in self.choices)

    def to_json(self) -> dict:
        return {"method": self.method, "model_bytes": len(self.model), "weight_bytes": self.weight_bytes,
                "tensors": [asdict(c) for c in self.choices]}


def compress_model(tflite_bytes: bytes, method: str = "auto") -> CompressedModel:
    """Compress the weight tensors of a .tflite: ``auto`` picks per tensor, the others force one."""
    if method not in METHODS:
        raise UsageError(f"unknown compression method {method!r}; use one of {', '.join(METHODS)}")
    tflite_bytes = bytes(tflite_bytes)
    editor = edit_model(tflite_bytes)  # checked by read_model first: a corrupt model is a ModelFileError
    choices, methods = [], {}
    for ref in weight_refs(tflite_bytes):
        values = editor.subgraphs[ref.subgraph].tensors[ref.tensor].array
        raw = int(values.nbytes)
        lut = lut_size(values, ref.channel_axis) if ref.is_int8 and method in ("auto", "lut") else None
        hb = encode_tensor(values, ref.channel_axis).size if ref.is_int8 and method in ("auto", "hb") else None
        options = {"raw": raw - decode_overhead(values.shape, ref.channel_axis) if method == "auto" else None, "lut": lut, "hb": hb}
        if method == "none":
            pick = "raw"
        elif method == "auto":
            pick = min((k for k, v in options.items() if v is not None), key=lambda k: options[k])
        else:
            pick = method if options[method] is not None else "raw"
        if pick == "lut":
            methods[(ref.subgraph, ref.tensor)] = lut_method(values, ref.channel_axis)
        elif pick == "hb":
            methods[(ref.subgraph, ref.tensor)] = HbCompression(axis=ref.channel_axis)
        chosen = {"raw": raw, "lut": lut, "hb": hb}[pick]
        choices.append(TensorChoice(ref.name, ref.subgraph, ref.tensor, pick, raw, lut, hb, chosen))
    return CompressedModel(compress_with(tflite_bytes, methods), method, tuple(choices))
