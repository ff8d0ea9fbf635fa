"""Start a board on an Arm Fixed Virtual Platform (e.g. FVP_Corstone_SSE-300_Ethos-U55).

Flags are Arm's documented FVP parameters: the ELF is loaded with ``-a cpu0=``, UART0 goes to
telnet terminal 0 on a free port (no terminal window is spawned), semihosting gives the exit code,
``shutdown_on_eot`` stops the model when the firmware writes EOT. Timing from an FVP is labelled
``fvp``: its cycles are a programmer's-view model, not cycle-accurate.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from typing import TYPE_CHECKING

from hil_bench.boards._process import SimProcess, free_port
from hil_bench.boards.runner import Availability, Option, Runner
from hil_bench.errors import ToolMissingError

if TYPE_CHECKING:
    from hil_bench.boards.board import Board, RunnerSpec


def _missing(executable: str) -> str:
    return (f"{executable or 'the FVP'} is not on PATH; download it from Arm "
            "(Arm Ecosystem FVPs) and add its folder to PATH")


class FvpRunner(Runner):
    kind = "fvp"
    timing_source = "fvp"
    timing_unit = "fvp-cycles"
    simulator = True
    options = (Option("executable", str, required=True, help='the FVP program, e.g. "FVP_Corstone_SSE-300_Ethos-U55"'),
               Option("uart", str, help="the UART instance (default mps3_board.uart0)"),
               Option("terminal", str, help="its telnet terminal (default beside the UART)"),
               Option("cpu", str, help="the CPU instance that loads the ELF (default cpu0)"),
               Option("extra", list, help="more FVP arguments"))

    @classmethod
    def available(cls, spec) -> Availability:
        executable = spec.option("executable", "")
        return Availability(True) if shutil.which(executable) else Availability(False, _missing(executable))

    def __init__(self, board: Board, elf: Path, spec: RunnerSpec, *, log_dir: Path | None = None,
                 start_timeout_s: float = 60.0):
        super().__init__(board, elf, spec, log_dir=log_dir)
        self.executable = spec.option("executable") or ""
        self.uart = spec.option("uart", "mps3_board.uart0")
        self.terminal = spec.option("terminal", self.uart.rsplit(".", 1)[0] + ".telnetterminal0")
        self.cpu = spec.option("cpu", "cpu0")
        self.start_timeout_s = start_timeout_s
        self.port: int | None = None
        self.process: SimProcess | None = None

    def command(self, port: int) -> list[str]:
        t = self.terminal
        return [self.executable, "-a", f"{self.cpu}={self.elf}",
                "-C", "mps3_board.visualisation.disable-visualisation=1",
                "-C", f"{t}.start_telnet=0",
                "-C", f"{t}.start_port={port}",
                "-C", f"{t}.quiet=1",
                "-C", f"{self.uart}.shutdown_on_eot=1",
                "-C", f"{self.cpu}.semihosting-enable=1",
                "--stat",
                *list(self.spec.option("extra", []))]

    def start(self) -> str:
        if not self.executable or shutil.which(self.executable) is None:
            raise ToolMissingError(_missing(self.executable))
        self.port = free_port()
        self.process = SimProcess(self.command(self.port), self.log_dir, name=f"fvp-{self.board.name}")
        self.process.wait_listening(self.port, self.start_timeout_s)
        return f"socket://127.0.0.1:{self.port}"

    def stop(self) -> int | None:
        return self.process.stop() if self.process else None

    def wait_exit(self, timeout: float) -> int | None:
        return self.process.wait(timeout) if self.process else None

    def alive(self) -> bool:
        return bool(self.process and self.process.alive())

    def log_path(self) -> Path | None:
        return self.process.log_path if self.process else None
