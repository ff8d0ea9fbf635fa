"""Running a compiler or binutil: one deadline, one error shape, for every build hil-bench does."""

from __future__ import annotations

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
