"""Check that a board's compiler flags really give the CPU features its board file declares.

``[cpu] mve`` and ``fpu`` say what the core has; ``cflags`` say what the compiler may use. If they
disagree, the kernels silently take another path (plain C instead of Helium, soft float instead of
the FPU). The compiler's own predefined macros (``-dM -E``) are the truth, read once per flag set.
Which kernel path a flag set gets is the runtime's own rule (``hb_kpath.h``), asked of the compiler too.
"""

from __future__ import annotations

import functools
import re
import subprocess

from hil_bench.boards import Board
from hil_bench.errors import BoardError, BuildError, ToolMissingError
from hil_bench.resources import firmware_dir

# __ARM_FEATURE_MVE bits: 1 integer, 2 floating point (ACLE).
_MVE = {"none": 0, "int": 1, "float": 3}
# __ARM_FP bits: 4 single precision, 8 double precision (ACLE); half precision (2) is not declared in boards.
_FP_SINGLE, _FP_DOUBLE = 0x4, 0x8


@functools.lru_cache(maxsize=None)
def predefined_macros(cc: str, cflags: tuple[str, ...]) -> dict[str, str]:
    """The compiler's predefined macros for ``cflags`` (one run of ``cc -dM -E`` per flag set)."""
    try:
        out = subprocess.run([cc, *cflags, "-dM", "-E", "-"], input="", capture_output=True, text=True,
                             timeout=60)
    except FileNotFoundError:
        raise ToolMissingError(f"{cc} not found; install it with: apt-get install gcc-arm-none-eabi "
                               "libnewlib-arm-none-eabi (or `make install`)") from None
    if out.returncode != 0:
        raise BuildError(f"{cc} refuses the flags {' '.join(cflags)}: {out.stderr.strip()[-500:]}")
    macros = {}
    for line in out.stdout.splitlines():
        parts = line.split(maxsplit=2)
        if len(parts) >= 2 and parts[0] == "#define":
            macros[parts[1]] = parts[2] if len(parts) == 3 else ""
    return macros


def _int(macros: dict[str, str], name: str) -> int:
    return int(macros.get(name, "0"), 0)


def declared_fp_bits(fpu: str) -> int:
    """__ARM_FP bits an ``fpu`` name of a board file implies: none; *-sp-*: single; else single + double."""
    if fpu == "none":
        return 0
    return _FP_SINGLE if "-sp-" in fpu else _FP_SINGLE | _FP_DOUBLE


def check_cpu_features(board: Board, cc: str, cflags: tuple[str, ...]) -> None:
    """BoardError naming the board file when ``cflags`` do not give the declared MVE and FPU."""
    macros = predefined_macros(cc, tuple(cflags))
    where = str(board.source) if board.source else f"board {board.name!r}"
    problems = []
    mve = _int(macros, "__ARM_FEATURE_MVE")
    if mve != _MVE[board.cpu.mve]:
        have = {v: k for k, v in _MVE.items()}.get(mve, f"__ARM_FEATURE_MVE={mve}")
        problems.append(f"[cpu] mve = {board.cpu.mve!r} but the flags give MVE {have!r}")
    fp = _int(macros, "__ARM_FP") & (_FP_SINGLE | _FP_DOUBLE)
    if fp != declared_fp_bits(board.cpu.fpu):
        have = {0: "no FPU", _FP_SINGLE: "a single-precision FPU", _FP_SINGLE | _FP_DOUBLE:
                "a double-precision FPU"}.get(fp, f"__ARM_FP={fp:#x}")
        problems.append(f"[cpu] fpu = {board.cpu.fpu!r} but the flags give {have}")
    if problems:
        raise BoardError(f"{where}: cflags {' '.join(cflags)} do not match the declared CPU: "
                         + "; ".join(problems) + ". Fix cflags or the declaration so they agree.")


@functools.lru_cache(maxsize=None)
def kernel_path(cc: str, cflags: tuple[str, ...], kernels: str = "opt") -> str:
    """The runtime's kernel path for these flags: "helium", "dsp" or "c". The rule lives in C
    (``firmware/runtime/include/internal/hb_kpath.h``); this asks the compiler what ``HB_KPATH_NAME``
    becomes under ``cflags`` (``kernels="ref"`` adds ``-DHB_KERNELS_REF``, as the build does)."""
    include = firmware_dir() / "runtime" / "include"
    defines = ["-DHB_KERNELS_REF"] if kernels == "ref" else []
    probe = '#include "internal/hb_kpath.h"\nhb_kpath_is HB_KPATH_NAME\n'
    try:
        out = subprocess.run([cc, *cflags, *defines, f"-I{include}", "-E", "-P", "-x", "c", "-"], input=probe,
                             capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise ToolMissingError(f"{cc} not found; install it with: apt-get install gcc-arm-none-eabi "
                               "libnewlib-arm-none-eabi (or `make install`)") from None
    found = re.search(r'^hb_kpath_is "(\w+)"$', out.stdout, re.M)
    if out.returncode != 0 or found is None:
        raise BuildError(f"{cc} could not tell the kernel path of hb_kpath.h for {' '.join(cflags)}: "
                         f"{out.stderr.strip()[-500:]}")
    return found.group(1)


def board_kernel_path(board: Board, kernels: str = "opt") -> str:
    """The kernel path a board's firmware runs ("c" for the host board and ``--kernels ref``): what
    the compression cost model (hil_bench.compress.model) prices formats for."""
    from hil_bench.firmware.build import CC   # build imports this module

    if board.is_host or kernels == "ref":
        return "c"
    return kernel_path(CC, (*board.cpu.cflags, "-mthumb"), kernels)
