"""Compile the runtime's C sources with the host gcc, cached by a hash of sources and flags.

The cache is :mod:`hil_bench.cache` (``programs/``, one checked entry per binary); a rebuild happens only
when a source, header or flag changes, or the cached binary is damaged, so tests and benchmarks share one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from hil_bench.cache import building, cache_dir, open_entry, source_key
from hil_bench.resources import firmware_dir
from hil_bench.toolchain import run_build_tool
from hil_bench.errors import ToolMissingError
from hil_bench.runtime.sources import runtime_sources

BUILD_TIMEOUT_S = 300
WARNINGS = ["-std=c99", "-Wall", "-Wextra", "-Werror"]
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-g"]


def _all_inputs(extra: list[Path]) -> list[Path]:
    fw = firmware_dir()
    headers = sorted((fw / "runtime").rglob("*.h"))
    return runtime_sources() + headers + list(extra)


def compile_program(name: str, main_sources: list[Path], flags: list[str], *, cc: str = "gcc") -> Path:
    """Compile the runtime plus ``main_sources`` into a cached executable and return its path."""
    if shutil.which(cc) is None:
        raise ToolMissingError(f"'{cc}' is not installed; install it with: apt-get install -y {cc}")
    all_flags = WARNINGS + flags + ["-I", str(firmware_dir() / "runtime" / "include")]
    digest = source_key(_all_inputs(main_sources), [cc] + all_flags, root=firmware_dir())
    entry = cache_dir("programs") / f"{name}-{digest}"
    if open_entry(entry, (name,)) is None:
        # built whole and renamed into place, so parallel test workers never run a half-written binary
        with building(entry, prefix=f".{name}-", label=f"host program {name}") as work:
            cmd = [cc, *all_flags, *map(str, runtime_sources()), *map(str, main_sources), "-o", str(work / name)]
            run_build_tool(cmd, f"building {name}", BUILD_TIMEOUT_S)
    return entry / name


def build_host_runner(*, sanitize: bool = False, optimize: str = "-O2") -> Path:
    """Build ``hb_run`` (firmware/host/hb_run.c); ``sanitize`` adds ASan + UBSan."""
    flags = [optimize] + (SANITIZE if sanitize else [])
    return compile_program("hb_run-san" if sanitize else "hb_run", [firmware_dir() / "host" / "hb_run.c"], flags)
