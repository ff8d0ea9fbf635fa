"""What every runner gives the rest of hil-bench: start the board with an image, a link URL, stop.

Runners are context managers; leaving the block always stops (kills) the board.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path


class Runner(ABC):
    kind: str = ""
    timing_source: str = ""      # how the device's ticks should be read: see timing_unit
    timing_unit: str = ""

    @abstractmethod
    def start(self) -> str:
        """Start the board running the image; return the serial URL or device path for the link."""

    @abstractmethod
    def stop(self) -> int | None:
        """Stop the board (always succeeds); return the exit status if the runner knows it."""

    @abstractmethod
    def wait_exit(self, timeout: float) -> int | None:
        """Wait for the board to leave on its own (semihosting exit); None if it did not in time."""

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
