"""Options several subcommands share, declared once so their help and choices never drift apart."""

from __future__ import annotations

from pathlib import Path

from hil_bench.errors import UsageError
from hil_bench.firmware.build import KERNELS
from hil_bench.firmware.mlperf import MLPERF_MODELS

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


def add_kernels(p) -> None:
    p.add_argument("--kernels", choices=KERNELS, default="opt", help=KERNELS_HELP)


def check_model_source(source: str, option: str = "--model") -> None:
    """An unknown built-in name is refused before TensorFlow is imported (load_model would say the same
    after several seconds)."""
    # start-up cost: loaded when this command runs, not by every `hil-bench` call
    from hil_bench.models import MODELS, get_spec

    if source not in MODELS and not Path(source).exists():
        if not Path(source).suffix and "/" not in source and "\\" not in source:
            get_spec(source)   # the "unknown model" error with the list of names

        raise UsageError(f"{option} {source}: no such file or folder (a .keras or .h5 file, a tf_keras "
                         "SavedModel directory, or a built-in model name)")


def check_dataset_source(source: str | None) -> None:
    """An unknown data set name or a missing .npz is refused before TensorFlow is imported."""
    # start-up cost: loaded when this command runs, not by every `hil-bench` call
    from hil_bench.datasets import DATASETS, load_dataset

    if source is not None and source not in DATASETS and not Path(source).exists():
        load_dataset(source)   # nothing to load: raises the "unknown data set" / "no such file" error at once
