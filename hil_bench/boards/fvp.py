"""Start a board on an Arm Fixed Virtual Platform (e.g. FVP_Corstone_SSE-300_Ethos-U55).

Flags are Arm's documented FVP parameters: the ELF is loaded with ``-a cpu0=``, UART0 goes to
telnet terminal 0 on a free port (no terminal window is spawned), semihosting gives the exit code,
``shutdown_on_eot`` stops the model when the firmware writes EOT. Timing from an FVP is labelled
``fvp``: its cycles are a programmer's-view model, not cycle-accurate.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from hil_bench.boards._process import SimProcess, free_port
from hil_bench.boards.board import Board, RunnerSpec
from hil_bench.boards.runner import Runner
from hil_bench.errors import BoardError, ToolMissingError

_OPTIONS = {"executable", "uart", "terminal", "cpu", "extra"}


class FvpRunner(Runner):
    kind = "fvp"
    timing_source = "fvp"
    timing_unit = "fvp-cycles"

    def __init__(self, board: Board, elf: Path, spec: RunnerSpec, *, log_dir: Path | None = None,
                 start_timeout_s: float = 60.0):
        unknown = set(dict(spec.options)) - _OPTIONS
        if unknown:
            raise BoardError(f"board {board.name!r}: unknown fvp runner option(s) {sorted(unknown)}; "
                             f"allowed: {sorted(_OPTIONS)}")
        self.board, self.elf, self.spec = board, Path(elf), spec
        self.executable = spec.option("executable") or ""
        self.uart = spec.option("uart", "mps3_board.uart0")
        self.terminal = spec.option("terminal", self.uart.rsplit(".", 1)[0] + ".telnetterminal0")
        self.cpu = spec.option("cpu", "cpu0")
        self.log_dir, self.start_timeout_s = log_dir, start_timeout_s
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
            raise ToolMissingError(f"{self.executable or 'the FVP'} is not on PATH; download it from Arm "
                                   "(Arm Ecosystem FVPs) and add its folder to PATH")
        self.port = free_port()
        self.process = SimProcess(self.command(self.port), self.log_dir, name=f"fvp-{self.board.name}")
        self.process.wait_listening(self.port, self.start_timeout_s)
        return f"socket://127.0.0.1:{self.port}"

    def stop(self) -> int | None:
        return self.process.stop() if self.process else None

    def wait_exit(self, timeout: float) -> int | None:
        return self.process.wait(timeout) if self.process else None

    def log_path(self) -> Path | None:
        return self.process.log_path if self.process else None
