"""The main job: take a model through several recipes, run each on a board, and tabulate what matters.

For each recipe: optimize (cached), build the firmware, run the test split on the board over serial,
read the model back from the device's flash, and audit it (and the ELF, which must agree) against the
trained (pruned/clustered) float stage — so ``sparsity_survived`` and ``clusters_survived`` come from
the binary on the device, not from the recipe's intent.
Each finished row is appended to the results store at once, so an interrupted run keeps them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hil_bench.errors import UsageError


@dataclass(frozen=True)
class Suite:
    """A model, its data and the recipes it goes through. ``model`` is a built-in name or the path of the
    user's model file (``.keras``, ``.h5``, SavedModel); ``dataset`` None means the model's default."""

    model: str
    dataset: str | None
    recipes: tuple[str, ...]
    description: str

    @property
    def label(self) -> str:
        """The model's name in rows, file names and reports (a file's stem)."""
        from hil_bench.models import MODELS

        return self.model if self.model in MODELS else Path(self.model).stem


SUITES = {
    "default": Suite("digits_cnn", "digits", ("ptq", "qat", "pqat", "cqat", "pcqat"),
                     "digits_cnn on scikit-learn digits through ptq, qat, pqat, cqat and pcqat"),
}


def model_suite(model: str, dataset: str | None = None, recipes: tuple[str, ...] | None = None) -> Suite:
    """The default suite's recipes (or ``recipes``: names or TOML files) for another model, e.g. the user's file."""
    recipes = tuple(recipes or SUITES["default"].recipes)
    return Suite(model, dataset, recipes, f"{model} on {dataset or 'its default data'} through {', '.join(recipes)}")


def get_suite(name: str) -> Suite:
    try:
        return SUITES[name]
    except KeyError:
        raise UsageError(f"unknown suite {name!r}; suites: {', '.join(SUITES)}") from None


def _weighted(audits, attr: str) -> float:
    total = sum(int(np.prod(a.shape)) for a in audits)
    return float(sum(getattr(a, attr) * int(np.prod(a.shape)) for a in audits) / total) if total else 0.0


def trained_suite_recipe(suite: Suite, recipe, *, quiet: bool = True):
    """The suite's model through one recipe, a built-in name or a Recipe (optimize's stage cache: trained
    once per machine and code).

    Returns (recipe, dataset, OptimizeResult).
    """
    from hil_bench.datasets import load_dataset
    from hil_bench.models import MODELS, build_model, get_spec, infer_spec, load_model
    from hil_bench.optimize import Recipe, load_recipe, optimize
    from hil_bench.optimize.recipe import TrainStep

    recipe = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    if suite.model in MODELS:
        spec, model = get_spec(suite.model), build_model(suite.model, seed=recipe.seed)
    else:   # the user's model arrives trained (as with `optimize`): fine-tuned by the recipe's steps only
        model = load_model(suite.model, seed=recipe.seed)
        spec = infer_spec(model, suite.label)
        recipe = dataclasses.replace(recipe, train=TrainStep(0, recipe.train.learning_rate, recipe.train.batch_size))
    data = load_dataset(suite.dataset or spec.dataset, spec.input_shape, seed=recipe.seed, classes=spec.classes,
                        task=spec.task)
    return recipe, data, optimize(model, data, recipe, model_name=spec.name, quiet=quiet)


def bench_recipe(board_name: str, suite: Suite, recipe, *, run_id: str, quiet: bool = True,
                 limit: int | None = None, work_dir: Path | None = None, compress: str = "auto",
                 kernels: str = "opt", mlperf_model: str | None = None, optimized=None,
                 decode: str = "in-place"):
    """Optimize, run and audit one recipe (a built-in name or a Recipe); return (ResultRow, extras for
    the report). ``optimized``: the recipe's OptimizeResult when the caller already has it.

    Host accuracy is TFLite Micro's reference kernels on exactly the samples the device ran, and
    ``extras["outputs_identical"]`` says whether the device's int8 outputs equal them byte for byte.
    """

    from hil_bench.audit import survival
    from hil_bench.boards import load_board
    from hil_bench.compress import compress_model
    from hil_bench.evaluate import dequantize, io_quantization, metric_name, quantize, run_tflm, score
    from hil_bench.dut import run_model
    from hil_bench.boards.runners import runner_class
    from hil_bench.toolchain import toolchain_versions
    from hil_bench.audit import audit_image
    from hil_bench.errors import DeviceError
    from hil_bench.firmware.image import audit_elf
    from hil_bench.results import ResultRow, metadata

    board = load_board(board_name)
    result = optimized or trained_suite_recipe(suite, recipe, quiet=quiet)[2]
    recipe, data = result.recipe, result.data
    if limit is not None:  # after optimizing, so the cached stages stay valid
        data = dataclasses.replace(data, x_test=data.x_test[:limit], y_test=data.y_test[:limit])

    # The firmware embeds the model with its weights stored as ``compress`` says (auto: per tensor the
    # smallest form under ``decode``, hil_bench.compress.model); in place the kernels read them from flash.
    from hil_bench.compress.model import board_kernel_path

    stored = compress_model(result.tflite, method=compress, decode=decode, path=board_kernel_path(board, kernels))
    compressed = stored.model
    work = Path(work_dir or tempfile.mkdtemp(prefix="hil-bench-"))
    tflite_path = work / f"{suite.label}-{recipe.name}-{compress}.tflite"
    tflite_path.write_bytes(compressed)
    q_in, q_out = io_quantization(result.tflite)
    x = quantize(np.asarray(data.x_test), q_in)
    run = run_model(tflite_path, board, x, runs=3, read_back_model=not board.is_host, kernels=kernels,
                    mlperf_model=mlperf_model, decode=decode)
    host_outputs = run_tflm(result.tflite, x)  # the oracle (uncompressed model), on the device's samples
    accuracy_device = score(dequantize(run.outputs[0], q_out), data)
    accuracy_host = score(dequantize(host_outputs, q_out), data)
    identical = bool(np.array_equal(run.outputs[0].reshape(host_outputs.shape), host_outputs))

    trained = result.structured_stage.audit
    if board.is_host:
        in_binary = result.stage("int8").audit  # no flash image: the .tflite itself is what runs
    else:
        # The model as the running device holds it in flash (read back over serial, compressed tensors
        # decoded by the independent Python decoder); the ELF must say exactly the same.
        # Every weight tensor, raw or compressed, is compared value for value with the int8 model.
        in_binary = [t.audit for t in audit_image(run.model_readback, result.tflite)]
        if audit_elf(run.elf, result.tflite) != in_binary:   # the ELF that ran, not a rebuild
            raise DeviceError(f"{board.name}: the model read back from the device differs from the one in the ELF")
    verdicts = survival(trained, in_binary)
    row = ResultRow(
        model=suite.label, recipe=recipe.name, board=board.name, runner=run.runner,
        timing_source=run.timing_source,
        latency=run.latency.median if run.latency.samples else None,
        latency_unit=run.latency.unit, latency_spread=run.latency.stdev if run.latency.samples else None,
        accuracy_host=accuracy_host, accuracy_device=accuracy_device,
        dataset_synthetic=data.synthetic, flash_bytes=run.flash_bytes or None,
        ram_bytes=run.ram_bytes or None, model_bytes_raw=len(result.tflite),
        model_bytes=run.model_bytes or len(compressed), ram_reserved_bytes=run.ram_reserved_bytes,
        arena_used_bytes=run.arena_used_bytes, code_bytes=run.code_bytes,
        sparsity_trained=_weighted(trained, "sparsity"), sparsity_binary=_weighted(in_binary, "sparsity"),
        max_unique_trained=max(a.max_unique_per_channel for a in trained),
        max_unique_binary=max(a.max_unique_per_channel for a in in_binary),
        sparsity_survived=all(v.sparsity_survived for v in verdicts),
        clusters_survived=all(v.clusters_survived for v in verdicts),
        seed=recipe.seed, run_id=run_id, metric=metric_name(data), kernels=run.kernels,
        compiler_flags=run.compiler_flags,
        model_digest=hashlib.sha256(result.tflite).hexdigest()[:16],
        weight_formats=json.dumps(stored.weight_formats, separators=(",", ":")),
        **metadata(extra_versions=None if board.is_host else toolchain_versions(runner_class(run.runner).program)),
    )
    return row, {"layers": run.layers, "latency_unit": run.latency.unit, "outputs_identical": identical,
                 "samples": len(x), "weight_formats": stored.weight_formats}


def run_bench(boards: list[str], suite_name: "str | Suite" = "default", *, results_dir: Path | None = None,
              history: bool = False, quiet: bool = False, limit: int | None = None, compress: str = "auto",
              kernels: str = "opt", jobs: int = 1, mlperf_model: str | None = None, decode: str = "in-place"):
    """Every recipe of the suite on every board; rows are stored one by one as they finish.

    ``jobs`` > 1 runs that many (board, recipe) jobs at once, each in its own process with its own
    board and ports, after training every recipe once here (two processes must not train the same
    stage at once). Rows are stored in the same order as a sequential run stores them.
    Returns (rows, extras keyed by (board, recipe), the store or None).
    """
    from tqdm.auto import tqdm

    from hil_bench.boards import load_board
    from hil_bench.results import ResultsStore, new_run_id

    from hil_bench.errors import UsageError

    if limit is not None and limit < 1:   # 0 would silently run everything, -1 drop the last sample
        raise UsageError(f"--limit {limit} is out of range: give >= 1 (the number of test samples to use)")
    if jobs < 1:
        raise UsageError(f"--jobs {jobs} is out of range: give >= 1 (boards run at once)")
    suite = suite_name if isinstance(suite_name, Suite) else get_suite(suite_name)
    for board in boards:
        load_board(board)  # an unknown board fails before any training
    store = ResultsStore(results_dir, history=history) if results_dir is not None else None
    run_id = store.run_id if store is not None else new_run_id()
    rows, extras = [], {}
    todo = [(board, name) for board in boards for name in suite.recipes]
    options = dict(run_id=run_id, quiet=True, limit=limit, compress=compress, kernels=kernels,
                   mlperf_model=mlperf_model, decode=decode)
    bar = tqdm(total=len(todo), desc="bench", unit="recipe", disable=quiet, dynamic_ncols=True)
    with bar, tempfile.TemporaryDirectory(prefix="hil-bench-") as work:
        for board, name, (row, extra) in _bench_jobs(todo, suite, options, Path(work), jobs, bar):
            if store is not None:
                store.append(row)
            rows.append(row)
            extras[(board, name)] = extra
            bar.update()
    return rows, extras, store


def _bench_jobs(todo, suite: Suite, options: dict, work: Path, jobs: int, bar):
    """(board, recipe, bench_recipe's result) for every job, in ``todo``'s order however they finish."""
    if jobs == 1:
        for board, name in todo:
            bar.set_postfix_str(f"{name} on {board}")
            yield board, name, _timed_bench_recipe(board, suite, name, work_dir=work, **options)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from hil_bench.boards import _added_dirs

    for name in dict.fromkeys(n for _, n in todo):
        bar.set_postfix_str(f"training {name}")
        trained_suite_recipe(suite, name, quiet=True)
    bar.set_postfix_str(f"{len(todo)} jobs, {jobs} at a time")
    # spawn, not fork: TensorFlow's threads do not survive a fork, and each worker starts its own boards.
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_boards, initargs=(list(_added_dirs),))
    try:
        futures = []
        for i, (board, name) in enumerate(todo):
            folder = work / f"job{i}"     # each job its own files: two may write at once (names may be paths)
            folder.mkdir()
            futures.append(pool.submit(_timed_bench_recipe, board, suite, name, work_dir=folder, **options))
        for (board, name), future in zip(todo, futures):
            yield board, name, future.result()
    finally:   # on an error or Ctrl-C: jobs not started are dropped, running ones stop their boards
        pool.shutdown(wait=True, cancel_futures=True)


def _timed_bench_recipe(*args, **kwargs):
    """bench_recipe, with its wall time in the extras (``seconds``: JUnit's test case time)."""
    start = time.monotonic()
    row, extra = bench_recipe(*args, **kwargs)
    return row, {**extra, "seconds": time.monotonic() - start}


def _worker_boards(dirs: list[Path]) -> None:
    """A bench worker searches the same user board folders as the process that started it."""
    from hil_bench.boards import add_boards_dir

    for folder in reversed(dirs):
        add_boards_dir(folder)


def rows_json(rows) -> str:
    out = []
    for row in rows:
        d = row.to_dict()
        d["latency"] = {"value": d["latency"], "unit": d.pop("latency_unit"), "spread": d.pop("latency_spread")}
        d["tool_versions"] = json.loads(d["tool_versions"])
        d["weight_formats"] = json.loads(d["weight_formats"]) if d["weight_formats"] else []
        out.append(d)
    return json.dumps(out, indent=2)
