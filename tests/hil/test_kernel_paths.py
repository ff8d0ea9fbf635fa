"""The build's optimized kernel path (Helium, DSP) against the plain C kernels, byte for byte, on the
simulated core of every --board (firmware/tests/kernel_check, hil_bench.firmware.kernel_check)."""

import re

import pytest

from hil_bench.firmware.kernel_check import run_kernel_check

from .conftest import needs_tools

pytestmark = needs_tools


def test_optimized_kernels_match_c_on_device(board, tmp_path):
    if board.is_host:
        pytest.skip("the host build has only the plain C path")
    result = run_kernel_check(board, cases=400, timeout_s=300, log_dir=tmp_path)
    assert result.fails is not None, f"the checker did not finish:\n{result.output[-2000:]}"
    assert result.passed, f"optimized kernels differ from the C reference on {board.name}:\n{result.output[-4000:]}"
    if board.cpu.mve != "none":
        assert result.path == "helium"
    # Only the families the build's path optimizes are checked (Helium and DSP: all seven; C: none);
    # the in-place kernels are checked on every path, against the dense ones on the decoded weights.
    for family in ("conv", "depthwise", "fc", "add", "avg_pool", "max_pool", "softmax"):
        if result.path == "c":
            assert f"{family}: not checked" in result.output
        else:
            assert re.search(rf"^{family}: [1-9]\d* cases, 0 failed", result.output, re.M), family
    assert re.search(r"^in place: [1-9]\d* cases, 0 failed", result.output, re.M)
    assert "fixedpoint: " in result.output
