"""The GDB remote loader against a fake GDB server on loopback (the socket is the edge; the client runs
for real): RAM by ``M``, flash by ``vFlash*`` where the server's memory map says flash, the monitor
reset, detach; a corrupted packet is resent; a silent server times out showing what it sent. The
QEMU gdbstub path runs for real in tests/hil/test_labgrid.py."""

from __future__ import annotations

import socket
import threading

import pytest

from hil_bench.boards import gdbload
from hil_bench.boards.gdbload import GdbRemote, Segment, checksum, escape, parse_memory_map, unescape
from hil_bench.boards.labgrid import parse_show
from hil_bench.errors import BoardError, LinkTimeoutError

MEMORY_MAP = ('<?xml version="1.0"?><memory-map><memory type="ram" start="0x20000000" length="0x10000"/>'
              '<memory type="flash" start="0x08000000" length="0x200000">'
              '<property name="blocksize">0x800</property></memory></memory-map>')


class FakeServer(threading.Thread):
    """Answers like pyOCD's gdbserver would, and records every packet it got."""

    def __init__(self, *, nak_first=False, silent=False):
        super().__init__(daemon=True)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.got: list[bytes] = []
        self.nak_first, self.silent = nak_first, silent

    def reply(self, conn, payload: bytes) -> None:
        conn.sendall(b"$" + payload + b"#" + checksum(payload))

    def run(self):
        conn, _ = self.listener.accept()
        buf = b""
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
                while b"#" in buf and len(buf) >= buf.index(b"#") + 3:
                    start, end = buf.index(b"$"), buf.index(b"#")
                    payload, buf = buf[start + 1:end], buf[end + 3:]
                    if self.nak_first:
                        self.nak_first = False
                        conn.sendall(b"-")
                        continue
                    conn.sendall(b"+")
                    if self.silent:
                        conn.sendall(b"$partial")
                        continue
                    self.got.append(unescape(payload))
                    self.answer(conn, self.got[-1])

    def answer(self, conn, p: bytes) -> None:
        if p.startswith(b"qSupported"):
            self.reply(conn, b"T05thread:01;")   # as QEMU reports halting a running core on attach
            self.reply(conn, b"PacketSize=100;qXfer:memory-map:read+")
        elif p == b"?":
            self.reply(conn, b"S05")
        elif p.startswith(b"qXfer:memory-map:read::"):
            off, length = (int(x, 16) for x in p.split(b"::")[1].split(b","))
            part = MEMORY_MAP[off:off + length].encode()
            self.reply(conn, (b"l" if off + length >= len(MEMORY_MAP) else b"m") + escape(part))
        elif p.startswith(b"qRcmd,"):
            self.reply(conn, b"O" + b"resetting\n".hex().encode())
            self.reply(conn, b"OK")
        else:
            self.reply(conn, b"OK")


def _serve(**kw) -> FakeServer:
    server = FakeServer(**kw)
    server.start()
    return server


def test_load_writes_ram_with_M_and_flash_with_vflash_then_resets(monkeypatch, tmp_path):
    flash = bytes(range(256)) * 3          # holds '#', '$', '}' and '*': escaped on the wire
    ram = b"\x11" * 200
    monkeypatch.setattr(gdbload, "elf_segments", lambda elf: [Segment(0x08000100, flash), Segment(0x20000000, ram)])
    server = _serve()
    gdb = GdbRemote("127.0.0.1", server.port, deadline_s=5)
    assert gdb.load(tmp_path / "image.elf", "reset halt") == len(flash) + len(ram)
    gdb.resume()
    server.join(5)
    got = server.got
    assert got[0].startswith(b"qSupported") and got[1] == b"?"
    assert b"vFlashErase:8000000,800" in got          # whole 2 KiB blocks around the segment
    written = b"".join(p.split(b":", 2)[2] for p in got if p.startswith(b"vFlashWrite:"))
    assert written == flash
    first_write = next(p for p in got if p.startswith(b"vFlashWrite:"))
    assert first_write.startswith(b"vFlashWrite:8000100:")
    ram_hex = b"".join(p.split(b":")[1] for p in got if p.startswith(b"M"))
    assert bytes.fromhex(ram_hex.decode()) == ram
    assert all(len(p) <= 0x100 for p in got if p.startswith(b"M"))   # the server's PacketSize is kept
    order = [p[:6] for p in got]
    assert order.index(b"vFlash") < order.index(b"qRcmd,") < order.index(b"D")
    assert b"vFlashDone" in got and got[-2:] == [b"qRcmd," + b"reset halt".hex().encode(), b"D"]


def test_segments_sharing_a_flash_block_erase_it_once(monkeypatch, tmp_path):
    code, data = b"\x01" * 0x900, b"\x02" * 0x10   # the data load image right after the code, same block
    monkeypatch.setattr(gdbload, "elf_segments", lambda elf: [Segment(0x08000000, code), Segment(0x08000900, data)])
    server = _serve()
    gdb = GdbRemote("127.0.0.1", server.port, deadline_s=5)
    gdb.load(tmp_path / "image.elf", "reset halt")
    gdb.close()
    server.join(5)
    assert [p for p in server.got if p.startswith(b"vFlashErase")] == [b"vFlashErase:8000000,1000"]


def test_a_corrupted_packet_is_resent():
    server = _serve(nak_first=True)
    gdb = GdbRemote("127.0.0.1", server.port, deadline_s=5)
    gdb.handshake()
    assert server.got[0].startswith(b"qSupported") and gdb.packet_size == 0x100
    gdb.close()


def test_a_silent_server_times_out_with_what_it_sent():
    server = _serve(silent=True)
    gdb = GdbRemote("127.0.0.1", server.port, deadline_s=0.5)
    with pytest.raises(LinkTimeoutError, match="did not answer in time.*partial"):
        gdb.handshake()
    gdb.close()


def test_nobody_listening_says_what_to_check():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(BoardError, match="is the simulator or the debug probe's GDB server running"):
        GdbRemote("127.0.0.1", port, deadline_s=0.3)


def test_binary_escapes_and_run_length_encoding_round_trip():
    data = bytes(range(256))
    assert unescape(escape(data)) == data
    assert unescape(b"0* ") == b"0000"          # '*' then ' ' (32 - 29 = 3 more)
    assert parse_memory_map(MEMORY_MAP)[0].block == 0x800 and len(parse_memory_map(MEMORY_MAP)) == 1


def test_place_resources_are_read_from_labgrid_client_show():
    shown = """Place 'p1':
  tags: hil_bench_behind=qemu, hil_bench_board=corstone300
  matches:
    exp1/corstone300-q/*
  acquired: vm/root
Acquired resource 'gdb' (exp1/corstone300-q/GDBServer/gdb):
  {'acquired': 'p1',
   'avail': True,
   'cls': 'GDBServer',
   'params': {'extra': {'proxy': 'localhost', 'proxy_required': False},
              'host': '127.0.0.1',
              'port': 45672,
              'reset': 'system_reset'}}
Acquired resource 'uart' (exp1/corstone300-q/NetworkSerialPort/uart):
  {'acquired': 'p1', 'avail': True, 'cls': 'NetworkSerialPort',
   'params': {'host': '127.0.0.1', 'port': 45671, 'protocol': 'raw'}}
"""
    info = parse_show(shown)
    assert info.tags == {"hil_bench_behind": "qemu", "hil_bench_board": "corstone300"}
    assert info.one("GDBServer", "p1").params["reset"] == "system_reset"
    assert info.one("NetworkSerialPort", "p1").params["port"] == 45671
    with pytest.raises(BoardError, match="exactly one USBSerialPort resource, it holds: gdb"):
        info.one("USBSerialPort", "p1")
