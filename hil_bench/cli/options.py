"""Options several subcommands share, declared once so their help and choices never drift apart."""

from __future__ import annotations


from hil_bench.firmware.build import KERNELS
from hil_bench.firmware.mlperf import MLPERF_MODELS
from hil_bench.errors import UsageError

KERNELS_HELP = ("kernels to compile: 'opt' (default) the core's optimized path -- Helium on Cortex-M55/M85, "
                "the DSP extension on Cortex-M4/M7/M33, plain C elsewhere; 'ref' the plain C reference kernels "
                "(TFLite Micro reference arithmetic). Both give byte-identical outputs; `hil-bench boards` "
                "shows each board's path")


MLPERF_HELP = ("MLPerf Tiny model id the firmware answers to `profile%%` (m-model-[ID]), so MLPerf Tiny's "
               "runner accepts it: {ids}; ad01 images report one anomaly score. Default: none (the firmware "
               "answers 'hil-bench', which the runner refuses)")


def add_mlperf_model(p) -> None:
    p.add_argument("--mlperf-model", choices=tuple(MLPERF_MODELS), metavar="ID",
                   help=MLPERF_HELP.format(ids="|".join(MLPERF_MODELS)))


TIMEOUT_HELP = ("the longest the board may take to answer any one command, in seconds; a board silent that "
                "long ends the run (exit 1) with 'the board stopped responding' and the last bytes it sent. "
                "Default: a deadline per command from the model's expected instruction count and the samples "
                "in the command (at least 15 s)")


def _seconds(text: str) -> float:
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"{text} is out of range: give a number of seconds > 0")
    return value


def add_timeout(p) -> None:
    p.add_argument("--timeout", type=_seconds, metavar="SECONDS", help=TIMEOUT_HELP)


def add_kernels(p) -> None:
    p.add_argument("--kernels", choices=KERNELS, default="opt", help=KERNELS_HELP)


def add_storage_options(p, *, arena: bool = True) -> None:
    """How the image stores the model beside --compress: without names, and the arena it reserves."""
    p.add_argument("--strip-names", action="store_true",
                   help="store the model without tensor and signature names and its description (smaller "
                        "flash; outputs bit-exact, the audit pairs tensors by position)")
    if arena:
        from hil_bench.firmware.build import ARENA_MARGIN

        p.add_argument("--arena-bytes", type=arena_size, metavar="SIZE",
                       help="the arena the image reserves, e.g. 64KiB (default: the planned arena plus "
                            + ARENA_MARGIN.replace("%", "%%") + ")")


def arena_size(text: str) -> int:
    """--arena-bytes: a positive size (65536, 0x10000, 64KiB); argparse reports a bad one (exit 2)."""
    import argparse

    from hil_bench.sizing.grid import parse_size

    try:
        value = parse_size(text, "--arena-bytes")
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"--arena-bytes {text!r} must be positive")
    return value
def add_decode(p) -> None:
    """``--decode``: when the device decodes compressed weights (run, size, bench)."""
    from hil_bench.compress.defaults import DECODE
    from hil_bench.compress.formats import DECODE_MODES

    p.add_argument("--decode", choices=DECODE_MODES, default=DECODE,
                   help="in-place (default): the kernels read palette and N:M weights straight from flash, "
                        "no RAM copy; init: decode once into the arena; per-layer: decode at every invoke")
