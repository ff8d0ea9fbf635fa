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
    assert "not an empty folder" in " ".join(capsys.readouterr().err.split())   # undo the 100-column wrap
    assert (tmp_path / "keep.txt").read_text() == "mine"
    assert main(["export", str(KWS), "--project", str(tmp_path / "p"), "--board", "host"]) == 2
    assert main(["export", str(KWS), "--project", str(tmp_path / "q")]) == 2
    assert not (tmp_path / "p").exists() and not (tmp_path / "q").exists()


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_runtime_installs_as_a_cmake_package_and_reports_the_same_op_table(tmp_path):
    """firmware/runtime as users take it: configure, build and install the library, then a project that
    only says find_package(hil_bench_runtime) links the host runner against it."""
    import json

    from hil_bench.resources import firmware_dir
    from hil_bench.runtime.build import build_host_runner

    runtime, prefix, app = firmware_dir() / "runtime", tmp_path / "prefix", tmp_path / "app"
    _cmake("-S", str(runtime), "-B", str(tmp_path / "lib"), "-DCMAKE_C_FLAGS=-Wall -Wextra -Werror")
    _cmake("--build", str(tmp_path / "lib"), "-j", "2")
    _cmake("--install", str(tmp_path / "lib"), "--prefix", str(prefix))
    app.mkdir()
    (app / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.16)\nproject(app C)\nfind_package(hil_bench_runtime REQUIRED)\n"
        f"add_executable(hb_run {firmware_dir() / 'host' / 'hb_run.c'})\n"
        "target_link_libraries(hb_run PRIVATE hil_bench::runtime)\n")
    _cmake("-S", str(app), "-B", str(app / "build"), f"-DCMAKE_PREFIX_PATH={prefix}")
    _cmake("--build", str(app / "build"))
    ops = subprocess.run([str(app / "build" / "hb_run"), "--ops"], capture_output=True, text=True, timeout=60)
    harness = subprocess.run([str(build_host_runner()), "--ops"], capture_output=True, text=True, timeout=60)
    assert ops.returncode == 0 and json.loads(ops.stdout) == json.loads(harness.stdout)
