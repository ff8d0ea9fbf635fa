"""Board registry: ``boards/*.toml`` by name, plus which runner of a board can start here.

A board is data (:mod:`hil_bench.boards.board`); runners (:mod:`.qemu`, :mod:`.fvp`, :mod:`.pyocd`) start
one, and are imported only when used so a missing tool never breaks listing boards.
"""

from __future__ import annotations

import os
from pathlib import Path

from hil_bench.boards.board import Board, MemoryRegion, RunnerSpec, load_board_file
from hil_bench.errors import BoardError

__all__ = ["Board", "MemoryRegion", "RunnerSpec", "boards_dir", "describe_boards", "list_boards", "load_board",
           "runner_available",
           "pick_runner"]


def boards_dir() -> Path:
    """``$HIL_BENCH_BOARDS`` if set, else the ``boards/`` folder of the source tree."""
    env = os.environ.get("HIL_BENCH_BOARDS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "boards"


def list_boards() -> list[str]:
    return sorted(p.stem for p in boards_dir().glob("*.toml"))


def load_board(name: str | Board) -> Board:
    if isinstance(name, Board):
        return name
    path = boards_dir() / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(list_boards()) or "none"
        raise BoardError(f"unknown board {name!r}; known boards: {known} (in {boards_dir()})")
    return load_board_file(path)


def runner_available(spec: RunnerSpec) -> bool:
    """Whether the tool this runner needs is installed here (no tool is started)."""
    import importlib.util
    import shutil

    if spec.kind == "qemu":
        return shutil.which("qemu-system-arm") is not None
    if spec.kind == "fvp":
        return shutil.which(spec.option("executable", "")) is not None
    if spec.kind == "pyocd":
        return importlib.util.find_spec("pyocd") is not None
    if spec.kind == "host":
        return shutil.which("cc") is not None
    return False


def pick_runner(board: Board, prefer: str | None = None) -> RunnerSpec:
    """The first runner of the board (in the file's order of preference) whose tool is here."""
    specs = [s for s in board.runners if prefer in (None, s.kind)]
    if not specs:
        raise BoardError(f"board {board.name!r} has no {prefer!r} runner; it has: "
                         f"{', '.join(s.kind for s in board.runners)}")
    for spec in specs:
        if runner_available(spec):
            return spec
    from hil_bench.errors import ToolMissingError

    raise ToolMissingError(f"no runner for board {board.name!r} is installed here (tried "
                           f"{', '.join(s.kind for s in specs)}); for QEMU: apt-get install qemu-system-arm")


def describe_boards() -> list[dict]:
    """One row per board for ``hil-bench boards``: name, CPU, and each runner with whether it is installed."""
    rows = []
    for name in list_boards():
        try:
            b = load_board(name)
        except BoardError as exc:
            rows.append({"board": name, "error": str(exc)})
            continue
        rows.append({"board": b.name, "description": b.description, "cpu": b.cpu.core,
                     "clock_hz": b.cpu.clock_hz,
                     "runners": [{"kind": s.kind, **dict(s.options), "available": runner_available(s)}
                                 for s in b.runners]})
    return rows
