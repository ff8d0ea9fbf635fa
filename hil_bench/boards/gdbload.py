"""Load an ELF image through a GDB remote: QEMU's gdbstub, pyOCD's or OpenOCD's GDB server alike.

A small client of the GDB remote serial protocol (RSP) with a deadline on every wait; a timeout says
what was received last. Memory the server maps as flash (``qXfer:memory-map:read``) is programmed with
``vFlashErase``/``vFlashWrite``/``vFlashDone``, everything else is written with ``M`` packets. A monitor
command then resets the core (``system_reset`` on QEMU, ``reset halt`` on pyOCD and OpenOCD), so it
boots from the image's own vector table as it would from flash. :meth:`GdbRemote.resume` detaches,
which lets the core run: hil-bench calls it once its serial link is connected, so no byte the firmware
prints at boot is lost.
"""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from hil_bench.errors import BoardError, LinkTimeoutError

_ESCAPED = {0x23, 0x24, 0x7D, 0x2A}   # '#', '$', '}', '*' must be escaped in binary data
_STOP_REPLY = re.compile(rb"[ST][0-9a-fA-F]{2}.*", re.S)   # "T05thread:01;": the core stopped


@dataclass(frozen=True)
class Segment:
    address: int
    data: bytes


@dataclass(frozen=True)
class FlashRegion:
    start: int
    length: int
    block: int

    def holds(self, address: int) -> bool:
        return self.start <= address < self.start + self.length


def elf_segments(elf: Path) -> list[Segment]:
    """The bytes the image puts in memory: each PT_LOAD segment's file part, at its load address."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    try:
        with open(elf, "rb") as f:
            return [Segment(seg["p_paddr"], seg.data()) for seg in ELFFile(f).iter_segments()
                    if seg["p_type"] == "PT_LOAD" and seg["p_filesz"] > 0]
    except (OSError, ELFError) as exc:
        raise BoardError(f"cannot read the firmware image {elf}: {exc}") from None


def checksum(payload: bytes) -> bytes:
    return b"%02x" % (sum(payload) & 0xFF)


def escape(data: bytes) -> bytes:
    out = bytearray()
    for b in data:
        out += bytes((0x7D, b ^ 0x20)) if b in _ESCAPED else bytes((b,))
    return bytes(out)


def unescape(data: bytes) -> bytes:
    """Undo binary escapes and run-length encoding (``X*n``: X repeated n - 29 more times)."""
    out, i = bytearray(), 0
    while i < len(data):
        b = data[i]
        if b == 0x7D and i + 1 < len(data):
            out.append(data[i + 1] ^ 0x20)
            i += 2
        elif b == 0x2A and out and i + 1 < len(data):
            out += bytes((out[-1],)) * (data[i + 1] - 29)
            i += 2
        else:
            out.append(b)
            i += 1
    return bytes(out)


def parse_memory_map(xml: str) -> list[FlashRegion]:
    """Flash regions of a ``qXfer:memory-map`` answer (RAM and ROM regions are written with ``M``)."""
    regions = []
    for attrs, body in re.findall(r"<memory\s([^>]*?)(?:/>|>(.*?)</memory>)", xml, re.S):
        fields = dict(re.findall(r'(\w+)="([^"]*)"', attrs))
        if fields.get("type") != "flash":
            continue
        block = re.search(r'<property\s+name="blocksize">\s*(\w+)\s*<', body)
        regions.append(FlashRegion(int(fields["start"], 0), int(fields["length"], 0),
                                   int(block.group(1), 0) if block else 0x400))
    return regions


class GdbRemote:
    """One connection to a GDB server; the core is halted while connected (servers halt it on attach)."""

    def __init__(self, host: str, port: int, *, deadline_s: float = 20.0, name: str = "gdb server"):
        self.name, self.deadline_s = f"{name} at {host}:{port}", deadline_s
        self.seen = bytearray()     # everything received, for error messages
        self._buf = bytearray()     # received but not consumed yet
        self.sock = self._connect(host, port, deadline_s)
        self.packet_size = 1024
        self.features: dict[str, str] = {}

    def _connect(self, host: str, port: int, deadline_s: float) -> socket.socket:
        # A simulator behind a place may be restarting (QEMU leaves on a semihosting exit): retry until
        # the deadline rather than failing on the first refused connection.
        end, last = time.monotonic() + deadline_s, None
        while time.monotonic() < end:
            try:
                sock = socket.create_connection((host, port), timeout=max(0.1, end - time.monotonic()))
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return sock
            except OSError as exc:
                last = exc
                time.sleep(0.1)
        raise BoardError(f"cannot connect to the {self.name} within {deadline_s:.0f} s ({last}); is the "
                         "simulator or the debug probe's GDB server running on the exporter?")

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    # --- packets ---------------------------------------------------------------------------------
    def _fill(self, end: float) -> None:
        """Read what the server sent into the buffer, or raise once ``end`` has passed."""
        left = end - time.monotonic()
        if left <= 0:
            raise LinkTimeoutError(f"the {self.name} did not answer in time; last bytes received: "
                                   f"{bytes(self.seen[-200:])!r}")
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except TimeoutError:
            return
        except OSError as exc:
            raise BoardError(f"the {self.name} dropped the connection ({exc})") from None
        if not chunk:
            raise BoardError(f"the {self.name} closed the connection; last bytes received: "
                             f"{bytes(self.seen[-200:])!r}")
        self.seen += chunk
        self._buf += chunk

    def send(self, payload: bytes) -> None:
        """Send one packet and wait for its acknowledgement ('+'); resend on '-'."""
        frame = b"$" + payload + b"#" + checksum(payload)
        end = time.monotonic() + self.deadline_s
        for _ in range(3):
            self.sock.sendall(frame)
            while self._buf[:1] not in (b"+", b"-", b"$"):
                if self._buf:
                    del self._buf[:1]   # noise before the ack
                else:
                    self._fill(end)
            if self._buf[:1] == b"$":
                return   # a server in no-ack mode: the reply itself is here
            ack = bytes(self._buf[:1])
            del self._buf[:1]
            if ack == b"+":
                return
        raise BoardError(f"the {self.name} refused packet {payload[:40]!r} three times (bad checksum)")

    def receive(self, timeout: float | None = None) -> bytes:
        """One packet's payload (acknowledged), unescaped."""
        end = time.monotonic() + (timeout or self.deadline_s)
        while True:
            start = self._buf.find(b"$")
            hash_at = self._buf.find(b"#", start + 1) if start >= 0 else -1
            if hash_at >= 0 and len(self._buf) >= hash_at + 3:
                payload = bytes(self._buf[start + 1:hash_at])
                good = checksum(payload) == bytes(self._buf[hash_at + 1:hash_at + 3]).lower()
                del self._buf[:hash_at + 3]
                self.sock.sendall(b"+" if good else b"-")
                if good:
                    return unescape(payload)
                continue
            self._fill(end)

    def reply(self, timeout: float | None = None) -> bytes:
        """The answer to the packet just sent, past any stop report the server sent on its own (QEMU
        reports the halt it makes when a client attaches to a running core)."""
        got = self.receive(timeout)
        while _STOP_REPLY.fullmatch(got):
            got = self.receive(timeout)
        return got

    def ask(self, payload: bytes, timeout: float | None = None) -> bytes:
        self.send(payload)
        return self.receive(timeout) if payload == b"?" else self.reply(timeout)

    def expect_ok(self, payload: bytes, what: str, timeout: float | None = None) -> None:
        reply = self.ask(payload, timeout)
        if reply != b"OK":
            raise BoardError(f"the {self.name} refused to {what}: {reply[:80]!r}")

    # --- operations ------------------------------------------------------------------------------
    def handshake(self) -> None:
        reply = self.ask(b"qSupported:multiprocess-;swbreak+;hwbreak+")
        for item in reply.decode(errors="replace").split(";"):
            key, _, value = item.partition("=")
            self.features[key.rstrip("+-")] = value or item[-1:]
        if "PacketSize" in self.features:
            self.packet_size = max(256, int(self.features["PacketSize"], 16))
        self.ask(b"?")   # the halt reason; servers expect it before memory access

    def flash_regions(self) -> list[FlashRegion]:
        if self.features.get("qXfer:memory-map:read") != "+":
            return []
        xml, offset = b"", 0
        while True:
            reply = self.ask(b"qXfer:memory-map:read::%x,%x" % (offset, self.packet_size - 8))
            if reply[:1] not in (b"m", b"l"):
                raise BoardError(f"the {self.name} gave no memory map: {reply[:80]!r}")
            xml += reply[1:]
            offset += len(reply) - 1
            if reply[:1] == b"l":
                return parse_memory_map(xml.decode(errors="replace"))

    def write_memory(self, address: int, data: bytes) -> None:
        step = max(16, (self.packet_size - 32) // 2)
        for off in range(0, len(data), step):
            part = data[off:off + step]
            self.expect_ok(b"M%x,%x:" % (address + off, len(part)) + part.hex().encode(),
                           f"write memory at 0x{address + off:08x}")

    def erase_flash(self, parts: list[tuple[FlashRegion, Segment]]) -> None:
        """Erase every flash block the segments touch, each once: two segments sharing a block (code and
        the data load image) must not erase each other."""
        blocks = sorted({(b, region.block) for region, seg in parts
                         for b in range(seg.address - (seg.address - region.start) % region.block,
                                        seg.address + len(seg.data), region.block)})
        ranges: list[list[int]] = []
        for start, size in blocks:
            if ranges and ranges[-1][0] + ranges[-1][1] == start:
                ranges[-1][1] += size
            else:
                ranges.append([start, size])
        for start, length in ranges:
            self.expect_ok(b"vFlashErase:%x,%x" % (start, length), f"erase flash at 0x{start:08x}", timeout=120)

    def write_flash(self, address: int, data: bytes) -> None:
        step = max(16, (self.packet_size - 64) // 2)   # escaping may double a byte
        for off in range(0, len(data), step):
            self.expect_ok(b"vFlashWrite:%x:" % (address + off) + escape(data[off:off + step]),
                           f"write flash at 0x{address + off:08x}", timeout=60)

    def monitor(self, command: str, timeout: float | None = None) -> str:
        """Run a monitor command (``qRcmd``); return what the server printed."""
        self.send(b"qRcmd," + command.encode().hex().encode())
        printed = ""
        while True:
            reply = self.reply(timeout)
            if reply.startswith(b"O") and reply != b"OK":
                printed += bytes.fromhex(reply[1:].decode()).decode(errors="replace")
                continue
            if reply == b"OK":
                return printed
            if reply.startswith(b"E") or not reply:
                raise BoardError(f"the {self.name} refused monitor command {command!r}: {reply[:80]!r} {printed}")
            return printed + bytes.fromhex(reply.decode()).decode(errors="replace")

    def load(self, elf: Path, reset: str) -> int:
        """Write the image, flash where the server maps flash, then reset with ``monitor reset``.

        Returns the number of bytes written.
        """
        self.handshake()
        flash = self.flash_regions()
        segments = elf_segments(elf)
        in_flash = [(r, seg) for seg in segments for r in flash if r.holds(seg.address)]
        for seg in segments:
            if not any(seg is s for _, s in in_flash):
                self.write_memory(seg.address, seg.data)
        if in_flash:
            self.erase_flash(in_flash)
            for _, seg in in_flash:
                self.write_flash(seg.address, seg.data)
            self.expect_ok(b"vFlashDone", "finish programming flash", timeout=120)
        total = sum(len(seg.data) for seg in segments)
        self.monitor(reset)
        return total

    def resume(self) -> None:
        """Detach: the server lets the core run, and the GDB port is free for the next user."""
        try:
            self.expect_ok(b"D", "detach and resume the core")
        finally:
            self.close()
