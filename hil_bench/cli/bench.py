"""The main job. Takes the suite's model through every recipe (default: digits_cnn on scikit-learn
digits through ptq, qat, pqat, cqat, pcqat and pcqat24: pcqat at 2:4 N:M sparsity), builds and runs
each on the board, and prints one table: int8 accuracy on host (TFLite Micro reference kernels) and on
the device, latency with its unit and source, flash and RAM bytes, sparsity and max unique values per
channel as trained and as found in the binary in flash, and whether they survived. Rows are appended
to RESULTS_DIR/runs/<run_id>.csv as each recipe finishes (an interrupted run keeps the finished rows).

Under QEMU, latency is counted in instructions (-icount), not cycles, and is deterministic.
"""

from __future__ import annotations

from pathlib import Path

from hil_bench.boards import load_board
from hil_bench.cli.output import table
from hil_bench.compress.formats import METHODS
from hil_bench.errors import ResultsError, UsageError
from hil_bench.paths import check_output_dir, check_output_file, write_bytes_atomic
from hil_bench.cli.options import add_kernels, add_mlperf_model
from hil_bench.optimize.recipe import load_recipe

NAME = "bench"
HELP = "optimize, build, run and audit every recipe of a suite on a board; print the table"


def add_arguments(p) -> None:
    p.add_argument("--board", required=True, action="append", dest="boards", metavar="NAME",
                   help="board name (see `hil-bench boards`), e.g. corstone300; repeat for several boards")
    p.add_argument("--suite", default="default", help="suite name (default: default)")
    p.add_argument("--model", metavar="NAME|PATH",
                   help="another model through the suite's recipes: a built-in name or your .keras/.h5 file or "
                        "tf_keras SavedModel (Keras 3 is converted and checked equal; your model arrives trained, "
                        "the recipes fine-tune it)")
    p.add_argument("--dataset", metavar="NAME|FILE.npz",
                   help="data for --model: digits, synthetic or a .npz with x_train, y_train, x_test, y_test "
                        "(default: the model's own; synthetic, flagged, for your model)")
    p.add_argument("--recipe", action="append", metavar="NAME|FILE.toml",
                   help="run this recipe instead of the suite's (repeatable): ptq, qat, pqat, cqat, pcqat, pcqat24 "
                        "or a TOML")
    p.add_argument("--results-dir", type=Path, default=Path("results"),
                   help="where to append result rows (default: results/)")
    p.add_argument("--limit", type=int, metavar="N", help="evaluate only the first N test samples")
    p.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                   help="run N (board, recipe) jobs at once, each in its own process with its own board "
                        "(default 1; the recipes are trained once first; rows come out as a sequential run's)")

    from hil_bench.compress import defaults

    p.add_argument("--compress", choices=METHODS, default=defaults.COMPRESS,
                   help=f"how the firmware stores weight tensors in flash (default {defaults.COMPRESS}; auto: per "
                        "tensor the smallest of raw, TFLite Micro LUT and hil-bench's codec)")
    from hil_bench.cli.options import add_storage_options, add_timeout

    add_storage_options(p)
    add_kernels(p)
    from hil_bench.cli.options import add_decode

    add_decode(p)
    add_mlperf_model(p)
    add_timeout(p)
    p.add_argument("--cycles", action="store_true",
                   help="under QEMU, profile one inference per recipe and add estimated cycles and ms at the board "
                        "clock to the rows (cycles_est, ms_est, cycle_model; docs/cycle-model.md)")
    p.add_argument("--history", action="store_true",
                   help="also append the rows to RESULTS_DIR/history.csv (what nightly runs do)")
    p.add_argument("--report", type=Path, metavar="DIR",
                   help="write report.md (terminals, PRs) and report.html (one self-contained page) with the plots "
                        "(accuracy vs flash and latency, latency per layer, history) here")
    p.add_argument("--baseline", type=Path, metavar="CSV|DIR",
                   help="compare with a baseline (e.g. results/baseline) and exit 1 on a regression")
    p.add_argument("--tolerances", type=Path, metavar="FILE.toml", help="tolerances for --baseline")
    p.add_argument("--junit", type=Path, metavar="FILE.xml",
                   help="also write JUnit XML for CI: one test case per recipe and board, failing on a regression "
                        "or lost survival against --baseline, or on device outputs that differ from TFLite Micro's "
                        "(without --baseline only the latter)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars (for CI)")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")


COLUMNS = [
    ("recipe", "recipe"), ("metric", "metric"), ("accuracy_host", "host"), ("accuracy_device", "device"),
    ("latency", "latency"), ("flash_bytes", "flash B"), ("model_bytes_raw", "model B"),
    ("model_bytes", "stored B"), ("model_ram", "model RAM B"), ("harness_ram_bytes", "harness B"),
    ("stack_used_bytes", "stack B"),
    ("sparsity_trained", "sparsity trained"), ("sparsity_binary", "in binary"),
    ("max_unique_trained", "uniq/ch trained"), ("max_unique_binary", "in binary"),
    ("sparsity_survived", "sparsity kept"), ("clusters_survived", "clusters kept"),
]


def run(args) -> int:
    check_output_dir(args.results_dir, "--results-dir")   # before any training or board start
    check_output_dir(args.results_dir / "runs", "--results-dir")   # where the rows go
    if args.report is not None:
        check_output_dir(args.report, "--report")
    if args.junit is not None:
        check_output_file(args.junit, "--junit", example="junit.xml")
    _check_baseline_options(args)
    # start-up cost: loaded when this command runs, not by every `hil-bench` call
    from hil_bench.bench import rows_json, run_bench

    args.boards = list(dict.fromkeys(args.boards))   # a board given twice runs once
    suite = _suite(args)
    boards = [load_board(name) for name in args.boards]   # once, here: an unknown board fails before any training
    try:
        rows, extras, store = run_bench(boards, suite, results_dir=args.results_dir,
                                        history=args.history, quiet=args.quiet, limit=args.limit,
                                        compress=args.compress, decode=args.decode, kernels=args.kernels,
                                        jobs=args.jobs, mlperf_model=args.mlperf_model, strip_names=args.strip_names,
                                        arena_bytes=args.arena_bytes, timeout=args.timeout, cycles=args.cycles)
    except Exception as exc:
        _junit_error(args, exc)
        raise
    differing = [f"{name} on {board}" for (board, name), extra in extras.items() if not extra["outputs_identical"]]
    comparison = _compare(args, store) if args.baseline else None
    regressed = comparison is not None and not comparison.ok
    if args.junit:
        _junit(args, rows, extras, comparison)
    if args.report:
        _report(args, rows, extras, store, comparison, boards)
    if args.json:
        print(rows_json(rows))
        return 1 if differing or regressed else 0
    for board in args.boards:
        board_rows = [r for r in rows if r.board == board]
        first = board_rows[0]
        print(f"{suite.description} — board {board} via {first.runner}; "
              f"latency in {first.latency_unit} ({first.timing_source}); {first.kernels or 'unknown'} kernels "
              f"({first.compiler_flags or 'native build'})")
        estimated = [("cycles_est", "cycles est"), ("ms_est", "ms est")] if first.cycle_model else []
        print(table([dict(r.to_dict(), model_ram=r.arena_used_bytes) for r in board_rows], COLUMNS + estimated))
        if first.cycle_model:
            print(f"cycles est, ms est: {first.cycle_model} at {first.clock_hz / 1e6:g} MHz, see docs/cycle-model.md")
        print()
    samples = next(iter(extras.values()))["samples"]
    print(f"device int8 outputs on {samples} test samples identical to TFLite Micro's reference kernels: "
          + ("yes, every recipe" if not differing else f"NO for {', '.join(differing)}"))
    if any(r.dataset_synthetic for r in rows):
        print("note: synthetic data set — accuracy means nothing")
    from hil_bench.compress import defaults
    from hil_bench.firmware.build import ARENA_MARGIN

    print(f"model B: the .tflite; stored B: the model as embedded in flash (weights stored: {args.compress}, decoded: "
          f"{defaults.DECODE}{', names stripped' if args.strip_names else ''}); 'in binary': read back from the "
          "device's flash over serial, decoded independently, and checked equal to the ELF")
    print("RAM: model RAM B is the arena the runtime planned (decoded weights included), harness B the harness's "
          "buffers (serial load buffer, command line, profile), stack B the stack used; the image reserves the "
          + ("planned arena plus " + ARENA_MARGIN if args.arena_bytes is None else f"--arena-bytes {args.arena_bytes:,} B"))
    key = "names_stripped_bytes" if args.strip_names else "names_bytes"
    names = [e[key] for e in extras.values() if key in e] or [0]
    if args.strip_names:
        print(f"names stripped: {min(names):,} to {max(names):,} B less flash per model, outputs identical")
    else:
        print(f"names: --strip-names would store each model {min(names):,} to {max(names):,} B smaller without its "
              "tensor and signature names (outputs identical)")
    print(f"rows appended to {store.run_path}" + (f" and {store.history_path}" if args.history else ""))
    return 1 if differing or regressed else 0


def _suite(args):
    """The suite, or its recipes (or --recipe's) for --model on --dataset; names and files checked before TensorFlow."""
    # start-up cost: loaded when this command runs, not by every `hil-bench` call
    from hil_bench.bench import get_suite, model_suite
    from hil_bench.models import check_dataset_source, check_model_source

    base = get_suite(args.suite)
    if not (args.model or args.dataset or args.recipe):
        return base
    if args.model:
        check_model_source(args.model)
    check_dataset_source(args.dataset, args.model or base.model)
    for recipe in args.recipe or ():
        load_recipe(recipe)
    model = args.model or base.model
    dataset = args.dataset or (base.dataset if model == base.model else None)
    return model_suite(model, dataset, tuple(args.recipe or base.recipes))


def _check_baseline_options(args) -> None:
    """--baseline and --tolerances are read only after the whole run: check them before it starts."""
    if args.tolerances is not None and args.baseline is None:
        raise UsageError("--tolerances applies to the comparison with --baseline; add --baseline CSV|DIR")
    if args.baseline is not None and not args.baseline.exists():
        raise UsageError(f"--baseline {args.baseline}: no such file or folder (e.g. results/baseline)")
    try:
        if args.tolerances is not None:   # the default tolerances need no check (nor pandas)
            # start-up cost: pulls pandas, loaded only when this runs
            from hil_bench.results import load_tolerances

            load_tolerances(args.tolerances)
        if args.baseline is not None:   # read now, as `compare` reads it: not found broken after the run
            from hil_bench.results import read_results

            read_results(args.baseline)
    except ResultsError as exc:
        raise UsageError(str(exc)) from None


def _compare(args, store):
    """Print the comparison with the baseline and return it."""
    # start-up cost: pulls pandas, loaded only when this runs
    from hil_bench.results import compare, load_tolerances, read_results

    comparison = compare(read_results(args.baseline), store.read(), load_tolerances(args.tolerances),
                         missing_ok=True)
    if not args.json:
        print(comparison.to_table())
        print()
    return comparison


def _junit(args, rows, extras, comparison) -> None:
    # start-up cost: pulls pandas, loaded only when this runs
    from hil_bench.results.junit import junit_xml

    run_failures = {(r.model, r.recipe, r.board): "device int8 outputs differ from TFLite Micro's reference kernels "
                    f"on the {extras[(r.board, r.recipe)]['samples']} test samples"
                    for r in rows if not extras[(r.board, r.recipe)]["outputs_identical"]}
    seconds = {(r.model, r.recipe, r.board): extras[(r.board, r.recipe)].get("seconds", 0.0) for r in rows}
    xml = junit_xml(rows, comparison, run_failures=run_failures, seconds=seconds)
    write_bytes_atomic(args.junit, xml.encode("utf-8"))
    if not args.json:
        print(f"JUnit XML: {args.junit}")


def _junit_error(args, exc: Exception) -> None:
    """A run that stopped half-way still replaces --junit, with one errored case: an old file's green must not
    stand for it. Bad usage found before the run (exit 2) writes nothing."""
    if args.junit is None or isinstance(exc, UsageError):
        return
    # start-up cost: pulls pandas, loaded only when this runs
    from hil_bench.results.junit import error_xml

    write_bytes_atomic(args.junit, error_xml(NAME, f"{type(exc).__name__}: {exc}").encode("utf-8"))


def _report(args, rows, extras, store, comparison, boards) -> None:
    # start-up cost: pulls matplotlib, loaded only when this runs
    from hil_bench.results import write_report

    from hil_bench.results.report import layer_latencies_by_layer

    last = extras[(rows[-1].board, rows[-1].recipe)]
    history = store.read_history() if args.history else None
    paths = write_report(store.read(), args.report, layer_latency=layer_latencies_by_layer(last["layers"]) or None,
                         layer_latency_unit=last["latency_unit"], layer_latency_of=f"{rows[-1].recipe} on {rows[-1].board}",
                         history=history, title=f"hil-bench: {rows[-1].model} ({args.suite} suite)",
                         comparison=comparison, boards={board.name: board for board in boards},
                         layer_latencies={key: layer_latencies_by_layer(extra["layers"]) for key, extra in extras.items()})
    if not args.json:
        print(f"report: {paths[0]} and {paths[-1]}")
