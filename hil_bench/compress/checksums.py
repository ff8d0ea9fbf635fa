"""A CRC-32 for every weight tensor, raw or compressed, stored in the firmware next to the model.

``hil-bench export`` (and so every firmware build) writes the table into ``model_data.c``; the binary
audit finds it in the image's flash bytes and checks each tensor against it, so one flipped byte in
any weight tensor fails, naming the tensor, without the original model at hand.

Layout (little-endian): the 8-byte magic, u32 model length, u32 entry count, then per weight tensor
u32 subgraph, u32 tensor index, u32 CRC-32 of the bytes as stored (raw buffer, or encoded buffer +
ancillary data), u32 CRC-32 of the decoded int8 values, u32 number of decoded bytes.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from hil_bench.errors import ModelFileError
from hil_bench.compress.find_in_image import weights_of

MAGIC = b"HBWCRC1\0"
_HEAD = struct.Struct("<8sII")
_ENTRY = struct.Struct("<IIIII")
MAX_ENTRIES = 1 << 16


@dataclass(frozen=True)
class WeightChecksum:
    subgraph: int
    tensor: int
    stored_crc: int
    decoded_crc: int
    decoded_bytes: int


def crc(data: bytes) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


def checksums_of(model: bytes) -> list[WeightChecksum]:
    """The checksum of every weight tensor of a (possibly compressed) model, in graph order."""
    out = []
    for w in weights_of(model):
        if w.problem and not w.stored:
            continue  # weights computed at run time: nothing in flash to check
        if w.problem:
            raise ModelFileError(f"weight tensor {w.name!r}: {w.problem}")
        out.append(WeightChecksum(w.subgraph, w.tensor, crc(w.stored), crc(w.values.tobytes()), w.values.nbytes))
    return out


def pack(model_len: int, entries: list[WeightChecksum]) -> bytes:
    return _HEAD.pack(MAGIC, model_len, len(entries)) + b"".join(
        _ENTRY.pack(e.subgraph, e.tensor, e.stored_crc, e.decoded_crc, e.decoded_bytes) for e in entries)


def find_table(flash: bytes, model_offset: int) -> list[WeightChecksum] | None:
    """The table written for the model at ``model_offset``, or None when the image has none.

    The linker puts it next to the model (before or after it: the compiler orders them); of the
    well-formed tables found, the nearest one to the model is its own.
    """
    best, pos = None, flash.find(MAGIC)
    while pos != -1:
        if pos + _HEAD.size <= len(flash):
            _, _, count = _HEAD.unpack_from(flash, pos)
            end = pos + _HEAD.size + count * _ENTRY.size
            if count <= MAX_ENTRIES and end <= len(flash) and (best is None or
                                                                abs(pos - model_offset) < abs(best - model_offset)):
                best = pos
        pos = flash.find(MAGIC, pos + 1)
    if best is None:
        return None
    count = _HEAD.unpack_from(flash, best)[2]
    return [WeightChecksum(*_ENTRY.unpack_from(flash, best + _HEAD.size + i * _ENTRY.size)) for i in range(count)]
