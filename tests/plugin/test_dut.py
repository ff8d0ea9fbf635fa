"""The dut fixture on a real QEMU corstone300: reused between tests, restarted after a failure, and
always stopped at the end -- checked by the QEMU process ids the inner tests record."""

import os
import shutil
import subprocess

import pytest

from hil_bench.boards import _process

pytestmark = pytest.mark.skipif(shutil.which("qemu-system-arm") is None or shutil.which("arm-none-eabi-gcc") is None,
                                reason="needs qemu-system-arm and arm-none-eabi-gcc (make install)")

RECORD = """
import os
from pathlib import Path

import numpy as np
import pytest

def record(dut):
    with open("pids.txt", "a") as f:
        f.write(f"{dut.runner.process.pid}\\n")

def previous_pids():
    p = Path("pids.txt")
    return [int(x) for x in p.read_text().split()] if p.exists() else []

def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
"""


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def qemu_children() -> list[str]:
    out = subprocess.run(["pgrep", "-a", "-P", str(os.getpid())], capture_output=True, text=True, timeout=10)
    return [line for line in out.stdout.splitlines() if "qemu" in line]


def pids(pytester) -> list[int]:
    return [int(x) for x in (pytester.path / "pids.txt").read_text().split()]


def _outer_devices():
    """Simulators this (outer) test session itself runs, e.g. its own shared dut: not the inner run's."""
    return set(_process._LIVE), set(qemu_children())


def _nothing_left_beyond(outer) -> bool:
    live, children = outer
    return set(_process._LIVE) <= live and set(qemu_children()) <= children


def test_dut_is_shared_then_stopped_at_the_end(pytester, run_inner):
    outer = _outer_devices()
    pytester.makepyfile(test_device=RECORD + """
def test_first(dut):
    y = dut.infer(np.zeros((1, 49, 10, 1), dtype=np.int8))
    assert y.shape == (1, 12) and y.dtype == np.int8
    assert dut.latency.unit == "instructions" and dut.latency.median > 1e6 and dut.latency.samples
    record(dut)

def test_second_reuses_the_device(dut):
    assert dut.latency is None                       # nothing measured yet in this test
    assert previous_pids() == [dut.runner.process.pid]
    with pytest.raises(Exception, match="input 0 of kws_ref_model.tflite is int8 shaped \\\\(1, 49, 10, 1\\\\)"):
        dut.infer(np.zeros((1, 49, 10, 1), dtype=np.float32))
    with pytest.raises(Exception, match="dut.infer\\\\(runs=0\\\\): give runs >= 1"):
        dut.infer(np.zeros((1, 49, 10, 1), dtype=np.int8), runs=0)   # not the last outputs with latency 0
    assert dut.latency is None
    record(dut)
""")
    result = run_inner("--board=corstone300")
    result.assert_outcomes(passed=2)
    first, second = pids(pytester)
    assert first == second and gone(first)
    assert _nothing_left_beyond(outer)


def test_failing_test_still_stops_the_board(pytester, run_inner):
    outer = _outer_devices()
    pytester.makepyfile(test_device=RECORD + """
def test_fails(dut):
    record(dut)
    assert dut.infer(np.zeros((1, 49, 10, 1), dtype=np.int8)).sum() == 12345, "the user's assertion"

def test_after_the_failure_gets_a_fresh_device(dut):
    (before,) = previous_pids()
    assert not alive(before) and dut.runner.process.pid != before
    record(dut)
""")
    result = run_inner("--board=corstone300")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: the user's assertion*"])
    assert all(gone(pid) for pid in pids(pytester)) and len(set(pids(pytester))) == 2
    assert _nothing_left_beyond(outer)


def test_hil_model_marker_path_that_does_not_exist(pytester, run_inner):
    pytester.makepyfile(test_device="""
import pytest

@pytest.mark.hil_model("models/missing.tflite")
def test_x(dut):
    pass
""")
    result = run_inner("--board=corstone300")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*model {pytester.path}/models/missing.tflite does not exist; mark the test*"])


def test_hil_model_marker_that_is_not_a_path(pytester, run_inner):
    pytester.makepyfile(test_device="""
import pytest

@pytest.mark.hil_model(42)
def test_x(dut):
    pass
""")
    result = run_inner("--board=corstone300")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*use @pytest.mark.hil_model(PATH) with one path*"])
    assert "TypeError" not in result.stdout.str()
