"""Where hil-bench keeps what it can rebuild: ``$HIL_BENCH_CACHE`` or ``~/.cache/hil-bench``."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path


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


def source_key(files: Iterable[Path], *parts, root: Path) -> str:
    """The one key of a build from its sources: ``parts`` (as :func:`content_key` takes them), then each
    file's name (relative to ``root``, or its own name outside it) and bytes. Firmware images, the
    kernel checker and the host runtime builds are all keyed by this, so they cannot disagree on what
    "a source changed" means."""
    named = []
    for path in files:
        named += [str(path.relative_to(root)) if root in path.parents else path.name, path.read_bytes()]
    return content_key(*parts, *named)[:20]


@contextlib.contextmanager
def building(final: Path, prefix: str = ".build-"):
    """A fresh folder beside ``final`` to build into; it becomes ``final`` when the block succeeds and
    is removed when it fails, so a cache never holds a half-built entry.

    Entries are named by the hash of what went in, so when another process finished the same entry
    first, its copy is kept and ours dropped: replacing it could pull a file from under a reader (a
    board running that ELF). To rebuild an entry on purpose, remove it before building.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=prefix, dir=final.parent))
    try:
        yield work
        try:
            work.rename(final)
        except OSError:
            if not final.is_dir():   # not "someone else made it": a real failure
                raise
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
