"""Board registry: board files by name, from the user's folders on top of the built-in ones, and which
runner of a board can start here.

A board is data (:mod:`hil_bench.boards.board`); runners (:mod:`.runners`: qemu, fvp, pyocd, host)
start one. This package knows nothing of firmware, runtimes or commands: :mod:`hil_bench.dut` puts
them together.

Where boards come from, first match wins: folders given with ``--boards-dir`` (:func:`add_boards_dir`),
then ``$HIL_BENCH_BOARDS`` (several folders separated by ``os.pathsep``), then the built-in boards.
A user board named like a built-in one overrides it; ``hil-bench boards`` says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hil_bench.boards.board import Board, MemoryRegion, RunnerSpec, load_board_file
from hil_bench.boards.runners import RUNNERS, runner_class
from hil_bench.errors import BoardError, ToolMissingError, UnknownBoardError, UsageError
from hil_bench.resources import builtin_boards_dir
from hil_bench.boards.labgrid import place_board

__all__ = ["Board", "BoardFile", "MemoryRegion", "RUNNERS", "RunnerSpec", "add_boards_dir", "board_dirs",
           "board_files", "describe_boards", "list_boards", "load_board", "pick_runner", "remove_boards_dir", "runner_available",
           "runner_class"]

_added_dirs: list[Path] = []


def add_boards_dir(path: str | Path) -> None:
    """Search ``path`` for board files before ``$HIL_BENCH_BOARDS`` and the built-in boards."""
    path = Path(path).expanduser()
    if not path.is_dir():
        raise UsageError(f"boards folder {path} does not exist or is not a folder")
    if path not in _added_dirs:
        _added_dirs.insert(0, path)


def remove_boards_dir(path: str | Path) -> None:
    """Undo :func:`add_boards_dir` (the pytest plugin does at the end of its session)."""
    path = Path(path).expanduser()
    if path in _added_dirs:
        _added_dirs.remove(path)


def board_dirs() -> list[Path]:
    """Every folder searched for ``NAME.toml``, first match wins; the built-in folder is last."""
    env = [Path(p).expanduser() for p in os.environ.get("HIL_BENCH_BOARDS", "").split(os.pathsep) if p]
    for folder in env:   # as --boards-dir: a folder that is not there is a mistake, not an empty folder
        if not folder.is_dir():
            raise UsageError(f"boards folder {folder} (from $HIL_BENCH_BOARDS) does not exist or is not a folder")
    return [*_added_dirs, *env, builtin_boards_dir()]


@dataclass(frozen=True)
class BoardFile:
    name: str
    path: Path
    builtin: bool
    overrides: Path | None = None   # the file of the same name it hides (a built-in or a later user folder)


def board_files() -> dict[str, BoardFile]:
    """Board name -> the file that defines it (and the one it overrides, if any)."""
    builtin = builtin_boards_dir()
    found: dict[str, BoardFile] = {}
    for folder in board_dirs():
        for path in sorted(folder.glob("*.toml")):
            if path.stem not in found:
                found[path.stem] = BoardFile(path.stem, path, folder == builtin)
            elif found[path.stem].overrides is None:
                found[path.stem] = BoardFile(path.stem, found[path.stem].path, False, path)
    return dict(sorted(found.items()))


def list_boards() -> list[str]:
    return list(board_files())


def load_board(name: str | Board) -> Board:
    if isinstance(name, Board):
        return name
    if name.startswith("labgrid:"):   # a board behind a labgrid place, named by the place's tags
        return place_board(name[len("labgrid:"):])
    entry = board_files().get(name)
    if entry is None:
        known = ", ".join(list_boards()) or "none"
        raise UnknownBoardError(f"unknown board {name!r}; known boards: {known} "
                         f"(searched {', '.join(str(d) for d in board_dirs())})")
    return load_board_file(entry.path)


def runner_available(spec: RunnerSpec) -> bool:
    """Whether the tool this runner needs is installed here (no tool is started)."""
    return bool(runner_class(spec.kind).available(spec))


def pick_runner(board: Board, prefer: str | None = None) -> RunnerSpec:
    """The first runner of the board (in the file's order of preference) whose tool is here."""
    specs = [s for s in board.runners if prefer in (None, s.kind)]
    if not specs:
        raise UnknownBoardError(f"board {board.name!r} has no {prefer!r} runner; it has: "
                         f"{', '.join(s.kind for s in board.runners)}")
    reasons = []
    for spec in specs:
        found = runner_class(spec.kind).available(spec)
        if found:
            return spec
        if prefer is not None:   # the user asked for this runner: say what it misses, not what else exists
            raise ToolMissingError(f"the {prefer} runner of board {board.name!r} cannot start here: {found.reason}")
        reasons.append(f"{spec.kind}: {found.reason}")
    raise ToolMissingError(f"no runner for board {board.name!r} is installed here; " + "; ".join(reasons))


def describe_boards() -> list[dict]:
    """One row per board for ``hil-bench boards``: name, CPU, where it comes from, and each runner with
    whether it is available here (and why not)."""
    rows = []
    for name, entry in board_files().items():
        where = {"file": str(entry.path), "builtin": entry.builtin,
                 "overrides": str(entry.overrides) if entry.overrides else None}
        try:
            b = load_board_file(entry.path)
        except BoardError as exc:
            rows.append({"board": name, "error": str(exc), **where})
            continue
        runners = []
        for s in b.runners:
            found = runner_class(s.kind).available(s)
            runners.append({"kind": s.kind, **dict(s.options), "available": found.ok,
                            **({} if found.ok else {"reason": found.reason})})
        rows.append({"board": b.name, "description": b.description, "cpu": b.cpu.core,
                     "clock_hz": b.cpu.clock_hz, "runners": runners, **where})
    return rows
