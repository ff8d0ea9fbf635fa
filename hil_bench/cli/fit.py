"""Find the most accurate point of a sparsity x clusters grid that fits a flash (and RAM) budget on a
board, training as few points as the search needs, and show the evidence: every point tried, its
numbers, and why it was not chosen.

Flash falls as sparsity rises and clusters get fewer, so per cluster count a binary search on the
sparsity axis finds the least pruned point that fits, each search starting below the previous
answer. Points are sized right after training by building their image (no board run); accuracy is
the int8 model on the host (TFLite Micro reference kernels, whole test split; the device is
bit-exact with them). The most accurate candidates are then run on the board until one fits with
its measured flash and RAM. The search assumes more compression never grows the image; it does not
train the points it skips, so a point more accurate than the answer can only hide among those
more compressed than a fitting point of the same cluster count.

Your own model: --model FILE.keras|FILE.h5|SAVEDMODEL_DIR with --dataset FILE.npz, as for `sweep`.
Nothing is redone: trained stages come from the stage cache, and board rows of an earlier `sweep` or
`fit` with the same settings (RESULTS_DIR/sweeps/) stand as measured; every point among them that fits
is a candidate too, so a point already shown to fit is never passed over for a less accurate one.
This run's board rows are added there. Device and host accuracy of the chosen point are compared on
the same samples (the board run's); the search ranks by host accuracy on the whole test split.

Budgets: --flash-budget / --ram-budget (SIZE, or BOARD=SIZE as for `sweep`; default: the board's
regions for code and model / data and arena), minus --app-flash / --app-ram. Sizes: 65536, 0x10000,
64KiB, 1MiB. Exit status 1 when no point of the grid fits.
"""

from __future__ import annotations

from hil_bench.cli.output import print_json, table
from hil_bench.sizing.budget_search import search
from hil_bench.errors import UsageError
from hil_bench.cli.sweep import add_grid_options, add_model_options, settings_from
from hil_bench.boards import load_board
from hil_bench.sizing.grid import parse_clusters, parse_sparsities

NAME = "fit"
HELP = "the most accurate sparsity x clusters point that fits a flash/RAM budget, with few trainings"


def add_arguments(p) -> None:
    from pathlib import Path
    add_model_options(p)
    p.add_argument("--board", required=True, action="append", metavar="NAME",
                   help="board name (see `hil-bench boards`); one board per fit")
    p.add_argument("--flash-budget", action="append", metavar="[BOARD=]SIZE",
                   help="flash for the image, e.g. 64KiB (default: the board's)")
    p.add_argument("--ram-budget", action="append", metavar="[BOARD=]SIZE",
                   help="RAM for the image, e.g. 32KiB (default: the board's)")
    p.add_argument("--results-dir", type=Path, default=Path("results"), metavar="DIR",
                   help="where earlier sweep and fit rows are found and this run's board rows go (default: results/)")
    p.add_argument("--min-accuracy", type=float, metavar="FRACTION",
                   help="refuse points whose int8 accuracy is below this, e.g. 0.95")
    add_grid_options(p)
    p.add_argument("--json", action="store_true", help="print the answer and the evidence as JSON")


COLUMNS = [("point", "point"), ("accuracy_host", "int8 host"), ("flash_bytes", "flash B"), ("ram_bytes", "RAM B"),
           ("model_bytes", "model B"), ("verdict", "verdict")]


def run(args) -> int:
    import sys

    from hil_bench.boards import pick_runner
    from hil_bench.cli.sweep import budgets_from
    from hil_bench.paths import check_output_dir

    check_output_dir(args.results_dir, "--results-dir")
    sparsities, clusters = parse_sparsities(args.sparsity), parse_clusters(args.clusters)
    if args.min_accuracy is not None and not 0.0 <= args.min_accuracy <= 1.0:
        raise UsageError(f"--min-accuracy {args.min_accuracy} is out of range: give a fraction from 0 to 1")
    settings = settings_from(args)
    if args.min_accuracy is not None and settings.builtin and _task(settings) != "classification":
        raise UsageError(f"--min-accuracy applies to classifiers; {settings.model} is scored by its "
                         "reconstruction error")
    named = list(dict.fromkeys(args.board))   # the same board twice is that board
    if len(named) > 1:
        raise UsageError(f"fit sizes for one board, got {', '.join(named)}; run fit once per board "
                         "(or `hil-bench sweep` for several)")
    board = load_board(named[0])
    if board.is_host:
        raise UsageError(f"board {board.name!r} has no flash or RAM to fit; give a target board "
                         "(see `hil-bench boards`)")
    pick_runner(board)   # the candidates run on the board in the end: a runner not installed fails now
    budget = budgets_from(args, {board.name: board})[board.name]

    def progress(text: str) -> None:
        if not args.quiet:
            print(f"fit: {text}", file=sys.stderr, flush=True)

    result = search(settings, sparsities, clusters, board, budget, min_accuracy=args.min_accuracy,
                    results_dir=args.results_dir, progress=progress)
    report = result.as_dict()
    if args.json:
        print_json(report)
        return 0 if result.chosen else 1
    from hil_bench.cli.sweep import storage_text

    print(f"{settings.suite().label} on {board.name} ({storage_text(settings)}): budget flash "
          f"{budget.flash_left:,} B, RAM {budget.ram_left:,} B ({budget.source})"
          + (f" (after {budget.app_flash:,} B flash and {budget.app_ram:,} B RAM for the application)"
             if budget.app_flash or budget.app_ram else ""))
    rows = [dict(t, verdict="CHOSEN" if t["chosen"] else t["reason"] or "-") for t in report["tried"]]
    print(table(rows, COLUMNS))
    work = report["work"]
    print(f"trained {report['trainings']} of the {report['grid_size']} grid points ({work['stages_run']} stages "
          f"trained, {work['stages_cached']} from the cache); {work['rows_reused']} board row(s) from earlier runs, "
          f"{report['board_runs']} board run(s). int8 host: TFLite Micro's reference kernels on the whole test "
          "split. RAM B: measured on the board for the points run, else a lower bound (data + bss + the host "
          "plan's arena)")
    chosen = report["chosen"]
    if chosen is None:
        print(f"no point of the grid fits {board.name} within the budget", file=sys.stderr)
        return 1
    row = chosen["board_row"]
    samples = args.limit or "all"
    print(f"chosen: {chosen['point']} (sparsity {chosen['sparsity']}, clusters {chosen['clusters'] or 'none'}): "
          f"{chosen['metric']} on the same {samples} test samples {row['accuracy_device']:.4f} on the device, "
          f"{row['accuracy_host']:.4f} on the host ({chosen['accuracy_host']:.4f} on the host over the whole test "
          f"split); flash {_bytes(row['flash_bytes'])}, RAM {_bytes(row['ram_bytes'])} (model arena "
          f"{_bytes(row['arena_used_bytes'])}, harness {_bytes(row['harness_ram_bytes'])}), latency "
          f"{row['latency']:,.0f} {row['latency_unit']}")
    if report["run_csv"]:
        print(f"board rows in {report['run_csv']}")
    return 0


def _bytes(value) -> str:
    return "unknown" if value is None else f"{value:,} B"


def _task(settings) -> str:
    # start-up cost: loaded when this command runs, not by every `hil-bench` call
    from hil_bench.models import get_spec

    return get_spec(settings.model).task
