"""Ways a cache entry gets damaged after it was written, applied to one file of an entry folder."""

from __future__ import annotations

import shutil
from pathlib import Path

KINDS = ("changed", "truncated", "emptied", "deleted", "folder-without-files")


def damage(folder: Path, name: str, how: str, *, offset: int | None = None, count: int = 8) -> None:
    """Damage file ``name`` of the entry in ``folder``: flip ``count`` bytes at ``offset`` (default: the
    middle), cut it in half, empty it, delete it, or delete every file and keep the folder."""
    path = folder / name
    data = bytearray(path.read_bytes())
    if how == "changed":
        start = len(data) // 2 if offset is None else offset
        for i in range(start, min(start + count, len(data))):
            data[i] ^= 0x5A
        path.write_bytes(bytes(data))
    elif how == "truncated":
        path.write_bytes(bytes(data[: len(data) // 2]))
    elif how == "emptied":
        path.write_bytes(b"")
    elif how == "deleted":
        path.unlink()
    elif how == "folder-without-files":
        for child in folder.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    else:
        raise ValueError(how)


def entries(cache: Path, kind: str, label: str) -> list[Path]:
    """The entry folders of ``kind`` whose record's label contains ``label``."""
    from hil_bench.cache import read_record

    base = cache / kind
    return sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")
                  and label in ((read_record(p) or {}).get("label") or "")) if base.is_dir() else []


def rebuild_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("hil-bench: cache entry ")]


def copy_entries(source: Path, target: Path) -> None:
    """Copy a cache kind's folder (e.g. ``objects``) without the temporary folders of builds going on."""
    shutil.copytree(source, target, ignore=lambda folder, names: [n for n in names if n.startswith(".")]
                    if Path(folder) == source else [])
