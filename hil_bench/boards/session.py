"""Start a board with a firmware image and hand back a connected protocol: ``with open_dut(...) as dut``.

Leaving the block always stops the board, whatever happened inside, and checks nothing is left running.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hil_bench.boards import Board, RunnerSpec, pick_runner, runner_class
from hil_bench.boards.runner import Runner
from hil_bench.errors import BoardError, LinkTimeoutError
from hil_bench.link import Protocol, SerialLink


@dataclass
class Dut:
    board: Board
    runner: Runner
    link: SerialLink
    protocol: Protocol
    boot_status: str   # the model status the firmware printed at boot ("ok", "no-model", or an error)


def make_runner(board: Board, elf: Path, spec: RunnerSpec, log_dir: Path | None = None,
                profile_log: Path | None = None) -> Runner:
    """``profile_log``: where the runner writes its execution profile (only QEMU has one: hil_bench.timing)."""
    cls = runner_class(spec.kind)
    if not cls.starts_image:
        raise BoardError(f"runner kind {spec.kind!r} cannot start a firmware image")
    if profile_log is None:
        return cls(board, elf, spec, log_dir=log_dir)
    if not hasattr(cls, "profile_args"):
        raise BoardError(f"the {spec.kind} runner cannot log an execution profile (only qemu can)")
    return cls(board, elf, spec, log_dir=log_dir, extra_args=cls.profile_args(profile_log))


@contextmanager
def open_dut(board: Board, elf: Path, *, runner: str | None = None, boot_timeout_s: float = 30.0,
             log_dir: Path | None = None, profile_log: Path | None = None):
    spec = pick_runner(board, runner)
    run = make_runner(board, Path(elf), spec, log_dir, profile_log)
    link = None
    try:
        url = run.start()
        link = SerialLink.open(url, baud=board.serial.baud if board.serial else 115200,
                               deadline_s=boot_timeout_s, name=f"{board.name} ({spec.kind})")
        run.link_ready()
        proto = Protocol(link)
        try:
            _, status = proto.wait_boot(boot_timeout_s)
        except LinkTimeoutError as exc:   # say what the board's process did, and where its log is
            log = run.log_path()
            raise LinkTimeoutError(f"{exc}; the {spec.kind} process {'is still running' if run.alive() else 'has exited'}"
                                   + (f", its log: {log}" if log else "")) from None
        yield Dut(board, run, link, proto, status)
    finally:
        if link is not None:
            link.close()
        run.stop()
