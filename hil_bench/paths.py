"""Output paths: checked before any work starts, written so that no half-written file is ever left.

Every CLI option that writes (``run --save-outputs``, ``optimize --out``, ``export --out``, ``bench
--results-dir`` / ``--report`` / ``--junit``, ``compare --junit``) calls :func:`check_output_file` or
:func:`check_output_dir` first, so a bad path fails in a fraction of a second rather than after training or a board run. The check is real,
not a guess from permission bits (which say nothing when running as root): it creates and removes a
probe file in the nearest folder that exists. Files are then written with :func:`atomic_write`: a
temporary file in the same folder, renamed over the target only once complete, removed on any failure.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator

from hil_bench.errors import Error, UsageError


def check_output_file(path: Path | str, option: str, example: str = "outputs.npy") -> Path:
    """``path`` can be written as a file: not a folder, and its folder exists (or can be made) and is
    writable. Raises :class:`UsageError` naming ``option`` and the path (and, for a folder, a file name
    ``example`` in it) otherwise."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{option} {path}: is a folder; give a file name (e.g. {path / example})")
    if path.name in ("", ".", ".."):
        raise UsageError(f"{option} {path}: give a file name, not a folder")
    _check_creatable(path.parent, option, path)
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"{option} {path}: the file exists and cannot be overwritten (no write permission)")
    return path


def check_output_dir(path: Path | str, option: str) -> Path:
    """``path`` can hold new files: a folder, or a name where one can be made under a writable folder.
    Raises :class:`UsageError` naming ``option`` and the path otherwise."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option} {path}: is a file, but a folder is needed; give a folder name "
                         "(it is created if missing)")
    _check_creatable(path, option, path)
    return path


def _check_creatable(folder: Path, option: str, target: Path) -> None:
    """The nearest existing ancestor of ``folder`` (``folder`` itself if it exists) is a folder in
    which a file can really be created."""
    existing = folder if str(folder) else Path(".")
    while not existing.exists():
        if existing.is_symlink():   # a dangling link: mkdir would fail on it
            raise UsageError(f"{option} {target}: {existing} is a broken symbolic link")
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"{option} {target}: {existing} is a file, not a folder, so nothing can be "
                         "created under it; choose another path")
    try:
        fd, probe = tempfile.mkstemp(prefix=".hil-bench-probe-", dir=existing)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(f"{option} {target}: cannot create files in {existing} (the system says: {reason}); choose a "
                         "writable folder") from None
    try:   # an empty file fits on a full disk: write (and sync) a few bytes so a full disk shows now
        os.write(fd, b"hil-bench probe\n")
        os.fsync(fd)
    except OSError as exc:
        raise UsageError(f"{option} {target}: cannot write to {existing}: {write_failure(exc)}") from None
    finally:
        os.close(fd)
        os.unlink(probe)


_FULL = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
         errno.EROFS: "the file system is read-only"}


def write_failure(exc: OSError) -> str:
    """Why a write failed, in words that say what to do (a full disk is named as one)."""
    reason = exc.strerror or type(exc).__name__
    if exc.errno in _FULL:
        return f"{_FULL[exc.errno]} ({reason}); free some space or choose a folder on another disk"
    return reason


def write_error(path: Path | str, exc: OSError, what: str = "") -> Error:
    """The error for a failed write of ``path`` (``what``: e.g. "the C array"), naming the path: a full
    disk is the work failing (exit 1), a path that cannot be written is bad usage (exit 2)."""
    cls = Error if exc.errno in _FULL else UsageError
    return cls(f"writing {what + ' to ' if what else ''}{path} failed: {write_failure(exc)}; nothing was written")


@contextlib.contextmanager
def atomic_write(path: Path | str, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; on a clean exit it is flushed, synced and
    renamed over ``path``; on any exception (or Ctrl-C) it is removed and ``path`` is left as it was.
    The parent folder is created if missing; text modes write UTF-8."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        os.fchmod(fd, _new_file_mode(path))   # mkstemp's 0600 would outlive the rename
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):   # disk full, folder removed meanwhile: a failure, not a bug
            raise write_error(path, exc) from None
        raise


def _new_file_mode(path: Path) -> int:
    """The mode ``open()`` would give: the replaced file's, else 0666 less the process's umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        pass
    mask = os.umask(0o022)   # the only portable way to read it; set straight back
    os.umask(mask)
    return 0o666 & ~mask


def write_bytes_atomic(path: Path | str, data: bytes) -> None:
    with atomic_write(path) as f:
        f.write(data)


def save_npy_atomic(path: Path | str, array) -> None:
    """``numpy.save`` without its habit of appending ``.npy`` and without a partial file on failure."""
    import numpy as np

    with atomic_write(path) as f:
        np.save(f, array, allow_pickle=False)
