"""Independent decoders for DECODE tensors, used by the audits: TFLM LUT (type 0) and hb (type 200).

Written from ``docs/codec.md`` and TFLM's LUT layout, sharing no code with the encoders, in plain
Python (numpy only to shape the result), so an encoder bug cannot hide behind a matching decoder bug.
Every inconsistency raises :class:`DecodeError` saying what is wrong.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

from hil_bench.compress.formats import DECODE_TYPE_HB, DECODE_TYPE_LUT, DECODE_TYPE_NM, DECODE_TYPES
from hil_bench.errors import DecodeError

DCM_SIZE = 16
TYPE_LUT, TYPE_HB = DECODE_TYPE_LUT, DECODE_TYPE_HB


def decode_type(ancillary: bytes) -> int:
    if len(ancillary) < DCM_SIZE:
        raise DecodeError(f"ancillary data of {len(ancillary)} bytes is shorter than the 16-byte DCM")
    return ancillary[0]


def decode_tensor(encoded: bytes, ancillary: bytes, shape: tuple[int, ...], dtype=np.int8) -> np.ndarray:
    """Decode one DECODE input pair into the output tensor's values (``shape``, ``dtype``)."""
    kind = decode_type(ancillary)
    if kind == TYPE_LUT:
        return decode_lut(encoded, ancillary, shape, dtype)
    if kind == TYPE_HB:
        if np.dtype(dtype) != np.int8:
            raise DecodeError(f"hb decodes int8 tensors only, the output is {np.dtype(dtype).name}")
        return decode_hb(encoded, ancillary, shape)
    if kind == DECODE_TYPE_NM:
        if np.dtype(dtype) != np.int8:
            raise DecodeError(f"N:M decodes int8 tensors only, the output is {np.dtype(dtype).name}")
        return decode_nm(encoded, ancillary, shape)
    known = " and ".join(f"{code} = {name}" for code, name in DECODE_TYPES.items())
    raise DecodeError(f"unknown decode type {kind} ({known} are known)")


def _channel_of(shape: tuple[int, ...], axis: int):
    size = int(np.prod(shape)) if shape else 1
    if axis == 0xF:
        return 1, lambda i: 0
    if axis >= len(shape):
        raise DecodeError(f"channel axis {axis} out of range for shape {list(shape)}")
    channels = shape[axis]
    if axis == 0:
        per = size // channels
        return channels, lambda i: i // per
    if axis == len(shape) - 1:
        return channels, lambda i: i % channels
    raise DecodeError(f"channel axis {axis} is neither the first nor the last axis")


# ------------------------------------------------------------------------------------------------ LUT
def decode_lut(encoded: bytes, ancillary: bytes, shape: tuple[int, ...], dtype=np.int8) -> np.ndarray:
    if ancillary[1] != 1 or ancillary[4] != 1:
        raise DecodeError(f"LUT: DCM version {ancillary[1]} / LUT version {ancillary[4]}, expected 1 / 1")
    axis, bits, stride = ancillary[5] >> 4, ancillary[5] & 0x07, ancillary[6]
    if not 1 <= bits <= 7:
        raise DecodeError(f"LUT: index bit width {bits} out of range 1-7")
    item = np.dtype(dtype).itemsize
    tables = np.frombuffer(bytes(ancillary[DCM_SIZE:]), dtype=np.dtype(dtype).newbyteorder("<"))
    size = int(np.prod(shape)) if shape else 1
    channels, channel_of = _channel_of(shape, axis)
    if len(ancillary) - DCM_SIZE != channels * stride * item:
        raise DecodeError(f"LUT: {len(ancillary) - DCM_SIZE} bytes of value tables, expected "
                          f"{channels} x {stride} x {item}")
    if len(encoded) != (size * bits + 7) // 8:
        raise DecodeError(f"LUT: {len(encoded)} bytes of indices, {size} x {bits} bits need {(size * bits + 7) // 8}")
    acc = int.from_bytes(encoded, "big")
    total_bits = len(encoded) * 8
    mask = (1 << bits) - 1
    out = []
    for i in range(size):
        index = (acc >> (total_bits - (i + 1) * bits)) & mask
        if index >= stride:
            raise DecodeError(f"LUT: element {i} has index {index}, the tables hold {stride}")
        out.append(tables[channel_of(i) * stride + index])
    return np.array(out, dtype=dtype).reshape(shape)


# ------------------------------------------------------------------------------------------------ N:M
def decode_nm(encoded: bytes, ancillary: bytes, shape: tuple[int, ...]) -> np.ndarray:
    """Decode type 202 (docs/codec.md): per channel row, N (position, value) entries per M weights."""
    encoded, ancillary = bytes(encoded), bytes(ancillary)
    if ancillary[1] != 1 or ancillary[4] != 1:
        raise DecodeError(f"N:M: DCM version {ancillary[1]} / N:M version {ancillary[4]}, expected 1 / 1")
    axis, bits, stride, n, m = ancillary[5] >> 4, ancillary[5] & 0x0F, ancillary[6], ancillary[7], ancillary[8]
    if m not in (2, 4, 8, 16) or not 1 <= n <= m or bits > 7 or (bits == 0) != (stride == 0) or axis not in (0, 0xF):
        raise DecodeError(f"N:M: header N={n} M={m} bits={bits} stride={stride} axis={axis} unsupported")
    channels = shape[0] if shape else 1
    k = (int(np.prod(shape)) if shape else 1) // max(channels, 1)
    n_tables = (channels if axis == 0 else 1) if bits else 0
    tables = np.frombuffer(ancillary[DCM_SIZE:], dtype=np.int8)
    if len(tables) != n_tables * stride:
        raise DecodeError(f"N:M: {len(tables)} table bytes, expected {n_tables} x {stride}")
    groups, pbits = -(-k // m), (m - 1).bit_length()
    entries = groups * n
    pos_bytes = (entries * pbits + 7) // 8
    row_bytes = pos_bytes + (entries * (bits or 8) + 7) // 8
    if len(encoded) != channels * row_bytes:
        raise DecodeError(f"N:M: {len(encoded)} bytes of rows, expected {channels} x {row_bytes}")
    out = np.zeros((channels, k), np.int8)
    for c in range(channels):
        row = encoded[c * row_bytes:(c + 1) * row_bytes]
        positions = _Reader(row, 0).bits(entries, pbits)
        if bits:
            idx = _Reader(row, pos_bytes).bits(entries, bits)
            table = tables[(c if axis == 0 else 0) * stride:][:stride]
            if any(i >= stride for i in idx):
                raise DecodeError(f"N:M: channel {c} has a palette index beyond its {stride} entries")
            values = [int(table[i]) for i in idx]
        else:
            values = list(np.frombuffer(row[pos_bytes:], dtype=np.int8))
        for e in range(entries):
            g = e // n
            pos, v = positions[e], values[e]
            if pos >= min(m, k - g * m):
                raise DecodeError(f"N:M: channel {c} group {g} has position {pos} out of range")
            if e % n and (pos < positions[e - 1] or (pos == positions[e - 1] and v != 0)):
                raise DecodeError(f"N:M: channel {c} group {g} positions out of order or repeated with a value")
            if v:
                out[c, g * m + pos] = v
    return out.reshape(shape)


# ------------------------------------------------------------------------------------------------- hb
class _Reader:
    def __init__(self, data: bytes, pos: int):
        self.data, self.pos = data, pos

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise DecodeError(f"hb: ancillary data ends at byte {len(self.data)}, needs {self.pos + n}")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def bits(self, count: int, width: int) -> list[int]:
        if width == 0:
            return [0] * count
        nbytes = (count * width + 7) // 8
        acc = int.from_bytes(self.take(nbytes), "big")
        shift = nbytes * 8
        return [(acc >> (shift - (i + 1) * width)) & ((1 << width) - 1) for i in range(count)]


def decode_hb(encoded: bytes, ancillary: bytes, shape: tuple[int, ...]) -> np.ndarray:
    encoded, ancillary = bytes(encoded), bytes(ancillary)
    if ancillary[1] != 1 or ancillary[4] != 1:
        raise DecodeError(f"hb: DCM version {ancillary[1]} / hb version {ancillary[4]}, expected 1 / 1")
    stored_crc = struct.unpack_from("<I", ancillary, 12)[0]
    if zlib.crc32(ancillary[:12] + ancillary[16:] + encoded) != stored_crc:
        raise DecodeError("hb: storage CRC-32 mismatch (the compressed bytes were altered)")
    axis, mode, prob_bits = ancillary[5] >> 4, ancillary[5] & 0x0F, ancillary[6]
    if mode not in (0, 1) or not 1 <= prob_bits <= 15:
        raise DecodeError(f"hb: mode {mode} / probability bits {prob_bits} unsupported")
    r = _Reader(ancillary, DCM_SIZE)
    n_ch, n, alphabet, n_tables, n_groups, id_bits, group_bits, _ = struct.unpack("<IIHHBBBB", r.take(16))
    size = int(np.prod(shape)) if shape else 1
    channels, channel_of = _channel_of(shape, axis)
    if (n_ch, n_ch * n) != (channels, size):
        raise DecodeError(f"hb: header says {n_ch} channels x {n}, the tensor {list(shape)} has {channels} "
                          f"channels and {size} values")
    if not 1 <= alphabet <= 256 or not 1 <= n_groups <= 16:
        raise DecodeError(f"hb: alphabet {alphabet} / groups {n_groups} out of range")
    freqs = [list(struct.unpack(f"<{alphabet}H", r.take(2 * alphabet))) for _ in range(n_groups)]
    cums = []
    for g, f in enumerate(freqs):
        if sum(f) != 1 << prob_bits:
            raise DecodeError(f"hb: frequencies of group {g} sum to {sum(f)}, not {1 << prob_bits}")
        c, acc = [], 0
        for v in f:
            c.append(acc)
            acc += v
        cums.append(c)
    tables = []
    for _ in range(n_tables):
        m = r.take(1)[0]
        tables.append(list(struct.unpack(f"<{m}b", r.take(m))))
    if mode == 0:
        ids = list(range(n_ch)) if id_bits == 0xFF else r.bits(n_ch, id_bits)
        if any(t >= n_tables for t in ids):
            raise DecodeError(f"hb: a channel names a table beyond the {n_tables} stored")
    groups = r.bits(n_ch, group_bits)
    if any(g >= n_groups for g in groups):
        raise DecodeError(f"hb: a channel names a group beyond the {n_groups} stored")
    if r.pos != len(ancillary):
        raise DecodeError(f"hb: {len(ancillary) - r.pos} unexplained bytes after the ancillary data")

    # slot -> symbol lookup per group
    lookup = []
    for f in freqs:
        slots = []
        for s, v in enumerate(f):
            slots.extend([s] * v)
        lookup.append(slots)
    if len(encoded) < 4:
        raise DecodeError("hb: the stream is shorter than its 4-byte initial state")
    x = struct.unpack_from("<I", encoded, 0)[0]
    pos, mask, low = 4, (1 << prob_bits) - 1, 1 << 23
    out = np.empty(size, dtype=np.int8)
    flat = out  # filled at the element's index in the tensor's row-major order
    for c in range(n_ch):
        g = groups[c]
        f, cm, lk = freqs[g], cums[g], lookup[g]
        table = tables[ids[c]] if mode == 0 else None
        for j in range(n):
            slot = x & mask
            s = lk[slot]
            x = f[s] * (x >> prob_bits) + slot - cm[s]
            while x < low:
                if pos >= len(encoded):
                    raise DecodeError("hb: the stream ended early")
                x = (x << 8) | encoded[pos]
                pos += 1
            if mode == 0:
                if s > len(table):
                    raise DecodeError(f"hb: symbol {s} beyond the {len(table)} values of channel {c}'s table")
                v = 0 if s == 0 else table[s - 1]
            else:
                v = s - 256 if s > 127 else s
            flat[_index(c, j, n, n_ch, axis, len(shape))] = v
    if x != low or pos != len(encoded):
        raise DecodeError(f"hb: stream end state {x:#x} at byte {pos} of {len(encoded)} (expected {low:#x} at the end)")
    values = out.reshape(shape)
    if zlib.crc32(values.tobytes()) != struct.unpack_from("<I", ancillary, 8)[0]:
        raise DecodeError("hb: CRC-32 of the decoded values mismatch")
    return values


def _index(c: int, j: int, n: int, n_ch: int, axis: int, rank: int) -> int:
    if axis == 0xF or axis == 0:
        return c * n + j
    return j * n_ch + c  # last axis
