"""What every runner declares and gives: typed options, simulator or not, available here, alive; start, stop.

A runner kind is a class; :mod:`hil_bench.boards.runners` keys them by kind. Runners are context
managers; leaving the block always stops (kills) the board.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from hil_bench.errors import BoardError

if TYPE_CHECKING:
    from hil_bench.boards.board import Board, RunnerSpec


@dataclass(frozen=True)
class Option:
    """One key a board file may give a runner (``[[runner]]`` table), with its type."""

    name: str
    type: type
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class Availability:
    ok: bool
    reason: str = ""     # when not ok: what is missing and how to get it

    def __bool__(self) -> bool:
        return self.ok


class Runner(ABC):
    kind: ClassVar[str] = ""
    simulator: ClassVar[bool] = False   # a simulator honours semihosting (exit codes); silicon would fault on it
    starts_image: ClassVar[bool] = True  # False: the runner runs the model itself (no firmware image)
    options: ClassVar[tuple[Option, ...]] = ()
    timing_source: ClassVar[str] = ""    # how the device's ticks should be read: see timing_unit
    timing_unit: ClassVar[str] = ""
    program: ClassVar[str | None] = None  # the program whose version shapes the timing (result rows record it)

    def __init__(self, board: Board, elf: Path, spec: RunnerSpec, *, log_dir: Path | None = None):
        self.check_options(spec, f"board {board.name!r}")
        self.board, self.elf, self.spec, self.log_dir = board, Path(elf), spec, log_dir

    @classmethod
    def check_options(cls, spec: RunnerSpec, where: str) -> None:
        """Refuse unknown, missing and mistyped options, naming ``where`` (the board or its file)."""
        declared = {o.name: o for o in cls.options}
        given = dict(spec.options)
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise BoardError(f"{where}: unknown {cls.kind} runner option(s) {unknown}; allowed: {sorted(declared)}")
        for option in cls.options:
            if option.name not in given:
                if option.required:
                    raise BoardError(f"{where}: the {cls.kind} runner needs {option.name} = ... ({option.help})")
                continue
            value = given[option.name]
            if not isinstance(value, option.type) or (option.type is str and not value):
                raise BoardError(f"{where}: {cls.kind} runner option {option.name} must be a non-empty "
                                 f"{option.type.__name__}, got {value!r}")
        cls.check_combination(given, where)

    @classmethod
    def check_combination(cls, options: dict[str, Any], where: str) -> None:
        """Constraints between options (override when a runner has some)."""

    @classmethod
    @abstractmethod
    def available(cls, spec: RunnerSpec) -> Availability:
        """Whether the tool this runner needs is installed here (nothing is started), with why not."""

    @classmethod
    def semihosting(cls, spec: RunnerSpec) -> bool:
        """Whether images for this runner may exit through semihosting (only where something honours it)."""
        return cls.simulator

    @classmethod
    def ticks_count_instructions(cls, spec: RunnerSpec) -> bool:
        """Whether the device timer ticks with executed instructions rather than time (QEMU -icount): the
        firmware then reports MLPerf timestamps as instructions at the board clock (hb_cmd_mlperf.c)."""
        return cls.timing_unit == "instructions"

    @abstractmethod
    def start(self) -> str:
        """Start the board running the image; return the serial URL or device path for the link."""

    @abstractmethod
    def stop(self) -> int | None:
        """Stop the board (always succeeds); return the exit status if the runner knows it."""

    @abstractmethod
    def wait_exit(self, timeout: float) -> int | None:
        """Wait for the board to leave on its own (semihosting exit); None if it did not in time."""

    @abstractmethod
    def alive(self) -> bool:
        """Whether the started board is still running (False once stopped or its process died)."""

    def link_ready(self) -> None:
        """Called once the host's serial link is connected (a runner that holds the core until then lets it run)."""

    def log_path(self) -> Path | None:
        return None

    def ticks_to_unit(self, ticks: int, clock_hz: int) -> float:
        """Convert device timer ticks into ``timing_unit``."""
        return float(ticks)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
