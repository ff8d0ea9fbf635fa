"""Shared output helpers: JSON to stdout, plain aligned tables, atomic JSON files."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from hil_bench.paths import atomic_write


def print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2, default=_default)
    sys.stdout.write("\n")


def _default(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "__fspath__"):
        return os.fspath(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    """An aligned text table: ``columns`` is a list of (key, heading); numbers right-aligned."""
    cells = [[_cell(row.get(key)) for key, _ in columns] for row in rows]
    heads = [head for _, head in columns]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(heads)]
    numeric = [all(_is_number(row.get(key)) for row in rows) for key, _ in columns]

    def line(values):
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)).rstrip()

    return "\n".join([line(heads), line(["-" * w for w in widths])] + [line(r) for r in cells])


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) or value is None


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


COUNT_UNITS = ("instructions", "cycles", "ticks")


def latency_text(value: float | None, unit: str) -> str:
    """A latency with thousands separators and its unit: whole counts for instructions and cycles
    (a 1/32 tick resolution is no precision worth printing), two decimals for times."""
    if value is None:
        return "-"
    number = f"{value:,.0f}" if unit in COUNT_UNITS else f"{value:,.2f}"
    return f"{number} {unit}"


def write_json_atomic(path: Path, data) -> None:
    """Write JSON to ``path`` through a temporary file and a rename: never a half-written file."""
    with atomic_write(path, "w") as f:
        json.dump(data, f, indent=2, default=_default)
        f.write("\n")
