"""Cross-compile the runtime for Cortex-M cores and report its code size per object.

Each source compiles on its own (``-c``) with ``arm-none-eabi-gcc -std=c99 -Wall -Wextra -Werror``,
so a warning on any core fails the build; sizes come from ``arm-none-eabi-size -A`` (section
sizes summed by kind: text, rodata, data, bss).
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from hil_bench.toolchain import run_build_tool
from hil_bench.errors import ToolMissingError, UsageError
from hil_bench.runtime.build import WARNINGS, cache_dir, firmware_dir, runtime_sources

CC = "arm-none-eabi-gcc"
SIZE = "arm-none-eabi-size"
TIMEOUT_S = 120

# Core -> compiler flags (hard-float ABI with each core's FPU, as the board firmware uses).
CORES: dict[str, list[str]] = {
    "cortex-m4": ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"],
    "cortex-m7": ["-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-d16"],
    "cortex-m33": ["-mcpu=cortex-m33", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-sp-d16"],
    "cortex-m55": ["-mcpu=cortex-m55", "-mthumb", "-mfloat-abi=hard"],
}
COMMON = ["-ffunction-sections", "-fdata-sections", "-ffreestanding"]


@dataclass(frozen=True)
class ObjectSize:
    """Bytes of one object file by section kind."""

    object: str
    text: int
    rodata: int
    data: int
    bss: int


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise ToolMissingError(
            f"'{tool}' is not installed; install it with: apt-get install -y gcc-arm-none-eabi "
            "binutils-arm-none-eabi libnewlib-arm-none-eabi"
        )
    return path


def cross_compile(core: str, out_dir: Path | None = None, *, optimize: str = "-O2") -> list[Path]:
    """Compile every runtime source for ``core``; returns the object files."""
    if core not in CORES:
        raise UsageError(f"unknown core '{core}'; choose one of {', '.join(CORES)}")
    cc = _require(CC)
    out = Path(out_dir) if out_dir else cache_dir() / "cross" / f"{core}{optimize}"
    out.mkdir(parents=True, exist_ok=True)
    src_root = firmware_dir() / "runtime" / "src"
    include = firmware_dir() / "runtime" / "include"
    objects = []
    for src in runtime_sources():
        obj = out / (str(src.relative_to(src_root)).replace("/", "__")[:-2] + ".o")
        cmd = [cc, *WARNINGS, optimize, *CORES[core], *COMMON, "-I", str(include), "-c", str(src), "-o", str(obj)]
        run_build_tool(cmd, f"{src.name} for {core}", TIMEOUT_S)
        objects.append(obj)
    return objects


def _kind(section: str) -> str | None:
    for kind in ("text", "rodata", "data", "bss"):
        if section == f".{kind}" or section.startswith(f".{kind}."):
            return kind
    return None


def object_sizes(objects: list[Path]) -> list[ObjectSize]:
    """Per-object text/rodata/data/bss bytes from ``arm-none-eabi-size -A``."""
    size = _require(SIZE)
    rows = []
    for obj in objects:
        proc = run_build_tool([size, "-A", str(obj)], f"{SIZE} on {obj.name}", TIMEOUT_S)
        totals = {"text": 0, "rodata": 0, "data": 0, "bss": 0}
        for line in proc.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit() and (kind := _kind(parts[0])):
                totals[kind] += int(parts[1])
        rows.append(ObjectSize(obj.stem.replace("__", "/"), **totals))
    return rows


def size_report(core: str = "cortex-m55", *, optimize: str = "-Os") -> dict:
    """Code size of the runtime alone (no model, no app, no libc) for one core.

    Returns ``{"core", "optimize", "objects": [ObjectSize as dict], "total": {...}}``; sizes are
    of the objects before linking, so functions the app never calls are still counted.
    """
    rows = object_sizes(cross_compile(core, optimize=optimize))
    total = {k: sum(getattr(r, k) for r in rows) for k in ("text", "rodata", "data", "bss")}
    return {"core": core, "optimize": optimize, "objects": [asdict(r) for r in rows], "total": total}


def format_size_report(report: dict) -> str:
    """A text table of :func:`size_report` (one line per object, then the total)."""
    lines = [f"runtime code size, {report['core']} {report['optimize']} (objects before linking)",
             f"{'object':44} {'text':>7} {'rodata':>7} {'data':>5} {'bss':>5}"]
    for r in sorted(report["objects"], key=lambda r: -(r["text"] + r["rodata"])):
        lines.append(f"{r['object']:44} {r['text']:>7} {r['rodata']:>7} {r['data']:>5} {r['bss']:>5}")
    t = report["total"]
    lines.append(f"{'total':44} {t['text']:>7} {t['rodata']:>7} {t['data']:>5} {t['bss']:>5}")
    return "\n".join(lines)
