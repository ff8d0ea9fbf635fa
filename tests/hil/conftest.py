"""HIL tests: real QEMU machines, selected with ``pytest --board=NAME`` (the hil_bench pytest plugin),
free ports, and a check after every test that nothing but the plugin's shared device is left running."""

import os
import shutil
import subprocess

import pytest

from hil_bench.boards import _process
from hil_bench.pytest_plugin import current_device

needs_tools = pytest.mark.skipif(
    shutil.which("qemu-system-arm") is None or shutil.which("arm-none-eabi-gcc") is None,
    reason="needs qemu-system-arm and arm-none-eabi-gcc (make install)")


def our_qemu_children() -> list[str]:
    out = subprocess.run(["pgrep", "-a", "-P", str(os.getpid())], capture_output=True, text=True, timeout=10)
    return [line for line in out.stdout.splitlines() if "qemu" in line]


@pytest.fixture(autouse=True)
def nothing_left_running(request):
    yield
    shared = current_device(request.config)       # the dut fixture's device lives on between tests
    kept = getattr(shared.runner, "process", None) if shared is not None else None
    assert set(_process._LIVE) <= {kept}, "a simulator process was left registered"
    assert [line for line in our_qemu_children() if kept is None or line.split()[0] != str(kept.pid)] == [], \
        "a QEMU process was left running"


@pytest.fixture(scope="session")
def test_image(board):
    """The model-less TEST image (protocol and link only) of this test's board, built once (cached by hash)."""
    from hil_bench.firmware import build_firmware

    return build_firmware(board)
