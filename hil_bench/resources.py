"""Where the files hil-bench ships live: built-in boards, firmware sources, the default test model.

In a wheel (``pip install``) they are package data under ``hil_bench/_data/``; in a source checkout or
an editable install they are the repository's top-level folders. Every user of these files goes
through here. This module imports nothing from hil-bench, so ``setup.py`` reads ``SHIPPED`` from it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

# name under hil_bench/_data/ -> (folder in the repository, what to leave out of the wheel)
SHIPPED = {
    "boards": ("boards", ()),
    "firmware": ("firmware", ()),
    "models": ("tests/fixtures/mlperf_tiny", ("*.h5", "ic_*")),
}
DEFAULT_MODEL = "kws_ref_model.tflite"


def data_dir(name: str) -> Path:
    """The shipped folder ``name`` (one of SHIPPED), from the package data or the source checkout."""
    if name not in SHIPPED:
        raise KeyError(f"{name!r} is not shipped; shipped: {', '.join(SHIPPED)}")
    package = files("hil_bench")
    if not isinstance(package, Path):   # a zip import: the compiler needs real files
        raise RuntimeError("hil-bench must be installed as files, not imported from a zip archive")
    installed = package / "_data" / name
    if installed.is_dir():
        return installed
    return package.parent / SHIPPED[name][0]


def builtin_boards_dir() -> Path:
    return data_dir("boards")


def firmware_dir() -> Path:
    return data_dir("firmware")


def default_model() -> Path:
    """MLPerf Tiny's keyword-spotting model (Apache-2.0, see LICENSE.md beside it): the pytest plugin's default."""
    return data_dir("models") / DEFAULT_MODEL
