"""The results store: CSV files under ``results/``, each rewritten atomically on every append.

Layout (all files share :data:`~hil_bench.results.row.COLUMNS` as header):

- ``results/runs/<run_id>.csv`` — the rows of one run (``hil-bench bench``, one pytest session);
  git-ignored scratch.
- ``results/history.csv`` — every row of every run opened with ``history=True`` (the nightly job);
  the source of the history-over-time plot.
- ``results/baseline/*.csv`` — the committed baseline ``hil-bench compare`` checks against.

Why rewrite instead of appending in place: an append that is killed half-way leaves half a line,
and the next reader fails. Here every append writes the whole new content to a temp file next to
the target, fsyncs it and ``os.replace``-s it over the target, so at any instant the file is the
old complete content or the new complete content, and a SIGKILL loses at most the row being added.
A temp file left by a killed writer is removed by the next store opened on the same root.
Appends hold an ``flock`` on the directory, so two processes appending at once do not lose rows.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import socket
import typing
from pathlib import Path

import pandas as pd

from hil_bench.errors import ResultsError
from hil_bench.results.frame import decode_row, encode_row, rows_to_frame
from hil_bench.results.row import COLUMN_DEFAULTS, COLUMNS, RENAMED_COLUMNS, RUN_ID_PATTERN, ResultRow, new_run_id

try:
    import fcntl
except ImportError:  # not POSIX: appends from concurrent processes are not serialized
    fcntl = None

HISTORY_NAME = "history.csv"
RUNS_DIR = "runs"
_HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname()) or "host"
_TEMP = re.compile(r"\.(?P<name>.+)\.(?P<host>[A-Za-z0-9-]+)\.(?P<pid>\d+)\.tmp")


class ResultsStore:
    """Appends result rows of one run to ``root``; see the module docstring for the layout.

    ``history=True`` also appends every row to ``root/history.csv`` (what a nightly run wants; an
    ad-hoc bench run keeps the committed history clean by leaving it False).
    """

    def __init__(self, root: Path | str, run_id: str | None = None, history: bool = False) -> None:
        self.root = Path(root)
        self.run_id = run_id or new_run_id()
        if not RUN_ID_PATTERN.fullmatch(self.run_id):
            raise ResultsError(f"run id {self.run_id!r} cannot name a file; use new_run_id()")
        self.history = history
        remove_stale_temp_files(self.root)
        remove_stale_temp_files(self.root / RUNS_DIR)

    @property
    def run_path(self) -> Path:
        return self.root / RUNS_DIR / f"{self.run_id}.csv"

    @property
    def history_path(self) -> Path:
        return self.root / HISTORY_NAME

    def append(self, rows: ResultRow | typing.Iterable[ResultRow]) -> None:
        """Add finished rows; when this returns they are on disk (fsynced) in every file of the store."""
        rows = [rows] if isinstance(rows, ResultRow) else list(rows)
        for row in rows:
            if not isinstance(row, ResultRow):
                raise ResultsError(f"ResultsStore.append takes ResultRow objects, got {type(row).__name__}")
            if row.run_id != self.run_id:
                raise ResultsError(f"row {row.model}/{row.recipe}/{row.board} has run_id {row.run_id!r} but this "
                                   f"store writes run {self.run_id!r}; build rows with run_id=store.run_id")
        if not rows:
            return
        targets = [self.run_path] + ([self.history_path] if self.history else [])
        for path in targets:
            append_rows(path, rows)

    def read(self) -> pd.DataFrame:
        """This run's rows so far (an empty, typed DataFrame before the first append)."""
        return read_results(self.run_path) if self.run_path.exists() else rows_to_frame([])

    def read_history(self) -> pd.DataFrame:
        return read_results(self.history_path) if self.history_path.exists() else rows_to_frame([])

    def run_ids(self) -> list[str]:
        """Ids of the runs stored under ``root/runs``, oldest first (ids sort by start time)."""
        return sorted(p.stem for p in (self.root / RUNS_DIR).glob("*.csv"))


# --- reading ----------------------------------------------------------------------------------------

def _fix_hint(path: Path) -> str:
    return (f"hil-bench writes {path.name} atomically, so it was edited or damaged outside hil-bench: "
            f"restore it (e.g. `git checkout -- {path}` for a committed file) or move it aside and rerun")


def read_rows(path: Path | str) -> list[ResultRow]:
    """Every row of one results CSV, checked against the schema; ``ResultsError`` names file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such results file; give the path of a .csv written by hil-bench "
                           "(or a directory of them)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{path}: cannot be read ({exc}); {_fix_hint(path)}") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header:
            raise ResultsError(f"{path}: empty file, no CSV header; {_fix_hint(path)}")
        header = _current_names(header)
        missing = [c for c in COLUMNS if c not in header and c not in COLUMN_DEFAULTS]
        if missing:
            raise ResultsError(f"{path}: header lacks column(s) {', '.join(missing)}; it is not a results file "
                               f"of this hil-bench version; {_fix_hint(path)}")
        rows = []
        for cells in reader:
            if not cells:
                continue
            try:
                rows.append(decode_row(cells, header))
            except (ValueError, ResultsError) as exc:
                raise ResultsError(f"{path}, line {reader.line_num}: {exc}; {_fix_hint(path)}") from None
    except csv.Error as exc:
        raise ResultsError(f"{path}, line {reader.line_num}: broken CSV ({exc}); {_fix_hint(path)}") from None
    if not text.endswith("\n"):
        raise ResultsError(f"{path}: last line is not terminated (a truncated file); {_fix_hint(path)}")
    return rows


def read_results(path: Path | str) -> pd.DataFrame:
    """A results CSV, or every ``*.csv`` directly in a directory (e.g. ``results/baseline``), as one DataFrame."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.csv"))
        if not files:
            raise ResultsError(f"{path}: no .csv results files in this directory (a baseline is made by copying "
                               "a run's results/runs/<run_id>.csv here)")
        return rows_to_frame([row for f in files for row in read_rows(f)])
    return rows_to_frame(read_rows(path))


# --- writing ----------------------------------------------------------------------------------------

def _encode(rows: typing.Iterable[ResultRow], header: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(COLUMNS)
    writer.writerows(encode_row(r) for r in rows)
    return out.getvalue()


def write_results(path: Path | str, rows: typing.Iterable[ResultRow]) -> Path:
    """Write a whole results CSV atomically (e.g. a new baseline); returns the path."""
    path = Path(path)
    _make_folder(path.parent)
    with _locked(path.parent):
        _atomic_write(path, _encode(rows, header=True))
    return path


def append_rows(path: Path | str, rows: typing.Sequence[ResultRow]) -> None:
    """Append rows to a results CSV (created with its header if absent) by an atomic rewrite."""
    path = Path(path)
    _make_folder(path.parent)
    with _locked(path.parent):
        if path.exists():
            try:
                old = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ResultsError(f"{path}: not UTF-8 text ({exc}); {_fix_hint(path)}") from None
            raw = next(csv.reader([old.split("\n", 1)[0]]), [])
            first = _current_names(raw)
            if raw != list(COLUMNS) and (first == list(COLUMNS) or _older_header(first)):
                # a file of an older version (columns renamed or added since): rewrite it in today's schema
                _atomic_write(path, _encode([*read_rows(path), *rows], header=True))
                return
            if first != list(COLUMNS):
                raise ResultsError(f"{path}: its header is not this hil-bench version's columns, so rows cannot be "
                                   f"added; move it aside (rows go to a new file) or {_fix_hint(path)}")
            if not old.endswith("\n"):
                raise ResultsError(f"{path}: last line is not terminated (a truncated file); {_fix_hint(path)}")
            text = old + _encode(rows, header=False)
        else:
            text = _encode(rows, header=True)
        _atomic_write(path, text)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from hil_bench.paths import write_failure

        raise ResultsError(f"cannot create the results folder {folder}: {write_failure(exc)}") from None


def _atomic_write(path: Path, text: str) -> None:
    """The whole file through a synced temporary and a rename; a failed write (a full disk) is a
    ResultsError naming ``path``, and leaves the old file as it was."""
    try:
        _replace(path, text)
    except OSError as exc:
        from hil_bench.paths import write_failure

        raise ResultsError(f"cannot write results to {path}: {write_failure(exc)}; the file is as it was "
                           "before this row") from None


def _replace(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{_HOST}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            data = text.encode("utf-8")
            while data:
                data = data[os.write(fd, data):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (a power cut after replace must not bring the old file back)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _locked(directory: Path):
    """Exclusive flock on the directory itself: no lock file to leave behind or to commit."""
    if fcntl is None:
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temp_files(directory: Path | str) -> list[Path]:
    """Delete temp files of writers on this host that no longer run (killed mid-write); return them.

    Such a file is never needed: the target it was meant to replace is complete without it.
    """
    directory = Path(directory)
    removed = []
    if not directory.is_dir():
        return removed
    for tmp in directory.glob(".*.tmp"):
        m = _TEMP.fullmatch(tmp.name)
        if m and m["host"] == _HOST and not _alive(int(m["pid"])):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
                removed.append(tmp)
    return removed


def _current_names(header: list[str]) -> list[str]:
    """A header with columns renamed since spelled as today (older files keep reading)."""
    return [RENAMED_COLUMNS.get(c, c) for c in header]


def _older_header(header: list[str]) -> bool:
    """A header of an older version: the schema's columns in order, some of those added since missing."""
    return header == [c for c in COLUMNS if c in header] and all(c in header for c in COLUMNS
                                                                  if c not in COLUMN_DEFAULTS)
