"""The runtime library's C sources, from ``firmware/runtime/sources.txt``: the one list that the CMake
library users embed (``firmware/runtime/CMakeLists.txt``) and hil-bench's own builds (the firmware
image, the host runner, the kernel checker) compile, so what is measured is what is embedded.
"""

from __future__ import annotations

from pathlib import Path

from hil_bench.errors import BuildError
from hil_bench.resources import firmware_dir

SOURCES_FILE = "sources.txt"


def runtime_dir() -> Path:
    return firmware_dir() / "runtime"


def runtime_sources() -> list[Path]:
    """The runtime's C sources: each glob of sources.txt in order, its files sorted (as CMake reads them)."""
    root = runtime_dir()
    listing = root / SOURCES_FILE
    try:
        patterns = [line.strip() for line in listing.read_text().splitlines()]
    except OSError as exc:
        raise BuildError(f"{listing}: cannot read the runtime's source list ({exc.strerror})") from None
    sources: list[Path] = []
    for pattern in (p for p in patterns if p and not p.startswith("#")):
        sources += sorted(root.glob(pattern))
    if not sources:
        raise BuildError(f"{listing} lists no existing runtime sources")
    return sources
