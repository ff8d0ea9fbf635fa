"""Fault tests on real QEMU, on every --board: each failure ends in a clear error within its deadline,
nothing left running."""

import os
import threading
import time

import pytest

from hil_bench.boards.session import open_dut
from hil_bench.errors import DeviceError, DoesNotFitError, LinkError, LinkTimeoutError, ProtocolError
from hil_bench.link import SerialLink

from .conftest import needs_tools

pytestmark = needs_tools


def test_hard_fault_is_reported(board, test_image):
    with open_dut(board, test_image.elf, boot_timeout_s=20) as dut:
        t0 = time.monotonic()
        with pytest.raises(DeviceError) as err:
            dut.link.command("hb-fault", timeout=10)
        assert time.monotonic() - t0 < 10
        assert "usagefault" in str(err.value) and "pc=0x" in str(err.value) and "cfsr=0x" in str(err.value)
        assert dut.runner.wait_exit(10) == 3


def test_firmware_that_never_answers(board, test_image):
    with open_dut(board, test_image.elf, boot_timeout_s=20) as dut:
        dut.link.command("name")
        t0 = time.monotonic()
        with pytest.raises(LinkTimeoutError) as err:
            dut.link.command("hb-hang", timeout=1.5)
        assert 1.4 < time.monotonic() - t0 < 5
        assert "last bytes received" in str(err.value) and "m-ready" in str(err.value)


def test_simulator_killed_mid_run(board, test_image):
    with open_dut(board, test_image.elf, boot_timeout_s=20) as dut:
        dut.link.command("name")
        dut.link.write(b"hb-hang%")
        threading.Timer(0.5, dut.runner.process.stop).start()
        t0 = time.monotonic()
        with pytest.raises(LinkError) as err:
            dut.link.read_until(b"m-ready\r\n", timeout=20)
        assert not isinstance(err.value, LinkTimeoutError), "a dead simulator must not look like a slow one"
        assert time.monotonic() - t0 < 10


class _Garble(SerialLink):
    def write(self, data):
        if len(data) > 64 and not data.startswith(b"hb-"):
            data = bytearray(data)
            data[10] ^= 0xFF
            data = bytes(data)
        super().write(data)


def test_garbled_byte_on_the_real_link(board, test_image):
    with open_dut(board, test_image.elf, boot_timeout_s=20) as dut:
        dut.link.__class__ = _Garble   # corrupt every bulk transfer on its way into QEMU
        dut.protocol.put_retries = 1
        with pytest.raises(ProtocolError, match="crc mismatch"):
            dut.protocol.put(os.urandom(500), timeout=10)
        assert dut.protocol.retransmissions == 1
        dut.link.__class__ = SerialLink
        dut.protocol.put(os.urandom(500), timeout=10)   # the link recovers: framing kept it in sync


def test_model_too_big_is_refused_before_running(tmp_path):
    from hil_bench.boards import load_board
    from hil_bench.firmware import build_firmware

    t0 = time.monotonic()
    with pytest.raises(DoesNotFitError, match="ssram1"):
        build_firmware(load_board("mps2-an386"), b"\0" * (5 * 1024 * 1024))
    with pytest.raises(DoesNotFitError, match="isram"):
        build_firmware(load_board("corstone300"), b"\0" * 1024, arena_bytes=16 * 1024 * 1024)
    assert time.monotonic() - t0 < 5
