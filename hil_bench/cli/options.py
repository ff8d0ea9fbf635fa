"""Options several subcommands share, declared once so their help and choices never drift apart."""

from __future__ import annotations

KERNELS_HELP = ("kernels to compile: 'opt' (default) the core's optimized path -- Helium on Cortex-M55/M85, "
                "the DSP extension on Cortex-M4/M7/M33, plain C elsewhere; 'ref' the plain C reference kernels "
                "(TFLite Micro reference arithmetic). Both give byte-identical outputs; `hil-bench boards` "
                "shows each board's path")


MLPERF_HELP = ("MLPerf Tiny model id the firmware answers to `profile%%` (m-model-[ID]), so MLPerf Tiny's "
               "runner accepts it: {ids}; ad01 images report one anomaly score. Default: none (the firmware "
               "answers 'hil-bench', which the runner refuses)")


def add_mlperf_model(p) -> None:
    from hil_bench.firmware.mlperf import MLPERF_MODELS

    p.add_argument("--mlperf-model", choices=tuple(MLPERF_MODELS), metavar="ID",
                   help=MLPERF_HELP.format(ids="|".join(MLPERF_MODELS)))


def add_kernels(p) -> None:
    from hil_bench.firmware.build import KERNELS

    p.add_argument("--kernels", choices=KERNELS, default="opt", help=KERNELS_HELP)
