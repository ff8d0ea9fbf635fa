"""Binary transfer framing of the hil-bench protocol extension: a length and a CRC-32 around raw bytes.

Host -> device: ``hb-put LEN CRC%`` then, after ``m-hb-put-ready-LEN``, LEN raw bytes; batched
inference ``hb-batch N LEN CRC%`` then, after ``m-hb-batch-ready-N``, LEN raw bytes.
Device -> host: ``m-hb-frame-LEN-CRC\\r\\n`` + LEN raw bytes + ``\\r\\n``.
CRC-32 is zlib's (IEEE, reflected), the same as hb_crc32() in the firmware.
"""

from __future__ import annotations

import re
import zlib

from hil_bench.errors import ProtocolError

FRAME_RE = re.compile(rb"m-hb-frame-(\d+)-([0-9a-f]{8})\r\n")


def crc32(data: bytes) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


def put_command(data: bytes) -> str:
    return f"hb-put {len(data)} 0x{crc32(data):08x}"


def batch_command(samples: int, data: bytes) -> str:
    return f"hb-batch {samples} {len(data)} 0x{crc32(data):08x}"


def parse_frame_header(line: bytes) -> tuple[int, int]:
    m = FRAME_RE.fullmatch(line)
    if not m:
        raise ProtocolError(f"expected a frame header m-hb-frame-LEN-CRC, got {line[-120:]!r}")
    return int(m.group(1)), int(m.group(2), 16)


def check_frame(payload: bytes, length: int, crc: int) -> bytes:
    if len(payload) != length:
        raise ProtocolError(f"frame announced {length} bytes, got {len(payload)}")
    got = crc32(payload)
    if got != crc:
        raise ProtocolError(f"frame CRC mismatch: announced {crc:08x}, computed {got:08x} over {length} bytes "
                            "(a byte was garbled on the link)")
    return payload
