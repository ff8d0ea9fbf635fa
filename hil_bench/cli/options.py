"""Options several subcommands share, declared once so their help and choices never drift apart."""

from __future__ import annotations

KERNELS_HELP = ("kernels to compile: 'opt' (default) the core's optimized path -- Helium on Cortex-M55/M85, "
                "the DSP extension on Cortex-M4/M7/M33, plain C elsewhere; 'ref' the plain C reference kernels "
                "(TFLite Micro reference arithmetic). Both give byte-identical outputs; `hil-bench boards` "
                "shows each board's path")


def add_kernels(p) -> None:
    from hil_bench.firmware.build import KERNELS

    p.add_argument("--kernels", choices=KERNELS, default="opt", help=KERNELS_HELP)
