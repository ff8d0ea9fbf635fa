"""hil-bench's weight codec ("hb", DECODE custom type 200): zeros and clusters, entropy coded.

Each int8 value becomes a symbol: in *table* mode the symbol is 0 for a zero and ``1 + rank`` of the
value in its channel's sorted table of non-zero values (clustered tensors: <= 16 table entries); in
*direct* mode the symbol is the value's byte (``value & 0xFF``). Channels are sorted into up to 16
*groups* whose channels have similar symbol statistics (weak channels are sparser and sit on the
inner clusters), each group has one static frequency table, and the whole tensor is one static rANS
stream. The encoder picks mode and group count by measuring the coded size. Every tensor carries a
CRC-32 of its stored bytes and of its decoded values, so a flipped bit in flash is caught.

The byte format is specified in ``docs/codec.md``; :mod:`hil_bench.compress.decode` is the
independent decoder written from that document alone. This module holds the encoder, written as a
plug-in (:class:`HbCompressor`) to ``tflite_micro``'s compressor interface.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass
from typing import Optional

import numpy as np

from tflite_micro.tensorflow.lite.micro.compression import compressor, decode, model_editor, spec

from hil_bench.compress.formats import DECODE_TYPE_HB

HB_DECODE_TYPE = DECODE_TYPE_HB
HB_FORMAT_VERSION = 1
PROB_BITS = 12                # frequencies of each group sum to 1 << PROB_BITS
RANS_L = 1 << 23              # rANS state lower bound; state is 32 bits, renormalised a byte at a time
PER_TENSOR_AXIS = 0xF
MODE_TABLE, MODE_DIRECT = 0, 1
MAX_GROUPS = 16
IDENTITY_IDS = 0xFF


@dataclass(frozen=True)
class HbEncoded:
    """The two buffers DECODE reads: the rANS stream (``encoded``) and the ancillary tensor."""

    encoded: bytes
    ancillary: bytes
    mode: int
    groups: int

    @property
    def size(self) -> int:
        return len(self.encoded) + len(self.ancillary)


# --------------------------------------------------------------------------------------------- model
def _channels(values: np.ndarray, axis: Optional[int]) -> np.ndarray:
    """[C, n] view in the codec's element order (channel-major; row-major inside a channel)."""
    if axis is None:
        return values.reshape(1, -1)
    if axis not in (0, values.ndim - 1):
        raise compressor.CompressionError(f"hb: channel axis {axis} unsupported (0 or last axis only)")
    return np.moveaxis(values, axis, 0).reshape(values.shape[axis], -1)


def _table_symbols(ch: np.ndarray) -> tuple[np.ndarray, list[tuple[int, ...]], np.ndarray]:
    """Symbols of table mode, the distinct tables, and each channel's table id."""
    symbols = np.empty(ch.shape, dtype=np.int64)
    tables: dict[tuple[int, ...], int] = {}
    ids = np.empty(ch.shape[0], dtype=np.int64)
    for c, row in enumerate(ch):
        nz = np.unique(row[row != 0])
        symbols[c] = np.where(row == 0, 0, np.searchsorted(nz, row) + 1)
        ids[c] = tables.setdefault(tuple(int(v) for v in nz), len(tables))
    return symbols, list(tables), ids


def _entropy_bits(counts: np.ndarray) -> float:
    total = counts.sum()
    p = counts[counts > 0] / total
    return float(-(counts[counts > 0] * np.log2(p)).sum())


def _group_channels(hist: np.ndarray, groups: int, iterations: int = 12) -> np.ndarray:
    """Assign channels to ``groups`` static models (Lloyd iterations with the code length as cost)."""
    c = hist.shape[0]
    totals = np.maximum(hist.sum(1), 1)
    key = hist[:, 0] / totals + (hist * np.arange(hist.shape[1])).sum(1) / totals / hist.shape[1]
    assign = np.empty(c, dtype=np.int64)
    assign[np.argsort(key, kind="stable")] = np.arange(c) * groups // c
    for _ in range(iterations):
        q = np.stack([hist[assign == g].sum(0) for g in range(groups)]).astype(np.float64) + 0.5
        q /= q.sum(1, keepdims=True)
        new = np.argmin(-(hist @ np.log2(q).T), axis=1)
        if np.array_equal(new, assign):
            break
        assign = new
    used = np.unique(assign)  # renumber so that no group is empty
    return np.searchsorted(used, assign)


def _quantize_freqs(counts: np.ndarray) -> np.ndarray:
    """Frequencies summing to 1 << PROB_BITS, every used symbol >= 1, close to the counts."""
    total_f = 1 << PROB_BITS
    used = counts > 0
    if used.sum() > total_f:
        raise compressor.CompressionError("hb: more symbols than frequency slots")
    f = np.where(used, np.maximum(1, np.round(counts * total_f / counts.sum())), 0).astype(np.int64)
    while f.sum() != total_f:
        with np.errstate(divide="ignore", invalid="ignore"):
            cost = np.where(f > 1, counts * np.log2(f / np.maximum(f - 1, 1)), np.inf)
            gain = np.where(used, counts * np.log2((f + 1) / np.maximum(f, 1)), -np.inf)
        if f.sum() > total_f:  # take a slot where it costs least
            f[int(np.argmin(cost))] -= 1
        else:                  # give a slot where it gains most
            f[int(np.argmax(gain))] += 1
    return f


def _pack_bits(values, width: int) -> bytes:
    """Values of ``width`` bits, most significant bit first, padded with zero bits to a byte."""
    if width == 0:
        return b""
    acc = 0
    for v in values:
        acc = (acc << width) | int(v)
    nbits = len(values) * width
    pad = -nbits % 8
    return (acc << pad).to_bytes((nbits + pad) // 8, "big")


def _rans_encode(symbols: np.ndarray, group_of_symbol: np.ndarray, freqs: np.ndarray) -> bytes:
    cums = np.concatenate([np.zeros((freqs.shape[0], 1), np.int64), np.cumsum(freqs, 1)[:, :-1]], 1)
    f_list, c_list = freqs.tolist(), cums.tolist()
    x = RANS_L
    out = bytearray()
    bound = (RANS_L >> PROB_BITS) << 8
    for s, g in zip(symbols[::-1].tolist(), group_of_symbol[::-1].tolist()):
        f = f_list[g][s]
        x_max = bound * f
        while x >= x_max:
            out.append(x & 0xFF)
            x >>= 8
        x = ((x // f) << PROB_BITS) + (x % f) + c_list[g][s]
    out.reverse()
    return struct.pack("<I", x) + bytes(out)


# -------------------------------------------------------------------------------------------- encode
def _plan(symbols: np.ndarray, alphabet: int, max_groups: int) -> tuple[float, np.ndarray]:
    """Best group assignment by estimated size (coded bits / 8 + frequency tables + group ids)."""
    hist = np.stack([np.bincount(row, minlength=alphabet) for row in symbols])
    best = None
    g = 1
    while g <= min(max_groups, hist.shape[0]):
        assign = _group_channels(hist, g) if g > 1 else np.zeros(hist.shape[0], np.int64)
        n_groups = int(assign.max()) + 1
        bits = sum(_entropy_bits(hist[assign == k].sum(0)) for k in range(n_groups))
        size = bits / 8 + n_groups * alphabet * 2 + math.ceil(hist.shape[0] * _bitlen(n_groups - 1) / 8)
        if best is None or size < best[0]:
            best = (size, assign)
        g *= 2
    return best


def _bitlen(v: int) -> int:
    return int(v).bit_length()


def encode_tensor(values: np.ndarray, channel_axis: Optional[int] = None, *, mode: Optional[int] = None,
                  max_groups: int = MAX_GROUPS) -> HbEncoded:
    """Encode int8 ``values`` (any shape) with one table per slice along ``channel_axis`` (None: one)."""
    values = np.asarray(values)
    if values.dtype != np.int8:
        raise compressor.CompressionError(f"hb encodes int8 tensors only, got {values.dtype}")
    if values.size == 0:
        raise compressor.CompressionError("hb: empty tensor")
    axis_field = PER_TENSOR_AXIS if channel_axis is None else channel_axis
    if axis_field > 14 and channel_axis is not None:
        raise compressor.CompressionError(f"hb: channel axis {channel_axis} does not fit the axis field")
    ch = _channels(values, channel_axis).astype(np.int64)
    candidates = []
    if mode in (None, MODE_TABLE):
        symbols, tables, ids = _table_symbols(ch)
        alphabet = int(symbols.max()) + 1
        est, assign = _plan(symbols, alphabet, max_groups)
        est += sum(1 + len(t) for t in tables)
        candidates.append((est, MODE_TABLE, symbols, alphabet, tables, ids, assign))
    if mode in (None, MODE_DIRECT):
        symbols = ch & 0xFF
        alphabet = int(symbols.max()) + 1
        est, assign = _plan(symbols, alphabet, max_groups)
        candidates.append((est, MODE_DIRECT, symbols, alphabet, [], None, assign))
    _, mode, symbols, alphabet, tables, ids, assign = min(candidates, key=lambda c: c[0])

    n_ch, n = symbols.shape
    n_groups = int(assign.max()) + 1
    freqs = np.stack([_quantize_freqs(np.bincount(symbols[assign == g].ravel(), minlength=alphabet))
                      for g in range(n_groups)])
    stream = _rans_encode(symbols.ravel(), np.repeat(assign, n), freqs)

    body = bytearray()
    if mode == MODE_TABLE:
        identity = len(tables) == n_ch and n_ch > 1 and np.array_equal(ids, np.arange(n_ch))
        id_bits = IDENTITY_IDS if identity else _bitlen(len(tables) - 1)
    else:
        id_bits = 0
    group_bits = _bitlen(n_groups - 1)
    body += struct.pack("<IIHHBBBB", n_ch, n, alphabet, len(tables), n_groups, id_bits, group_bits, 0)
    body += freqs.astype("<u2").tobytes()
    for t in tables:
        body.append(len(t))
        body += np.asarray(t, dtype=np.int8).tobytes()
    if mode == MODE_TABLE and id_bits != IDENTITY_IDS:
        body += _pack_bits(ids.tolist(), id_bits)
    body += _pack_bits(assign.tolist(), group_bits)

    dcm_head = bytes([HB_DECODE_TYPE, 1, 0, 0, HB_FORMAT_VERSION, (axis_field << 4) | mode, PROB_BITS, 0])
    value_crc = zlib.crc32(values.tobytes())
    head12 = dcm_head + struct.pack("<I", value_crc)
    storage_crc = zlib.crc32(bytes(body) + stream, zlib.crc32(head12))
    ancillary = head12 + struct.pack("<I", storage_crc) + bytes(body)
    return HbEncoded(stream, ancillary, mode, n_groups)


# ------------------------------------------------------------------------------------------- plug-in
@dataclass
class HbCompression(spec.CompressionMethod):
    """Spec entry for the hb codec. ``axis``: the per-channel axis (None: one table for the tensor)."""

    axis: Optional[int] = None


class HbCompressor:
    """``tflite_micro`` compressor plug-in (``compressor.Compressor`` protocol) for decode type 200."""

    @property
    def decode_type(self) -> decode.DecodeType:
        return decode.DecodeType.custom(HB_DECODE_TYPE)

    def compress(self, tensor: model_editor.Tensor, method: spec.CompressionMethod) -> compressor.CompressionResult:
        if not isinstance(method, HbCompression):
            raise compressor.CompressionError(f"HbCompressor needs HbCompression, got {type(method).__name__}")
        if tensor.array is None:
            raise compressor.CompressionError(f"tensor {tensor.name!r} has no data to compress")
        enc = encode_tensor(tensor.array, method.axis)
        return compressor.CompressionResult(encoded_data=enc.encoded, ancillary_data=enc.ancillary)
