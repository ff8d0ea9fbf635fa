"""The host "board": the runtime compiled natively and run in-process on this machine (outputs only).

It starts no firmware image (``starts_image = False``); the device path runs the model through
:mod:`hil_bench.runtime` instead. Listed here so that ``hil-bench boards`` can say whether it is available.
"""

from __future__ import annotations

import shutil

from hil_bench.boards.runner import Availability, Runner
from hil_bench.errors import BoardError


class HostRunner(Runner):
    kind = "host"
    simulator = False
    starts_image = False
    timing_source = "none"
    timing_unit = "none"

    @classmethod
    def available(cls, spec) -> Availability:
        if shutil.which("cc") is None:
            return Availability(False, "no C compiler 'cc' on PATH; install it with: apt-get install gcc")
        return Availability(True)

    def start(self) -> str:
        raise BoardError("the host board runs no firmware image; use hil_bench.dut.run_model")

    def stop(self) -> int | None:
        return None

    def wait_exit(self, timeout: float) -> int | None:
        return None

    def alive(self) -> bool:
        return False
