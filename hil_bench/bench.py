"""The main job: take a model through several recipes, run each on a board, and tabulate what matters.

For each recipe: optimize (cached), build the firmware, run the test split on the board over serial,
read the model back from the device's flash, and audit it (and the ELF, which must agree) against the
trained (pruned/clustered) float stage — so ``sparsity_survived`` and ``clusters_survived`` come from
the binary on the device, not from the recipe's intent.
Each finished row is appended to the results store at once, so an interrupted run keeps them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hil_bench.boards import Board
from hil_bench.compress import defaults
from hil_bench.errors import DeviceError, UsageError
from hil_bench.audit import audit_elf, audit_image, survival
from hil_bench.boards.runners import runner_class
from hil_bench.datasets import load_dataset
from hil_bench.models import MODELS, build_model, get_spec, infer_spec, load_model
from hil_bench.optimize.recipe import TrainStep
from hil_bench.toolchain import toolchain_versions


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
        return self.model if self.model in MODELS else Path(self.model).stem


SUITES = {
    "default": Suite("digits_cnn", "digits", ("ptq", "qat", "pqat", "cqat", "pcqat", "pcqat24"),
                     "digits_cnn on scikit-learn digits through ptq, qat, pqat, cqat, pcqat and pcqat24 "
                     "(pcqat at 2:4 N:M sparsity)"),
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
    # start-up cost: pulls TensorFlow, loaded only when this runs
    from hil_bench.optimize import Recipe, load_recipe, optimize

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


def bench_recipe(board: Board, suite: Suite, recipe, *, run_id: str, quiet: bool = True,
                 limit: int | None = None, work_dir: Path | None = None, compress: str = defaults.COMPRESS,
                 kernels: str = "opt", mlperf_model: str | None = None, optimized=None, strip_names: bool = False,
                 arena_bytes: int | None = None, timeout: float | None = None, decode: str = defaults.DECODE,
                 cycles: bool = False):
    """Optimize, run and audit one recipe (a built-in name or a Recipe); return (ResultRow, extras for
    the report). ``optimized``: the recipe's OptimizeResult when the caller already has it. ``board`` is
    resolved once by the caller (:func:`run_bench`, ``sweep``, ``fit``) and passed down as it is.
    ``strip_names``: the image stores the model without names; ``arena_bytes`` None: planned plus margin.
    ``timeout``: the longest the board may take to answer a command (None: the watchdog's deadline,
    hil_bench.watchdog). ``cycles``: under QEMU, a profile pass adds the cycle estimate to the row
    (hil_bench.timing).

    Host accuracy is TFLite Micro's reference kernels on exactly the samples the device ran, and
    ``extras["outputs_identical"]`` says whether the device's int8 outputs equal them byte for byte.
    """

    # start-up cost: pulls tflite_micro, loaded only when this runs
    from hil_bench.compress import compress_model
    from hil_bench.evaluate import dequantize, io_quantization, metric_name, quantize, run_tflm, score
    from hil_bench.dut import run_model
    # start-up cost: pulls pandas, loaded only when this runs
    from hil_bench.results import ResultRow, metadata
    from hil_bench.timing.fields import FIELDS as TIME_FIELDS

    result = optimized or trained_suite_recipe(suite, recipe, quiet=quiet)[2]
    recipe, data = result.recipe, result.data
    if limit is not None:  # after optimizing, so the cached stages stay valid
        data = dataclasses.replace(data, x_test=data.x_test[:limit], y_test=data.y_test[:limit])

    # The firmware embeds the model with its weights stored as ``compress`` says (auto: per tensor the
    # smallest form under ``decode``, hil_bench.compress.model); in place the kernels read them from flash.
    from hil_bench.firmware.features import board_kernel_path

    stored_as = compress_model(result.tflite, method=compress, decode=decode, path=board_kernel_path(board, kernels))
    compressed = stored_as.model
    work = Path(work_dir or tempfile.mkdtemp(prefix="hil-bench-"))
    tflite_path = work / f"{suite.label}-{recipe.name}-{compress}.tflite"
    tflite_path.write_bytes(compressed)
    q_in, q_out = io_quantization(result.tflite)
    x = quantize(np.asarray(data.x_test), q_in)
    run = run_model(compressed, board, x, name=tflite_path.name, runs=3, read_back_model=not board.is_host,
                    kernels=kernels, mlperf_model=mlperf_model, strip_names=strip_names, arena_bytes=arena_bytes,
                    infer_timeout_s=timeout, decode=decode, cycles=cycles)
    run = dataclasses.replace(run, compress=compress)
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
        model_bytes=run.model_bytes, ram_reserved_bytes=run.ram_reserved_bytes,
        arena_used_bytes=run.arena_used_bytes, code_bytes=run.code_bytes,
        decoded_weight_bytes=run.decoded_weight_bytes, harness_ram_bytes=run.harness_ram_bytes,
        stack_used_bytes=run.stack_used_bytes, compress=compress, decode=run.decode,
        names_stripped=run.names_stripped,
        sparsity_trained=_weighted(trained, "sparsity"), sparsity_binary=_weighted(in_binary, "sparsity"),
        max_unique_trained=max(a.max_unique_per_channel for a in trained),
        max_unique_binary=max(a.max_unique_per_channel for a in in_binary),
        sparsity_survived=all(v.sparsity_survived for v in verdicts),
        clusters_survived=all(v.clusters_survived for v in verdicts),
        seed=recipe.seed, run_id=run_id, metric=metric_name(data), kernels=run.kernels,
        compiler_flags=run.compiler_flags,
        model_digest=hashlib.sha256(result.tflite).hexdigest()[:16], samples=len(x),
        weight_formats=json.dumps(stored_as.weight_formats, separators=(",", ":")),
        cycle_model=run.cycle_model or "", **{f: getattr(run, f) for f in TIME_FIELDS if f != "cycle_model"},
        **metadata(extra_versions=None if board.is_host else toolchain_versions(runner_class(run.runner).program)),
    )
    from hil_bench.tflite_parts import strip_names as without_names

    stored = without_names(compressed) if strip_names else compressed
    return row, {"layers": run.layers, "latency_unit": run.latency.unit, "outputs_identical": identical,
                 "samples": len(x), "names_bytes": len(stored) - len(without_names(stored)),
                 "names_stripped_bytes": len(compressed) - len(stored), "weight_formats": stored_as.weight_formats}


def run_bench(boards: list[Board], suite_name: "str | Suite" = "default", *, results_dir: Path | None = None,
              history: bool = False, quiet: bool = False, limit: int | None = None, compress: str = defaults.COMPRESS,
              kernels: str = "opt", jobs: int = 1, mlperf_model: str | None = None, strip_names: bool = False,
              arena_bytes: int | None = None, timeout: float | None = None, decode: str = defaults.DECODE,
              cycles: bool = False):
    """Every recipe of the suite on every board (resolved by the caller); rows are stored one by one as they finish.

    ``jobs`` > 1 runs that many (board, recipe) jobs at once, each in its own process with its own
    board and ports, after training every recipe once here (two processes must not train the same
    stage at once). Rows are stored in the same order as a sequential run stores them.
    Returns (rows, extras keyed by (board, recipe), the store or None).
    """
    from tqdm.auto import tqdm

    from hil_bench.boards import pick_runner
    from hil_bench.results import ResultsStore, new_run_id

    if limit is not None and limit < 1:   # 0 would silently run everything, -1 drop the last sample
        raise UsageError(f"--limit {limit} is out of range: give >= 1 (the number of test samples to use)")
    if jobs < 1:
        raise UsageError(f"--jobs {jobs} is out of range: give >= 1 (boards run at once)")
    suite = suite_name if isinstance(suite_name, Suite) else get_suite(suite_name)
    boards = list({board.name: board for board in boards}.values())   # `--board X --board X` runs X once
    for board in boards:   # a board whose runner is not installed fails before any training
        if not board.is_host:
            pick_runner(board)
    store = ResultsStore(results_dir, history=history) if results_dir is not None else None
    run_id = store.run_id if store is not None else new_run_id()
    rows, extras = [], {}
    todo = [(board, name) for board in boards for name in suite.recipes]
    options = dict(run_id=run_id, quiet=True, limit=limit, compress=compress, kernels=kernels,
                   mlperf_model=mlperf_model, strip_names=strip_names, arena_bytes=arena_bytes, timeout=timeout,
                   decode=decode, cycles=cycles)
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
    """(board name, recipe, bench_recipe's result) for every job, in ``todo``'s order however they finish."""
    if jobs == 1:
        for board, name in todo:
            bar.set_postfix_str(f"{name} on {board.name}")
            yield board.name, name, _timed_bench_recipe(board, suite, name, work_dir=work, **options)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    for name in dict.fromkeys(n for _, n in todo):
        bar.set_postfix_str(f"training {name}")
        trained_suite_recipe(suite, name, quiet=True)
    bar.set_postfix_str(f"{len(todo)} jobs, {jobs} at a time")
    # spawn, not fork: TensorFlow's threads do not survive a fork, and each worker starts its own boards.
    # Each job gets its Board object, so a worker never looks a board name up (user board folders included).
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_start, initargs=(os.getpid(),))
    try:
        futures = []
        for i, (board, name) in enumerate(todo):
            folder = work / f"job{i}"     # each job its own files: two may write at once (names may be paths)
            folder.mkdir()
            futures.append(pool.submit(_timed_bench_recipe, board, suite, name, work_dir=folder, **options))
        for (board, name), future in zip(todo, futures):
            yield board.name, name, future.result()
    except BaseException:   # an error, Ctrl-C, SIGTERM or SIGHUP: the running jobs stop now, boards and all
        _stop_workers(pool)
        raise
    finally:   # jobs not started are dropped
        pool.shutdown(wait=True, cancel_futures=True)


def _stop_workers(pool, grace: float = 5.0) -> None:
    """SIGTERM every worker (each stops its board on the way out), SIGKILL those left after ``grace`` s.

    A worker killed outright still takes its simulator with it (the simulator's parent-death signal).
    """
    import signal

    workers = list(getattr(pool, "_processes", {}).values())   # the executor's own record of its workers
    for worker in workers:
        if worker.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
        if worker.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
            worker.join(5.0)


def _timed_bench_recipe(*args, **kwargs):
    """bench_recipe, with its wall time in the extras (``seconds``: JUnit's test case time)."""
    start = time.monotonic()
    row, extra = bench_recipe(*args, **kwargs)
    return row, {**extra, "seconds": time.monotonic() - start}


def _worker_start(parent: int) -> None:
    """A bench worker dies with the bench (Linux parent-death signal: even a SIGKILLed bench leaves no
    worker, and so no simulator, behind) and ends quietly on SIGTERM, SIGHUP or Ctrl-C (the bench reports
    the interrupt)."""
    import signal

    _die_with(parent)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_worker)


def _stop_worker(signum, frame) -> None:
    """Stop this worker's simulators and leave at once: an exception here would be caught by the pool's
    worker loop, and one outside a job would print a traceback."""
    import signal

    from hil_bench.boards._process import stop_all

    for other in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):   # Ctrl-C, then the bench's SIGTERM
        signal.signal(other, signal.SIG_IGN)
    stop_all()
    os._exit(128 + signum)


def _die_with(parent: int) -> None:
    import signal

    from hil_bench.boards._process import parent_death_signal

    # Not Linux: the bench's own stop on a signal remains.
    if parent_death_signal(signal.SIGKILL) and os.getppid() != parent:   # it died before the request
        os._exit(1)


def rows_json(rows) -> str:
    out = []
    for row in rows:
        d = row.to_dict()
        d["latency"] = {"value": d["latency"], "unit": d.pop("latency_unit"), "spread": d.pop("latency_spread")}
        d["tool_versions"] = json.loads(d["tool_versions"])
        d["weight_formats"] = json.loads(d["weight_formats"]) if d["weight_formats"] else []
        out.append(d)
    return json.dumps(out, indent=2)
