"""Where hil-bench keeps what it can rebuild: ``$HIL_BENCH_CACHE`` or ``~/.cache/hil-bench``."""

from __future__ import annotations

import hashlib
import json
import os
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
