"""The runtime leaves the harness: `hil-bench export --project` writes a CMake firmware project for
mps2-an386, CMake and the Arm GNU toolchain build it, and its ELF, started under QEMU by the boards'
own runner, prints the outputs `hil-bench run` gives on the same input."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest

from hil_bench.boards import load_board, pick_runner
from hil_bench.boards.session import make_runner
from hil_bench.cli.main import main
from hil_bench.link.client import SerialLink

from .test_wheel import KWS

pytestmark = pytest.mark.skipif(
    any(shutil.which(t) is None for t in ("qemu-system-arm", "arm-none-eabi-gcc", "cmake")),
    reason="needs qemu-system-arm, arm-none-eabi-gcc and cmake (make install)")

BOARD = "mps2-an386"


def _cmake(*args: str) -> None:
    proc = subprocess.run(["cmake", *args], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def _run_elf(elf, log_dir) -> str:
    """Start the ELF on the board's QEMU (free port), read its UART to the end line, always stop it."""
    board = load_board(BOARD)
    runner = make_runner(board, elf, pick_runner(board), log_dir)
    try:
        with SerialLink.open(runner.start(), baud=board.serial.baud, deadline_s=30.0, name=f"{BOARD} export") as link:
            text = link.read_until(b"hb-export done", timeout=120.0, what="the exported firmware's outputs")
        assert runner.wait_exit(30.0) == 0
    finally:
        runner.stop()
    assert not runner.alive()
    return text.decode(errors="replace")


def test_exported_project_builds_with_cmake_and_prints_runs_outputs(tmp_path, capsys):
    project = tmp_path / "kws"
    assert main(["export", str(KWS), "--project", str(project), "--board", BOARD]) == 0
    assert "cmake -S" in capsys.readouterr().out
    _cmake("-S", str(project), "-B", str(project / "build"), f"-DCMAKE_TOOLCHAIN_FILE={project / 'arm-none-eabi.cmake'}")
    _cmake("--build", str(project / "build"))
    text = _run_elf(project / "build" / "firmware.elf", tmp_path)

    assert "hb-export kernels=dsp" in text, text   # the Cortex-M4's DSP path, as `run` builds it
    found = re.search(r"output 0 type=9 bytes=(\d+):((?: -?\d+)+)", text)
    assert found, text
    exported = np.array(found.group(2).split(), dtype=np.int8)
    assert len(exported) == int(found.group(1)) == 12

    saved = tmp_path / "y.npy"
    assert main(["run", str(KWS), "--board", BOARD, "--inputs", str(project / "input.npy"), "--runs", "1",
                 "--save-outputs", str(saved)]) == 0
    np.testing.assert_array_equal(np.load(saved).reshape(-1), exported)


def test_export_refuses_a_non_empty_folder_and_the_host_board(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("mine")
    assert main(["export", str(KWS), "--project", str(tmp_path), "--board", BOARD]) == 2
    assert "not an empty folder" in capsys.readouterr().err
    assert (tmp_path / "keep.txt").read_text() == "mine"
    assert main(["export", str(KWS), "--project", str(tmp_path / "p"), "--board", "host"]) == 2
    assert main(["export", str(KWS), "--project", str(tmp_path / "q")]) == 2
    assert not (tmp_path / "p").exists() and not (tmp_path / "q").exists()
