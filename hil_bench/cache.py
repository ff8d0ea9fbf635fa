"""Where hil-bench keeps what it can rebuild (``$HIL_BENCH_CACHE`` or ``~/.cache/hil-bench``), and the one
way every cache writes and reads an entry.

An entry is a folder named by the hash of what went into it: a trained stage (``stages/``), a compiled
object (``objects/``), a firmware image (``firmware/``, ``kernel-check/``), a host build of the runtime
(``programs/``), a converted zoo model (``zoo_models/``). It is built in a temporary
folder, gets a record of every file's size and SHA-256 (:data:`RECORD`), and is renamed into place, so
no reader ever sees half an entry. Every read checks the record first (:func:`open_entry`): a file
changed, truncated, emptied or deleted after it was written, a damaged record or none at all, makes the
entry one to rebuild -- one line on stderr says so and the folder is removed -- never a wrong number.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

RECORD = ".hb-entry.json"   # in every entry: its files' sizes and digests (written last, before the rename)
# cache folders whose subfolders are entries
KINDS = ("stages", "objects", "firmware", "kernel-check", "programs", "zoo_models")
STALE_BUILD_S = 3600.0      # a temporary build folder this old belongs to a build that was killed
_FORMAT = 1


def cache_dir(*parts: str) -> Path:
    """The cache root (or a folder below it), created if missing."""
    root = os.environ.get("HIL_BENCH_CACHE")
    path = Path(root).expanduser() if root else Path.home() / ".cache" / "hil-bench"
    path = path.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def content_key(*parts) -> str:
    """A stable hex digest of JSON-able parts (bytes are hashed as they are)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, (bytes, bytearray)) else json.dumps(part, sort_keys=True).encode()
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_key(files: Iterable[Path], *parts, root: Path) -> str:
    """The one key of a build from its sources: ``parts`` (as :func:`content_key` takes them), then each
    file's name (relative to ``root``, or its own name outside it) and bytes. Firmware images, the
    kernel checker and the host runtime builds are all keyed by this, so they cannot disagree on what
    "a source changed" means."""
    named = []
    for path in files:
        named += [str(path.relative_to(root)) if root in path.parents else path.name, path.read_bytes()]
    return content_key(*parts, *named)[:20]


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != RECORD)


def record_entry(folder: Path, label: str = "") -> None:
    """Write ``folder``'s record: size and SHA-256 of every file in it (``label`` says what it holds)."""
    files = {name: {"bytes": (folder / name).stat().st_size, "sha256": _sha256(folder / name)}
             for name in _files(folder)}
    (folder / RECORD).write_text(json.dumps({"format": _FORMAT, "label": label, "files": files}, indent=1))


def read_record(folder: Path) -> dict | None:
    """The entry's record, or None when it has none or it cannot be read."""
    try:
        record = json.loads((folder / RECORD).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("files"), dict):
        return None
    return record


def entry_problem(folder: Path, required: tuple[str, ...] = ()) -> str:
    """What is wrong with the entry in ``folder`` ("" when it is intact): every recorded file present with
    its size and digest, and every ``required`` file among them."""
    try:
        return _problem(folder, required)
    except OSError as exc:   # removed or replaced while being read, unreadable
        return f"cannot be read ({exc.strerror or exc})"


def _problem(folder: Path, required: tuple[str, ...]) -> str:
    if not folder.is_dir():
        return "missing"
    if not any(folder.iterdir()):
        return "the folder is empty (its files were deleted)"
    if not (folder / RECORD).exists():
        return "no record of its contents (an interrupted write, or written by an older hil-bench)"
    record = read_record(folder)
    if record is None:
        return f"its record {RECORD} is damaged"
    files = record["files"]
    for name in [*required, *_files(folder)]:   # the record must cover the required files and every other
        if name not in files:
            return f"{name} was never recorded"
    for name, want in files.items():
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        size = path.stat().st_size
        try:
            expected = int(want["bytes"])
            digest = str(want["sha256"])
        except (KeyError, TypeError, ValueError):
            return f"its record {RECORD} is damaged"
        if size != expected:
            return (f"{name} is empty ({expected:,} bytes recorded)" if size == 0 else
                    f"{name} is truncated ({size:,} of {expected:,} bytes)" if size < expected else
                    f"{name} has {size:,} bytes, {expected:,} recorded")
        if _sha256(path) != digest:
            return f"{name} differs from the digest recorded when it was written"
    return ""


def _say(line: str) -> None:
    print(f"hil-bench: {line}", file=sys.stderr, flush=True)


def remove_entry(folder: Path) -> None:
    """Take ``folder`` out of the cache at once (renamed aside, then deleted): a reader never sees half of it."""
    aside = folder.with_name(f".removed-{folder.name}-{os.getpid()}-{time.monotonic_ns()}")
    try:
        folder.rename(aside)
    except FileNotFoundError:
        return
    except OSError:
        aside = folder
    shutil.rmtree(aside, ignore_errors=True)


def discard(folder: Path, reason: str) -> None:
    """Remove a damaged entry, saying in one line why and that it will be rebuilt."""
    label = (read_record(folder) or {}).get("label") or ""
    _say(f"cache entry {folder}{f' ({label})' if label else ''}: {reason}; rebuilding it")
    remove_entry(folder)


def open_entry(folder: Path, required: tuple[str, ...] = ()) -> Path | None:
    """``folder`` when it holds an intact entry with the ``required`` files; None when it must be built.

    A damaged entry is removed, with one line on stderr naming it and what is wrong.
    """
    if not folder.exists():
        return None
    problem = entry_problem(folder, required)
    if problem:
        discard(folder, problem)
        return None
    return folder


def _install(work: Path, final: Path) -> None:
    """Rename the finished ``work`` to ``final``. An intact entry another process finished first is kept
    (replacing it could pull a file from under a reader, e.g. a board running that ELF); a damaged one,
    or a folder left without its files, is replaced."""
    for _ in range(5):
        try:
            work.rename(final)
            return
        except OSError:
            if not final.exists():
                raise
        if not entry_problem(final):
            return
        remove_entry(final)
    raise OSError(f"cannot put the new cache entry in place of {final}")


@contextlib.contextmanager
def building(final: Path, prefix: str = ".build-", label: str = ""):
    """A fresh folder beside ``final`` to build into; when the block succeeds its record is written and it
    becomes ``final``; when it fails it is removed, so a cache never holds a half-built entry and a failed
    build never blocks the next one. To rebuild an intact entry on purpose, remove it first
    (:func:`remove_entry`).
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=prefix, dir=final.parent))
    try:
        yield work
        record_entry(work, label)
        _install(work, final)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


@dataclass(frozen=True)
class Entry:
    """One folder (or stray file) under a cache kind, as :func:`scan` finds it."""

    kind: str
    path: Path
    label: str
    problem: str   # "" when intact


def scan(root: Path | None = None) -> list[Entry]:
    """Every entry of every cache kind with what is wrong with it. Temporary build folders are left out
    unless older than :data:`STALE_BUILD_S` (a build that was killed); a file where an entry folder
    belongs (an older hil-bench's layout) is reported too."""
    root = root or cache_dir()
    found = []
    for kind in KINDS:
        base = root / kind
        if not base.is_dir():
            continue
        for path in sorted(base.iterdir()):
            if path.name.startswith("."):
                if time.time() - path.lstat().st_mtime > STALE_BUILD_S:
                    found.append(Entry(kind, path, "", "left by a build that did not finish"))
                continue
            if not path.is_dir():
                found.append(Entry(kind, path, "", "not a cache entry (a file left by an older hil-bench)"))
                continue
            found.append(Entry(kind, path, (read_record(path) or {}).get("label") or "", entry_problem(path)))
    return found


def remove_path(path: Path) -> None:
    """Remove an entry folder or a stray file from the cache."""
    if path.is_dir() and not path.is_symlink():
        remove_entry(path)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
