"""Pick, per weight tensor, how it is stored (int8, palette, N:M, N:M + palette, TFLM LUT, hb), and
build the compressed model.

With ``decode="in-place"`` (the default, :data:`hil_bench.compress.defaults.DECODE`) ``auto``
only considers the forms the kernels execute straight from flash (palette = TFLM LUT, N:M, N:M +
palette): the arena then stays the dense model's plus one channel's scratch. It takes the smallest
of those and int8 under a static cost model of the in-place kernels (:func:`in_place_pays`): they
decode each output channel once per invoke and then run a dense dot product (palette) or one
multiply-accumulate per non-zero (N:M), so they are no slower than dense only when a channel's weights
are reused over many output positions. With ``init`` / ``per-layer`` it picks the smallest of raw,
LUT and hb, as before (the decoded copy then costs RAM).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Optional

import numpy as np

from hil_bench.errors import UsageError
from hil_bench.tflite import edit_model, read_model, int_list

from hil_bench.compress.defaults import DECODE as DEFAULT_DECODE
from hil_bench.compress.formats import DECODE_MODES, METHODS
from hil_bench.compress.hbcodec import HbCompression, encode_tensor
from hil_bench.compress.lut import compress_with, lut_method, lut_size, weight_refs
from hil_bench.compress.nm import NmCompression, encode_nm, nm_pattern

# What a DECODE costs in the flatbuffer besides the tensor's own bytes: the operator, the ancillary
# and output tensor tables and names (~256 B), plus the output tensor's copy of the per-channel
# quantization (float32 scale + int64 zero point per channel).
DECODE_OVERHEAD_BYTES = 256
DECODE_OVERHEAD_PER_CHANNEL = 12
# Static cost model of the in-place kernels (hb_*_wsrc_s8), per kernel path. On the plain C path a
# channel's weights are decoded once per invoke, about as much as MIN_REUSE dense multiply-accumulates
# per weight, after which the MACs run at dense speed (palette) or one per non-zero (N:M): measured on
# ResNet-8 (corstone300, --kernels ref) palette-16 0.78x and 1:8 0.39x of dense. On the DSP and
# Helium paths the dense kernels block several channels and pixels per step and the in-place kernels
# do not (measured 8x slower on ResNet-8, corstone300), so there ``auto`` keeps int8.
MIN_REUSE = 16
IN_PLACE_PATHS = ("c",)
PALETTE_MAX_BITS = 7      # palette:B formats the in-place kernels read (TFLM LUT allows B = 1..7)


def decode_overhead(shape, channel_axis) -> int:
    channels = 1 if channel_axis is None else int(shape[channel_axis])
    return DECODE_OVERHEAD_BYTES + DECODE_OVERHEAD_PER_CHANNEL * channels


@dataclass(frozen=True)
class TensorChoice:
    name: str
    subgraph: int
    tensor: int
    method: str                  # "raw", "lut", "hb" or "nm"
    raw_bytes: int
    lut_bytes: Optional[int]     # encoded indices + DCM + value tables; None: not eligible
    hb_bytes: Optional[int]      # rANS stream + DCM + hb ancillary data; None: not int8
    chosen_bytes: int
    format: str = "int8"         # "int8", "palette:B", "nm:N:M", "nm:N:M+palette:B", "lut", "hb"
    nm_bytes: Optional[int] = None


@dataclass(frozen=True)
class CompressedModel:
    model: bytes
    method: str
    choices: tuple[TensorChoice, ...]
    decode: str = DEFAULT_DECODE

    @property
    def weight_bytes(self) -> int:
        return sum(c.chosen_bytes for c in self.choices)

    @property
    def weight_formats(self) -> list[dict]:
        """Per weight tensor: its name, the format it runs in and its stored bytes (the ``weight_formats`` key)."""
        return [{"tensor": c.name, "format": c.format, "stored_bytes": c.chosen_bytes} for c in self.choices]

    def to_json(self) -> dict:
        return {"method": self.method, "decode": self.decode, "model_bytes": len(self.model),
                "weight_bytes": self.weight_bytes, "weight_formats": self.weight_formats,
                "tensors": [asdict(c) for c in self.choices]}


def formats_summary(weight_formats: list[dict]) -> str:
    """One line for people: "9 nm:1:8, 1 int8" (most frequent first)."""
    from collections import Counter

    counts = Counter(f["format"] for f in weight_formats)
    return ", ".join(f"{n} {fmt}" for fmt, n in counts.most_common())


def _reuse(tflite_bytes: bytes) -> dict[tuple[int, int], int]:
    """Output positions each weight tensor's channels are used for (least over its consumers)."""
    from hil_bench.tflite import WEIGHTED_OPS

    model = read_model(tflite_bytes)
    reuse: dict[tuple[int, int], int] = {}
    for s, sg in enumerate(model.subgraphs):
        for op in sg.operators or []:
            code = model.operatorCodes[op.opcodeIndex]
            builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
            if builtin not in WEIGHTED_OPS:
                continue
            shape = int_list(sg.tensors[int(op.outputs[0])].shape)
            positions = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
            key = (s, int(op.inputs[WEIGHTED_OPS[builtin][1]]))
            reuse[key] = min(reuse.get(key, positions), positions)
    return reuse


def in_place_pays(reuse: int, path: str = "c") -> bool:
    """The static cost model: in place is no slower than dense on kernel path ``path`` ("c", "dsp",
    "helium") when a channel serves >= MIN_REUSE outputs."""
    return path in IN_PLACE_PATHS and reuse >= MIN_REUSE


def _palette_ok(ref, values, bits: int) -> bool:
    """LUT layouts the in-place kernels read: per channel along the op's channel axis, or one table."""
    if ref.channel_axis is None:
        return True
    want = values.ndim - 1 if ref.op == "DEPTHWISE_CONV_2D" else 0
    return ref.channel_axis == want and bits <= PALETTE_MAX_BITS


def compress_model(tflite_bytes: bytes, method: str = "auto", decode: str = DEFAULT_DECODE,
                   path: str = "c") -> CompressedModel:
    """Compress the weight tensors of a .tflite: ``auto`` picks per tensor, the others force one
    (``nm``: N:M, with a palette when that is smaller, where the tensor holds a pattern). ``path``: the
    kernel path that will run it ("c", "dsp", "helium"; :func:`board_kernel_path`), for the cost model."""
    if method not in METHODS:
        raise UsageError(f"unknown compression method {method!r}; use one of {', '.join(METHODS)}")
    if decode not in DECODE_MODES:
        raise UsageError(f"unknown decode mode {decode!r}; use one of {', '.join(DECODE_MODES)}")
    if method == "nm" and decode != "in-place":
        raise UsageError("the N:M format is executed in place only (the runtime has no N:M decoder into RAM); "
                         "use --decode in-place, or --compress lut / hb to decode at init")
    tflite_bytes = bytes(tflite_bytes)
    if method == "none":   # stored as is: no editing, every weight tensor int8 (or its own type)
        model = read_model(tflite_bytes)
        choices = tuple(TensorChoice(ref.name, ref.subgraph, ref.tensor, "raw", n, None, None, n,
                                     "int8" if ref.is_int8 else "raw")
                        for ref in weight_refs(tflite_bytes)
                        for n in [len(model.buffers[model.subgraphs[ref.subgraph].tensors[ref.tensor].buffer].data)])
        return CompressedModel(tflite_bytes, method, choices, decode)
    editor = edit_model(tflite_bytes)  # checked by read_model first: a corrupt model is a ModelFileError
    reuse = _reuse(tflite_bytes) if method == "auto" and decode == "in-place" else {}
    choices, methods = [], {}
    for ref in weight_refs(tflite_bytes):
        values = editor.subgraphs[ref.subgraph].tensors[ref.tensor].array
        raw = int(values.nbytes)
        choice, spec_entry = _choose(ref, values, raw, method, decode, reuse.get((ref.subgraph, ref.tensor), 0),
                                     path)
        if spec_entry is not None:
            methods[(ref.subgraph, ref.tensor)] = spec_entry
        choices.append(choice)
    return CompressedModel(compress_with(tflite_bytes, methods), method, tuple(choices), decode)


def _choose(ref, values, raw: int, method: str, decode: str, reuse: int, path: str):
    """(TensorChoice, compression spec or None) for one weight tensor."""
    in_place = method == "auto" and decode == "in-place"
    lut_spec = lut_method(values, ref.channel_axis) if ref.is_int8 and method in ("auto", "lut") else None
    lut = lut_size(values, ref.channel_axis) if lut_spec is not None else None
    hb = encode_tensor(values, ref.channel_axis).size if ref.is_int8 and method in ("auto", "hb") and not in_place else None
    nm_enc = None
    if ref.is_int8 and (in_place or method == "nm") and ref.op != "DEPTHWISE_CONV_2D" and ref.channel_axis in (0, None):
        pattern = nm_pattern(values)
        if pattern is not None:
            nm_enc = encode_nm(values, *pattern, ref.channel_axis)
    overhead = decode_overhead(values.shape, ref.channel_axis)
    options: dict[str, int] = {}
    if method == "none":
        options = {"raw": raw}
    elif in_place:
        options["raw"] = raw - overhead
        if in_place_pays(reuse, path):
            if lut is not None and _palette_ok(ref, values, lut_spec.index_bitwidth):
                options["lut"] = lut
            if nm_enc is not None:
                options["nm"] = nm_enc.size
    elif method == "auto":
        options = {"raw": raw - overhead, **({"lut": lut} if lut is not None else {}), **({"hb": hb} if hb is not None else {})}
    else:
        forced = {"lut": lut, "hb": hb, "nm": nm_enc.size if nm_enc else None}[method]
        options = {method: forced} if forced is not None else {"raw": raw}
    pick = min(options, key=options.get)
    spec_entry, fmt, chosen = None, "int8", raw
    if pick == "lut":
        spec_entry, chosen = lut_spec, lut
        fmt = f"palette:{lut_spec.index_bitwidth}" if decode == "in-place" and _palette_ok(
            ref, values, lut_spec.index_bitwidth) else "lut"
    elif pick == "hb":
        spec_entry, chosen, fmt = HbCompression(axis=ref.channel_axis), hb, "hb"
    elif pick == "nm":
        spec_entry = NmCompression(n=nm_enc.n, m=nm_enc.m, axis=ref.channel_axis, palette=nm_enc.bits > 0)
        chosen, fmt = nm_enc.size, nm_enc.format
    return (TensorChoice(ref.name, ref.subgraph, ref.tensor, {"lut": "lut", "hb": "hb", "nm": "nm"}.get(pick, "raw"),
                         raw, lut, hb, chosen, fmt, nm_enc.size if nm_enc else None), spec_entry)
