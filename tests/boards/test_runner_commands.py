"""Runner command lines (QEMU, FVP) follow the documented flags; pyocd is optional and says how to install."""

import importlib.util
from pathlib import Path

import pytest

from hil_bench.boards import load_board
from hil_bench.boards.board import RunnerSpec
from hil_bench.boards.fvp import FvpRunner
from hil_bench.boards.pyocd import PyocdRunner
from hil_bench.boards.qemu import QemuRunner
from hil_bench.errors import BoardError, ToolMissingError


def test_qemu_command_line():
    board = load_board("corstone300")
    cmd = QemuRunner(board, Path("/x.elf")).command(4321)
    joined = " ".join(cmd)
    assert cmd[:3] == ["qemu-system-arm", "-M", "mps3-an547"]
    assert "-icount shift=0,align=off,sleep=off" in joined
    assert "-serial tcp:127.0.0.1:4321,server=on,wait=on,nodelay=on" in joined   # no Nagle on QEMU's side
    assert "-semihosting-config enable=on,target=native" in joined
    assert "-nographic" in cmd and "-kernel /x.elf" in joined


def test_qemu_rejects_unknown_option():
    board = load_board("mps2-an386")
    with pytest.raises(BoardError, match="unknown qemu runner option"):
        QemuRunner(board, Path("/x.elf"), RunnerSpec("qemu", (("machine", "m"), ("memory", "1G"))))


def test_qemu_ticks_are_instructions():
    r = QemuRunner(load_board("corstone300"), Path("/x.elf"))
    assert r.timing_source == "qemu-icount-instructions" and r.timing_unit == "instructions"
    assert r.ticks_to_unit(32, 32_000_000) == pytest.approx(1000.0)  # 32 ticks at 32 MHz = 1 us = 1000 insns


def test_fvp_command_line():
    board = load_board("corstone300")
    spec = next(s for s in board.runners if s.kind == "fvp")
    cmd = FvpRunner(board, Path("/x.elf"), spec).command(5555)
    joined = " ".join(cmd)
    assert cmd[0] == "FVP_Corstone_SSE-300_Ethos-U55"
    assert "-a cpu0=/x.elf" in joined
    assert "mps3_board.telnetterminal0.start_port=5555" in joined
    assert "mps3_board.telnetterminal0.start_telnet=0" in joined
    assert "mps3_board.uart0.shutdown_on_eot=1" in joined
    assert "cpu0.semihosting-enable=1" in joined


def test_fvp_missing_says_how_to_get_it(monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "which", lambda n: None)
    board = load_board("corstone300")
    spec = next(s for s in board.runners if s.kind == "fvp")
    with pytest.raises(ToolMissingError, match="PATH"):
        FvpRunner(board, Path("/x.elf"), spec).start()


def test_pyocd_needs_target_and_port():
    board = load_board("mps2-an386")
    with pytest.raises(BoardError, match="target"):
        PyocdRunner(board, Path("/x.elf"), RunnerSpec("pyocd", ()))
    with pytest.raises(BoardError, match="serial"):
        PyocdRunner(board, Path("/x.elf"), RunnerSpec("pyocd", (("target", "stm32h7"),)))


@pytest.mark.skipif(importlib.util.find_spec("pyocd") is not None, reason="pyocd is installed")
def test_pyocd_missing_is_tool_missing():
    board = load_board("mps2-an386")
    r = PyocdRunner(board, Path("/x.elf"), RunnerSpec("pyocd", (("serial", "/dev/null"), ("target", "t"))))
    with pytest.raises(ToolMissingError, match="pip install pyocd"):
        r.start()
