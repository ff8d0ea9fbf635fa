"""The firmware's replies on real QEMU boards (every --board), including the byte sequences MLPerf Tiny's
runner sends."""

import re

import pytest

from hil_bench.boards.session import open_dut

from .conftest import needs_tools

pytestmark = needs_tools


def test_boots_and_answers(board, test_image):
    with open_dut(board, test_image.elf, boot_timeout_s=20) as dut:
        assert dut.boot_status == "no-model"
        p = dut.protocol
        assert p.name() == f"hil-bench {board.name}"
        info = p.info()
        assert info["board"] == board.name and info["image"] == "test-no-model"
        assert info["timer"] == "systick" and info["timer_hz"] == dut.board.cpu.clock_hz
        assert 0 < info["stack_used"] < info["stack_bytes"]
        p.exit(5)
        assert dut.runner.wait_exit(10) == 5   # semihosting SYS_EXIT_EXTENDED carries the code


def _raw(link, cmd: bytes):
    """Send exactly the bytes MLPerf's runner sends and return the reply lines before m-ready."""
    link.write(cmd)
    return link.reply_lines(10, cmd.decode())


def test_mlperf_runner_byte_sequences(board, test_image):
    with open_dut(board, test_image.elf, boot_timeout_s=20) as dut:
        link = dut.link
        # DUT._get_name: regex ^m-(name)-dut-\[([^]]+)]$ on each line
        lines = _raw(link, b"name%")
        assert any(re.match(r"^m-(name)-dut-\[([^]]+)]$", l) for l in lines)
        # DUT._get_profile: ^m-(model|profile)-\[([^]]+)]$
        lines = _raw(link, b"profile%")
        assert [re.match(r"^m-(model|profile)-\[([^]]+)]$", l).group(1) for l in lines] == ["profile", "model"]
        t1 = int(_raw(link, b"timestamp%")[0].removeprefix("m-lap-us-"))
        # DUT.load: "db load N" then "db " + up to 31 bytes of hex per command
        data = bytes(range(40))
        assert _raw(link, b"db load 40%") == ["m-[Expecting 40 bytes]"]
        assert _raw(link, b"db " + data[:31].hex().encode() + b"%") == []
        assert _raw(link, b"db " + data[31:].hex().encode() + b"%") == ["m-load-done"]
        printed = _raw(link, b"db print%")
        assert printed[0] == "m-buffer-00-01-02-03-04-05-06-07" and len(printed) == 5
        # timestamps (m-lap-us-N) grow with the work done in between. Not between two back-to-back
        # timestamp commands: SysTick is paused while the firmware waits for the host (uart_cmsdk.c), and on
        # the M33 (mps2-an505) the command itself runs in under 1 us, so two such stamps can be equal.
        t2 = int(_raw(link, b"timestamp%")[0].removeprefix("m-lap-us-"))
        assert t2 > t1
        # infer without a model: an e-[...] line, still ending in m-ready
        assert _raw(link, b"infer 1 0%") == ["e-[no model: no-model]"]
        assert _raw(link, b"results%") == ["m-results-[]"]
        assert _raw(link, b"bogus%") == ["e-[Unknown command: bogus]"]
        assert _raw(link, b"infer 0%") == ["e-[Inference iterations must be >0]"]
        assert _raw(link, b"db load 0%") == ["e-[Command 'db load' must be >0 bytes]"]
        assert _raw(link, b"db 0g%") == ["e-[Invalid hex digit '0g']"]
        # an over-long command (EE_CMD_SIZE is 80) is refused whole, not run cut short, and the device still answers
        assert _raw(link, b"x" * 200 + b"%")[0].startswith("e-[Command longer than 80 characters")
        assert _raw(link, b"name%")


def test_binary_put_roundtrip_and_bounds(board, test_image):
    import os

    with open_dut(board, test_image.elf, boot_timeout_s=20) as dut:
        p = dut.protocol
        data = os.urandom(3000)
        p.put(data)
        lines = dut.link.command("db print")
        dumped = bytes.fromhex("".join(l.removeprefix("m-buffer-").replace("-", "") for l in lines))
        assert dumped == data
        from hil_bench.errors import DeviceError

        with pytest.raises(DeviceError, match="outside"):
            p.put(bytes(70000))
        with pytest.raises(DeviceError, match="outside the model"):
            p.read_model(0, 16)
