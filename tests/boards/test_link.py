"""Link client and framing against a fake serial port (the hardware is faked at the edge only)."""

import time
import zlib

import pytest
import serial

from hil_bench.boards import load_board
from hil_bench.errors import DeviceError, LinkError, LinkTimeoutError, ProtocolError
from hil_bench.link import Protocol, SerialLink, crc32
from hil_bench.link.framing import check_frame, parse_frame_header, put_command


class FakeDevice:
    """A pyserial-like object; ``respond(written_bytes) -> reply bytes`` plays the device."""

    def __init__(self, respond=None, closed_after=None):
        self.timeout = 0.05
        self.rx = bytearray()
        self.written = bytearray()
        self.respond = respond or (lambda data: b"")
        self.closed_after = closed_after

    @property
    def in_waiting(self):
        return len(self.rx)

    def write(self, data):
        self.written += data
        self.rx += self.respond(bytes(data))
        return len(data)

    def read(self, n=1):
        if self.closed_after is not None and not self.rx:
            raise serial.SerialException("socket disconnected")
        if not self.rx:
            time.sleep(self.timeout)
            return b""
        out = bytes(self.rx[:n])
        del self.rx[:n]
        return out

    def close(self):
        pass


def test_crc32_is_zlib_ieee():
    assert crc32(b"123456789") == 0xCBF43926
    assert crc32(b"") == 0


def test_put_command_and_frame_header():
    assert put_command(b"abc") == f"hb-put 3 0x{zlib.crc32(b'abc'):08x}"
    assert parse_frame_header(b"m-hb-frame-12-0000abcd\r\n") == (12, 0xABCD)
    with pytest.raises(ProtocolError):
        parse_frame_header(b"m-hb-frame-x-1\r\n")


def test_garbled_frame_is_detected():
    data = bytes(range(100))
    garbled = bytearray(data)
    garbled[37] ^= 0x10
    assert check_frame(data, 100, crc32(data)) == data
    with pytest.raises(ProtocolError, match="CRC mismatch"):
        check_frame(bytes(garbled), 100, crc32(data))


def test_command_returns_lines_before_ready():
    dev = FakeDevice(lambda d: b"m-name-dut-[x]\r\nm-ready\r\n" if d == b"name%" else b"")
    assert SerialLink(dev).command("name") == ["m-name-dut-[x]"]


def test_timeout_shows_last_bytes():
    dev = FakeDevice(lambda d: b"m-half-a-reply")
    link = SerialLink(dev, name="fake")
    t0 = time.monotonic()
    with pytest.raises(LinkTimeoutError) as err:
        link.command("name", timeout=0.3)
    assert time.monotonic() - t0 < 2.0
    assert "m-half-a-reply" in str(err.value) and "fake" in str(err.value)


def test_closed_link_is_a_link_error():
    link = SerialLink(FakeDevice(closed_after=0))
    with pytest.raises(LinkError, match="closed the link"):
        link.command("name", timeout=1.0)


def test_fault_report_raises_device_error():
    dev = FakeDevice(lambda d: b"e-[hb-fault usagefault pc=0x00000123 lr=0x1]\r\nm-hb-fault\r\n")
    with pytest.raises(DeviceError, match="usagefault pc=0x00000123"):
        SerialLink(dev).command("hb-infer 1 0 0", timeout=1.0)


class PutDevice:
    """Plays hb-put: answers ready, then checks the CRC of what arrives, like the firmware."""

    def __init__(self):
        self.expect = None

    def __call__(self, data):
        if data.startswith(b"hb-put "):
            _, n, crc = data[:-1].split()
            self.expect = (int(n), int(crc, 16))
            return f"m-hb-put-ready-{int(n)}\r\n".encode()
        n, crc = self.expect
        got = zlib.crc32(data)
        if got == crc:
            return b"m-hb-put-ok\r\nm-ready\r\n"
        return f"e-[hb-put crc mismatch: received {got:08x} expected {crc:08x}]\r\nm-ready\r\n".encode()


class GarblingLink(SerialLink):
    """Flips one bit in the first ``n`` bulk writes, like a noisy line."""

    def __init__(self, port, n):
        super().__init__(port)
        self.n = n

    def write(self, data):
        if len(data) > 64 and not data.startswith(b"hb-") and self.n > 0:
            self.n -= 1
            data = bytearray(data)
            data[len(data) // 2] ^= 0x01
            data = bytes(data)
        super().write(data)


def test_put_retries_after_garbled_byte():
    link = GarblingLink(FakeDevice(PutDevice()), n=1)
    proto = Protocol(link, put_retries=2)
    proto.put(bytes(range(256)) * 4)
    assert proto.retransmissions == 1


def test_put_gives_up_on_a_persistently_bad_line():
    link = GarblingLink(FakeDevice(PutDevice()), n=99)
    proto = Protocol(link, put_retries=2)
    with pytest.raises(ProtocolError, match="after 3 attempt"):
        proto.put(bytes(1000))
    assert proto.retransmissions == 2


def test_get_output_checks_crc():
    payload = b"\x01\x02\x03\x04"
    good = f"m-hb-frame-4-{zlib.crc32(payload):08x}\r\n".encode() + payload + b"\r\nm-ready\r\n"
    bad = f"m-hb-frame-4-{zlib.crc32(payload):08x}\r\n".encode() + b"\x01\x02\x07\x04" + b"\r\nm-ready\r\n"
    assert Protocol(SerialLink(FakeDevice(lambda d: good))).get_output(0, timeout=1) == payload
    with pytest.raises(ProtocolError, match="CRC mismatch"):
        Protocol(SerialLink(FakeDevice(lambda d: bad))).get_output(0, timeout=1)


def test_infer_parses_ticks_and_layers():
    reply = (b"m-hb-ticks-100\r\nm-hb-ticks-101\r\nm-hb-profiled-ticks-120\r\n"
             b"m-hb-layer-0-CONV_2D-70\r\nm-hb-layer-1-FULLY_CONNECTED-50\r\nm-hb-infer-done\r\nm-ready\r\n")
    res = Protocol(SerialLink(FakeDevice(lambda d: reply))).infer(2, 1, profile=True, timeout=1)
    assert res.ticks == (100, 101)
    assert res.layers == (("CONV_2D", 70), ("FULLY_CONNECTED", 50))
    assert res.profiled_ticks == 120


def test_device_error_line_raises():
    dev = FakeDevice(lambda d: b"e-[no model: no-model]\r\nm-ready\r\n")
    with pytest.raises(DeviceError, match="no model"):
        Protocol(SerialLink(dev)).infer(1, 0, timeout=1)


def _info_device(extra: bytes):
    reply = (b"m-hb-info-board=b\r\nm-hb-info-model_status=ok\r\n" + extra +
             b"m-hb-info-ops=13\r\nm-hb-info-input0=type:9,bytes:490,scale:3f800000,zp:-1,dims:1x49x10x1\r\n"
             b"m-ready\r\n")
    return FakeDevice(lambda d: reply if d == b"hb-info%" else b"")


def test_info_reports_the_kernel_path_and_reads_older_replies():
    info = Protocol(SerialLink(_info_device(b"m-hb-info-kernels=helium\r\nm-hb-info-command_bytes=80\r\n"))).info()
    assert info["kernels"] == "helium" and info["command_bytes"] == 80 and info["ops"] == 13
    assert info.inputs[0].dims == (1, 49, 10, 1) and info.inputs[0].scale == 1.0
    older = Protocol(SerialLink(_info_device(b""))).info()      # firmware from before the kernels line
    assert older.get("kernels") is None and older.get("kernels", "unknown") == "unknown"
    assert older["ops"] == 13 and older.inputs == info.inputs


def test_a_board_that_never_boots_names_its_process_and_log(monkeypatch, tmp_path):
    """A boot timeout says whether the simulator still runs and where its log is (to tell a hang from a crash)."""
    import socket
    import threading

    from hil_bench.boards import session

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    log = tmp_path / "qemu.log"
    log.write_text("")

    class Silent:   # a started board that never prints its banner
        def start(self):
            return f"socket://127.0.0.1:{server.getsockname()[1]}"

        def link_ready(self):
            pass

        def alive(self):
            return True

        def log_path(self):
            return log

        def stop(self):
            server.close()

    monkeypatch.setattr(session, "make_runner", lambda *args: Silent())
    with pytest.raises(LinkTimeoutError) as caught:
        with session.open_dut(load_board("corstone300"), tmp_path / "firmware.elf", runner="qemu", boot_timeout_s=0.5):
            pass
    message = str(caught.value)
    assert "did not send" in message and "nothing received" in message
    assert f"the qemu process is still running, its log: {log}" in message


def test_bytes_the_board_sent_while_the_port_was_opening_are_kept(monkeypatch):
    """A boot banner that arrives while the host thread is preempted right after connecting must not be
    flushed by pyserial's open() (it once was: "nothing received" at boot under load)."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def board():
        conn, _ = server.accept()
        conn.sendall(b"m-ready\r\n")   # at once, as a fast-booting board does
        time.sleep(2)
        conn.close()

    threading.Thread(target=board, daemon=True).start()
    real = socket.create_connection

    def preempted(*args, **kwargs):   # the host loses the CPU for a moment after the handshake
        sock = real(*args, **kwargs)
        time.sleep(0.3)
        return sock

    monkeypatch.setattr(socket, "create_connection", preempted)
    link = SerialLink.open(f"socket://127.0.0.1:{server.getsockname()[1]}", deadline_s=5, name="board")
    try:
        assert link.read_until(b"m-ready\r\n", timeout=2).endswith(b"m-ready\r\n")
    finally:
        link.close()
        server.close()
