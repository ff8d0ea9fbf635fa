"""A sweep's resumable state: which results run holds its rows, keyed by what the rows measure.

``RESULTS_DIR/sweeps/<key>.json`` names the run (``RESULTS_DIR/runs/<run_id>.csv``) of every sweep with
the same key: model, data set, training and QAT options, compression, kernels, sample limit and seed.
The grid and the boards are not in the key, they only choose rows: a re-run with the same arguments
skips the (point, board) rows the run already holds, and one with more points or boards adds only the
new rows. The rows themselves are the truth (written atomically by the results store); this file only
says where they are.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from hil_bench.cache import content_key
from hil_bench.errors import ResultsError
from hil_bench.paths import atomic_write

SWEEPS_DIR = "sweeps"


def sweep_key(settings: dict) -> str:
    return content_key("sweep", 1, json.dumps(settings, sort_keys=True))[:16]


def state_path(results_dir: Path, key: str) -> Path:
    return Path(results_dir) / SWEEPS_DIR / f"{key}.json"


def load_run_id(results_dir: Path, key: str) -> str | None:
    """The run id an earlier sweep with this key wrote (or was about to write) to, or None."""
    path = state_path(results_dir, key)
    if not path.is_file():
        return None
    from hil_bench.results.row import RUN_ID_PATTERN   # start-up cost: the results package loads pandas

    try:
        run_id = json.loads(path.read_text(encoding="utf-8"))["run_id"]
        if not isinstance(run_id, str) or not RUN_ID_PATTERN.fullmatch(run_id):
            raise TypeError(run_id)
    except (ValueError, KeyError, TypeError, OSError):   # {"run_id": 5}, not UTF-8, a folder...
        raise ResultsError(f"{path}: not a sweep state written by hil-bench; move it aside to start the sweep "
                           "afresh") from None
    return run_id


@contextlib.contextmanager
def lock(results_dir: Path, key: str):
    """Hold ``sweeps/<key>.lock`` for a whole sweep: a second sweep with the same settings into the same
    folder would run the same rows again and store them twice; it is refused, naming the first."""
    try:
        import fcntl
    except ImportError:   # not POSIX: no lock
        yield
        return
    path = Path(results_dir) / SWEEPS_DIR / f"{key}.lock"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ResultsError(f"{path}: cannot create the sweep's lock file ({exc.strerror or exc})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise ResultsError(f"another sweep with the same settings (pid {holder}) is writing to {results_dir}; "
                               "wait for it to finish and re-run this command (its rows are then skipped), or "
                               "give another --results-dir") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)   # releases the lock


def save(results_dir: Path, key: str, run_id: str, settings: dict) -> Path:
    path = state_path(results_dir, key)
    write_json(path, {"run_id": run_id, "settings": settings})
    return path


def write_json(path: Path, data) -> None:
    """JSON through a temporary file and a rename: a killed sweep never leaves half a file."""
    with atomic_write(path, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
