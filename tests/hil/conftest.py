"""HIL tests: real QEMU machines, free ports, and a check after every test that nothing is left running."""

import os
import shutil
import subprocess

import pytest

from hil_bench.boards import _process

QEMU_BOARDS = ["corstone300", "mps2-an386", "mps2-an500", "mps2-an505"]

needs_tools = pytest.mark.skipif(
    shutil.which("qemu-system-arm") is None or shutil.which("arm-none-eabi-gcc") is None,
    reason="needs qemu-system-arm and arm-none-eabi-gcc (make install)")


def our_qemu_children() -> list[str]:
    out = subprocess.run(["pgrep", "-a", "-P", str(os.getpid())], capture_output=True, text=True, timeout=10)
    return [line for line in out.stdout.splitlines() if "qemu" in line]


@pytest.fixture(autouse=True)
def nothing_left_running():
    yield
    assert not list(_process._LIVE), "a simulator process was left registered"
    assert our_qemu_children() == [], "a QEMU process was left running"


@pytest.fixture(scope="session")
def test_images():
    """Model-less TEST images (protocol and link only), one per board, built once (cached by hash)."""
    from hil_bench.firmware import build_firmware

    return {name: build_firmware(name) for name in QEMU_BOARDS}
