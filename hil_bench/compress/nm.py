"""hil-bench's N:M sparse weight format (DECODE custom type 202), executed in place by the kernels.

Per output channel (the first axis), the reduction is cut into groups of M weights; each group stores
N (position, value) entries: positions of log2(M) bits, values as int8 or as b-bit indices into the
channel's palette (prune-and-cluster). A CONV_2D / FULLY_CONNECTED kernel reads them straight from
flash and does one multiply-accumulate per stored non-zero. The byte format is in ``docs/codec.md``;
:func:`hil_bench.compress.decode.decode_nm` is the independent decoder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from tflite_micro.tensorflow.lite.micro.compression import compressor, decode, model_editor, spec

from hil_bench.compress.formats import DECODE_TYPE_NM
from hil_bench.compress.hbcodec import _pack_bits

NM_VERSION = 1
PATTERNS = ((1, 8), (1, 4), (2, 8), (2, 4), (3, 8), (4, 8))   # tried in this order: sparsest first
MAX_PALETTE_BITS = 4


def _rows(values: np.ndarray) -> np.ndarray:
    return values.reshape(values.shape[0], -1)


def fits_nm(values: np.ndarray, n: int, m: int) -> bool:
    """Every group of M consecutive weights of a channel's row holds at most N non-zeros."""
    rows = _rows(values)
    k = rows.shape[1]
    padded = np.zeros((rows.shape[0], -(-k // m) * m), bool)
    padded[:, :k] = rows != 0
    return bool((padded.reshape(rows.shape[0], -1, m).sum(axis=2) <= n).all())


def nm_pattern(values: np.ndarray) -> Optional[tuple[int, int]]:
    """The sparsest N:M pattern (of :data:`PATTERNS`) the weights hold exactly, or None."""
    for n, m in PATTERNS:
        if fits_nm(values, n, m):
            return n, m
    return None


@dataclass(frozen=True)
class NmEncoded:
    encoded: bytes
    ancillary: bytes
    n: int
    m: int
    bits: int          # palette index bits, 0: int8 values

    @property
    def size(self) -> int:
        return len(self.encoded) + len(self.ancillary)

    @property
    def format(self) -> str:
        return f"nm:{self.n}:{self.m}" + (f"+palette:{self.bits}" if self.bits else "")


def encode_nm(values: np.ndarray, n: int, m: int, channel_axis: Optional[int], *,
              palette: Optional[bool] = None) -> NmEncoded:
    """Encode int8 weights (channel first) that hold the N:M pattern. ``palette``: None picks the
    smaller of int8 values and per-channel palette indices (at most 2^4 values a channel)."""
    if not fits_nm(values, n, m):
        raise compressor.CompressionError(f"weights do not hold the {n}:{m} pattern")
    if channel_axis not in (0, None):
        raise compressor.CompressionError("N:M needs the output channel as the first axis")
    rows = _rows(values).astype(np.int64)
    channels, k = rows.shape
    groups = -(-k // m)
    pbits = (m - 1).bit_length()
    positions = np.zeros((channels, groups, n), np.int64)
    vals = np.zeros((channels, groups, n), np.int64)
    for c in range(channels):
        for g in range(groups):
            seg = rows[c, g * m:(g + 1) * m]
            nz = np.flatnonzero(seg)
            fill = nz[-1] if len(nz) else 0
            positions[c, g] = list(nz) + [fill] * (n - len(nz))
            vals[c, g] = list(seg[nz]) + [0] * (n - len(nz))
    tables = None
    bits = 0
    per_channel = channel_axis is not None
    sets = [np.unique(vals[c]) for c in range(channels)] if per_channel else [np.unique(vals)]
    stride = max(len(s) for s in sets)
    want_palette = palette if palette is not None else stride <= (1 << MAX_PALETTE_BITS)
    if want_palette and stride <= (1 << MAX_PALETTE_BITS):
        bits = max(1, (stride - 1).bit_length())
        tables = np.zeros((len(sets), stride), np.int64)
        for i, s in enumerate(sets):
            tables[i, :len(s)] = s
    pos_rows, val_rows = [], []
    for c in range(channels):
        pos_rows.append(_pack_bits(positions[c].ravel(), pbits))
        if bits:
            table = list(tables[c if per_channel else 0])
            val_rows.append(_pack_bits([table.index(v) for v in vals[c].ravel()], bits))
        else:
            val_rows.append((vals[c].ravel().astype(np.int8)).tobytes())
    encoded = b"".join(p + v for p, v in zip(pos_rows, val_rows))
    axis = 0 if per_channel else 0xF
    dcm = bytes([DECODE_TYPE_NM, 1, 0, 0, NM_VERSION, (axis << 4) | bits, stride if bits else 0, n, m]) + bytes(7)
    anc = dcm + (tables.astype(np.int8).tobytes() if bits else b"")
    return NmEncoded(encoded, anc, n, m, bits)


@dataclass
class NmCompression(spec.CompressionMethod):
    """Spec entry for the N:M format: the pattern, the channel axis and whether values use a palette."""

    n: int = 2
    m: int = 4
    axis: Optional[int] = 0
    palette: Optional[bool] = None


class NmCompressor:
    """``tflite_micro`` compressor plug-in (``compressor.Compressor`` protocol) for decode type 202."""

    @property
    def decode_type(self) -> decode.DecodeType:
        return decode.DecodeType.custom(DECODE_TYPE_NM)

    def compress(self, tensor: model_editor.Tensor, method: spec.CompressionMethod) -> compressor.CompressionResult:
        if not isinstance(method, NmCompression):
            raise compressor.CompressionError(f"NmCompressor needs NmCompression, got {type(method).__name__}")
        enc = encode_nm(tensor.array, method.n, method.m, method.axis, palette=method.palette)
        return compressor.CompressionResult(encoded_data=enc.encoded, ancillary_data=enc.ancillary)
