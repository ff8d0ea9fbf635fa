"""Size a model for your boards: train every (sparsity, clusters) point of a grid once, build and run each
on every board (the same path as `bench`), and print per board accuracy (host and device), latency,
flash, RAM and model bytes, whether sparsity and clusters survived into flash, the Pareto front
(accuracy vs flash, accuracy vs latency) and whether each point fits the board.

A point: sparsity s (0 = no pruning; or an N:M pattern such as 2:4, point s2of4-k16) and clusters k
(0 = no clustering), named like s0.50-k16, trained
as train -> prune to s -> cluster to k keeping the zeros -> the QAT that preserves both (--qat pcqat;
qat: plain QAT, none: post-training quantization). Stages are cached: the float model is trained once
for the whole grid and a prune stage is shared by the points that differ only in clusters.

Your own model: --model FILE.keras|FILE.h5|SAVEDMODEL_DIR with --dataset FILE.npz (x_train, y_train,
x_test, y_test); it arrives trained, so each point only fine-tunes it (prune, cluster, QAT).

Fits: the image's flash and RAM (measured) against the budget -- --flash-budget / --ram-budget (one SIZE
for every board, or BOARD=SIZE; default: the regions of the board file that hold code and model (flash)
and data and arena (RAM)) -- minus --app-flash / --app-ram reserved for your own application.
Sizes: 65536, 0x10000, 64KiB, 1MiB.

Rows go to RESULTS_DIR/runs/<run_id>.csv as they finish, the summary (every mark and verdict) to
RESULTS_DIR/runs/<run_id>.sweep.json. Resumable: re-run the same command after an interruption and the
finished (point, board) rows are skipped (the run is found through RESULTS_DIR/sweeps/); a re-run with
other --app-flash/--app-ram only re-judges, one with more points or boards runs only the new rows.
Training time: --train-epochs and --tune-epochs scale every point's recipe (defaults: the built-in
recipes' 10 and 2; the digits grid 0,0.5,0.75 x 0,16 takes about a minute of training).
"""

from __future__ import annotations

from pathlib import Path

from hil_bench.cli.output import print_json, table
from hil_bench.sizing.sweep import run_sweep
from hil_bench.compress.formats import METHODS
from hil_bench.sizing.grid import QAT_CHOICES, grid, parse_clusters, parse_size, parse_sparsities
from hil_bench.sizing.settings import Settings
from hil_bench.cli.options import add_kernels
from hil_bench.sizing.budget import board_budget
from hil_bench.paths import check_output_dir
from hil_bench.boards import load_board

NAME = "sweep"
HELP = "train a grid of sparsity x clusters once, run it on several boards; Pareto fronts and fits per board"


def add_arguments(p) -> None:
    add_model_options(p)
    p.add_argument("--board", required=True, action="append", dest="boards", metavar="NAME",
                   help="board name (see `hil-bench boards`); repeat for several boards")
    p.add_argument("--results-dir", type=Path, default=Path("results"),
                   help="where the run's rows, its summary and the sweep state go (default: results/)")
    p.add_argument("--report", type=Path, metavar="DIR",
                   help="write report.md and report.html with the plots here, as `bench --report` does")
    p.add_argument("--flash-budget", action="append", metavar="[BOARD=]SIZE",
                   help="flash for the image: one SIZE for every board or BOARD=SIZE, repeatable "
                        "(default: the board file's)")
    p.add_argument("--ram-budget", action="append", metavar="[BOARD=]SIZE",
                   help="RAM for the image: one SIZE for every board or BOARD=SIZE, repeatable (default: the board file's)")
    add_grid_options(p)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")


def add_model_options(p) -> None:
    """What `sweep` and `fit` share: the model, its training and how it is built and run."""

    p.add_argument("--model", required=True, metavar="NAME|PATH",
                   help="built-in model (digits_cnn, ds_cnn, resnet8, mobilenet_v1_025, fc_autoencoder), or your "
                        "trained .keras/.h5 file or tf_keras SavedModel (Keras 3 is converted and checked equal)")
    p.add_argument("--dataset", metavar="NAME|FILE.npz",
                   help="data set: digits, synthetic or a .npz with x_train, y_train, x_test, y_test (default: the "
                        "model's own; synthetic, flagged, for your model)")
    p.add_argument("--qat", choices=QAT_CHOICES, default="pcqat",
                   help="pcqat (default): the preserving QAT matching each point (qat, pqat, cqat or pcqat); "
                        "qat: plain QAT everywhere; none: post-training quantization")
    from hil_bench.compress import defaults

    p.add_argument("--compress", choices=METHODS, default=defaults.COMPRESS,
                   help=f"how the firmware stores weight tensors in flash (default: {defaults.COMPRESS})")
    p.add_argument("--strip-names", action="store_true",
                   help="store the model without tensor and signature names (smaller flash, same outputs)")
    add_kernels(p)
    p.add_argument("--limit", type=int, metavar="N", help="run only the first N test samples on the board")
    p.add_argument("--train-epochs", type=int, metavar="N", help="float training epochs (default: 10)")
    p.add_argument("--tune-epochs", type=int, metavar="N",
                   help="epochs of each prune, cluster and QAT fine-tuning step (default: 2)")
    p.add_argument("--app-flash", default="0", metavar="SIZE",
                   help="flash kept free for your application, e.g. 128KiB (default: 0)")
    p.add_argument("--app-ram", default="0", metavar="SIZE",
                   help="RAM kept free for your application, e.g. 32KiB (default: 0)")


def add_grid_options(p) -> None:
    p.add_argument("--sparsity", default="0,0.5,0.75", metavar="LIST",
                   help="fractions of zero weights, each in [0, 1), or N:M patterns (2:4, 1:4, 1:8: at most N "
                        "non-zeros in every block of M along the reduction axis), comma-separated "
                        "(default: 0,0.5,0.75)")
    p.add_argument("--clusters", default="0,8,16,32", metavar="LIST",
                   help="weights per kernel after clustering, comma-separated, 0 (none) or 2..256 "
                        "(default: 0,8,16,32)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress (for CI)")


def settings_from(args):
    """The checked settings; every argument error surfaces here, before TensorFlow is imported."""
    from hil_bench.models import check_dataset_source   # start-up cost: loaded when this runs

    check_dataset_source(args.dataset, args.model)
    return Settings(args.model, args.dataset, qat=args.qat, compress=args.compress, kernels=args.kernels,
                    limit=args.limit, train_epochs=args.train_epochs, tune_epochs=args.tune_epochs,
                    strip_names=args.strip_names)


def budgets_from(args, boards: dict) -> dict:
    """``{board name: Budget}`` for ``boards`` (name -> Board) from --flash-budget/--ram-budget (per board
    or one for all) and the headroom."""
    from hil_bench.errors import UsageError
    from hil_bench.sizing.budget import parse_budgets

    app_flash, app_ram = parse_size(args.app_flash, "--app-flash"), parse_size(args.app_ram, "--app-ram")
    flash = parse_budgets(args.flash_budget, list(boards), "--flash-budget")
    ram = parse_budgets(args.ram_budget, list(boards), "--ram-budget")
    budgets = {}
    for name, board in boards.items():
        if board.is_host and (flash[name] is not None or ram[name] is not None):
            raise UsageError(f"board {name!r} has no flash or RAM to budget; give a target board "
                             "(see `hil-bench boards`)")
        budgets[name] = board_budget(board, app_flash=app_flash, app_ram=app_ram, flash_budget=flash[name],
                                     ram_budget=ram[name])
    return budgets


COLUMNS = [("point", "point"), ("accuracy_host", "host"), ("accuracy_device", "device"), ("latency", "latency"),
           ("flash_bytes", "flash B"), ("ram_bytes", "RAM B"), ("arena_used_bytes", "model RAM B"),
           ("harness_ram_bytes", "harness B"), ("model_bytes", "model B"),
           ("sparsity_survived", "sparsity kept"), ("clusters_survived", "clusters kept"),
           ("pareto", "Pareto"), ("fits_cell", "fits")]


def run(args) -> int:
    from hil_bench.boards import pick_runner
    check_output_dir(args.results_dir, "--results-dir")
    check_output_dir(args.results_dir / "runs", "--results-dir")
    if args.report is not None:
        check_output_dir(args.report, "--report")
    points = grid(parse_sparsities(args.sparsity), parse_clusters(args.clusters))
    settings = settings_from(args)
    boards = list(dict.fromkeys(args.boards))
    resolved = {b: load_board(b) for b in boards}   # once, here
    budgets = budgets_from(args, resolved)
    for board in resolved.values():   # a runner that is not installed here fails now, not after the training
        if not board.is_host:
            pick_runner(board)

    result = run_sweep(settings, points, resolved, budgets, args.results_dir, quiet=args.quiet)
    if args.report is not None:
        _report(args, settings, result, resolved)
    if args.json:
        print_json(result.summary(settings, points, boards))
        return 0
    for board in boards:
        entries = [dict(e, pareto=_pareto(e), fits_cell=e["fits"]) for e in result.entries if e["board"] == board]
        budget = budgets[board]
        first = next((e for e in entries if e["runner"] is not None), None)   # a point that ran
        ran = (f"via {first['runner']}; {first['metric']} on {settings.limit or 'all'} test samples; latency in "
               f"{first['latency_unit']}") if first else "no point's image fits, none ran"
        print(f"{settings.suite().label}, {len(points)} points on {board} {ran}; {storage_text(settings)}; "
              f"budget {_budget_text(budget)}")
        print(table(entries, COLUMNS))
        for e in entries:
            if e["fits"] is False:
                print(f"  {e['point']} does not fit: {e['fits_reason']}")
        print()
    from hil_bench.sizing.pareto import NOISE_FLOOR

    print(f"Pareto: on the front of accuracy (device) vs flash and/or vs latency, on that board; costs within "
          f"{NOISE_FLOOR:.1%} of each other count as equal (the more accurate point wins)")
    print(f"this run: {result.rows_run} rows run, {result.rows_skipped} already done; "
          f"{len(result.points_trained)} points optimized ({result.stages_run} stages trained, "
          f"{result.stages_cached} from the cache)")
    print(f"rows in {result.run_path}; summary in {result.summary_path}")
    return 0


def _report(args, settings, result, boards: dict) -> None:
    """The run's rows as `bench --report` writes them (per-layer latency from the points run this time)."""
    from hil_bench.results import read_results, write_report
    from hil_bench.results.report import layer_latencies_by_layer

    if not result.run_path.exists():
        return   # no point ran on any board (none fits): no rows to report
    layers = {(board, point): layer_latencies_by_layer(extra["layers"]) for (point, board), extra in result.extras.items()}
    last_key = next(reversed(result.extras), None)
    last = result.extras[last_key] if last_key else None
    paths = write_report(read_results(result.run_path), args.report,
                         layer_latency=layers[(last_key[1], last_key[0])] or None if last_key else None,
                         layer_latency_unit=last["latency_unit"] if last else "",
                         layer_latency_of=f"{last_key[0]} on {last_key[1]}" if last_key else "",
                         title=f"hil-bench sweep: {settings.model}", layer_latencies=layers or None, boards=boards)
    if not args.json:
        print(f"report: {paths[0]} and {paths[-1]}")


def _pareto(entry: dict) -> str:
    marks = [name for name, key in (("flash", "pareto_flash"), ("latency", "pareto_latency")) if entry[key]]
    return "+".join(marks) or "-"


def _budget_text(budget) -> str:
    if budget.flash_bytes is None:
        return "none (no memory map)"
    text = f"flash {budget.flash_left:,} B, RAM {budget.ram_left:,} B ({budget.source})"
    if budget.app_flash or budget.app_ram:
        text += f" (after {budget.app_flash:,} B flash and {budget.app_ram:,} B RAM for the application)"
    return text


def storage_text(settings) -> str:
    """How the images store and decode the weights, said in every output."""
    from hil_bench.compress import defaults

    names = ", names stripped" if settings.strip_names else ""
    return f"weights stored: {settings.compress}, decoded: {defaults.DECODE}{names}"
