"""Running a compiler or binutil: one deadline, one error shape, for every build hil-bench does."""

from __future__ import annotations

import functools
import subprocess
from typing import Callable

from hil_bench.errors import BuildError


def run_build_tool(cmd: list[str], what: str, timeout_s: float,
                   on_failure: Callable[[str], None] | None = None) -> subprocess.CompletedProcess:
    """Run ``cmd`` (text output captured); raise BuildError naming ``what`` on a timeout or failure.

    ``on_failure(stderr)`` may raise a more specific error (e.g. a region overflow) first.
    """
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise BuildError(f"{what}: {cmd[0]} did not finish within {timeout_s:.0f} s") from None
    except FileNotFoundError:
        raise BuildError(f"{what}: {cmd[0]} is not installed (run `make install`)") from None
    if proc.returncode != 0:
        if on_failure is not None:
            on_failure(proc.stderr)
        raise BuildError(f"{what} failed:\n$ {' '.join(cmd)}\n{proc.stderr.strip()[-4000:]}")
    return proc


@functools.lru_cache(maxsize=None)
def tool_version(program: str) -> str | None:
    """The first line of ``program --version`` (None when not installed): what a build or run depended on."""
    try:
        out = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = (out.stdout or out.stderr).splitlines()
    return lines[0].strip() if lines else None


TOOLCHAIN = ("arm-none-eabi-gcc", "arm-none-eabi-ld")
"""The tools whose versions shape an image's bytes: a change makes sizes and latency incomparable."""


def toolchain_versions(runner_program: str | None = None) -> dict[str, str | None]:
    """Versions of the cross toolchain, plus the simulator's (e.g. ``qemu-system-arm``) when given."""
    programs = TOOLCHAIN + ((runner_program,) if runner_program else ())
    return {p: tool_version(p) for p in programs}
