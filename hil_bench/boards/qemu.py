"""Start a board under QEMU (Debian's qemu-system-arm) with deterministic instruction-counted time.

`-icount shift=0,align=off,sleep=off`: one instruction = 1 ns of virtual time, so SysTick deltas
count instructions (not cycles). The UART is a TCP server on a free loopback port with wait=on,
so nothing the firmware prints before the host connects is lost. Semihosting carries the exit code.

Profile mode (:meth:`QemuRunner.profile_args`) adds QEMU's own execution log, which
:mod:`hil_bench.timing` turns into an executed-instruction histogram; it slows QEMU several times and
writes tens of bytes per executed block, so only a profile pass turns it on.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from hil_bench.boards._process import SimProcess, free_port
from hil_bench.boards.runner import Availability, Option, Runner
from hil_bench.errors import BoardError, ToolMissingError

if TYPE_CHECKING:
    from hil_bench.boards.board import Board, RunnerSpec

QEMU = "qemu-system-arm"
INSTALL = f"{QEMU} not found; install it with: apt-get install qemu-system-arm"


class QemuRunner(Runner):
    kind = "qemu"
    timing_source = "qemu-icount-instructions"
    timing_unit = "instructions"
    simulator = True
    program = QEMU
    options = (Option("machine", str, required=True, help='QEMU machine, e.g. machine = "mps3-an547"'),)

    @classmethod
    def available(cls, spec) -> Availability:
        return Availability(True) if shutil.which(QEMU) else Availability(False, INSTALL)

    def __init__(self, board: Board, elf: Path, spec: RunnerSpec | None = None, *, log_dir: Path | None = None,
                 start_timeout_s: float = 20.0, extra_args: tuple[str, ...] = ()):
        spec = spec or next((s for s in board.runners if s.kind == "qemu"), None)
        if spec is None or spec.kind != "qemu":
            raise BoardError(f"board {board.name!r} has no qemu runner")
        super().__init__(board, elf, spec, log_dir=log_dir)
        self.start_timeout_s, self.extra_args = start_timeout_s, tuple(extra_args)
        self.port: int | None = None
        self.process: SimProcess | None = None

    @staticmethod
    def profile_args(log: Path) -> tuple[str, ...]:
        """QEMU's log of every translated block (in_asm) and every block executed (exec; nochain so
        that chained blocks are logged too), written to ``log``."""
        return ("-d", "in_asm,exec,nochain", "-D", str(log))

    def command(self, port: int) -> list[str]:
        # nodelay=on: the guest's UART hands QEMU one byte per write, and QEMU's end of the TCP
        # socket ran Nagle's algorithm: after the first byte of a reply, the rest waited for the
        # host's ACK, which Linux delays by ~40 ms when it has no data to send back (the host is
        # waiting for the reply). That delayed ACK was the ~45 ms every command round trip cost;
        # setting TCP_NODELAY on the host side only (link/client.py) cannot remove it. Measured on
        # corstone300 with `name%`: median 48 ms -> 1 ms (the rest of the gain is the firmware's WFI
        # idle wait, firmware/bsp/cmsdk/uart_cmsdk.c).
        return [QEMU, "-M", self.spec.option("machine"), "-nographic", "-monitor", "none",
                "-icount", "shift=0,align=off,sleep=off",
                "-semihosting-config", "enable=on,target=native",
                "-serial", f"tcp:127.0.0.1:{port},server=on,wait=on,nodelay=on",
                "-kernel", str(self.elf), *self.extra_args]

    def start(self) -> str:
        if shutil.which(QEMU) is None:
            raise ToolMissingError(INSTALL)
        if not self.elf.is_file():
            raise BoardError(f"firmware image {self.elf} does not exist")
        last = None
        for _ in range(3):  # another process may grab the free port between probe and bind: retry
            self.port = free_port()
            self.process = SimProcess(self.command(self.port), self.log_dir, name=f"qemu-{self.board.name}")
            try:
                self.process.wait_listening(self.port, self.start_timeout_s)
                return self.url
            except BoardError as exc:
                last = exc
                self.process.stop()
                if "Address already in use" not in self.process.log_tail():
                    raise
        raise last

    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    def stop(self) -> int | None:
        return self.process.stop() if self.process else None

    def wait_exit(self, timeout: float) -> int | None:
        return self.process.wait(timeout) if self.process else None

    def alive(self) -> bool:
        return bool(self.process and self.process.alive())

    def log_path(self) -> Path | None:
        return self.process.log_path if self.process else None

    def ticks_to_unit(self, ticks: int, clock_hz: int) -> float:
        # SysTick runs at clock_hz of virtual time; with shift=0 one instruction takes 1 ns.
        return ticks * 1e9 / clock_hz
