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

Budgets: --flash-budget / --ram-budget (default: the board's regions for code and model / data and
arena), minus --app-flash / --app-ram. Sizes: 65536, 0x10000, 64KiB, 1MiB.
Exit status 1 when no point of the grid fits.
"""

from __future__ import annotations

from hil_bench.boards import load_board
from hil_bench.cli.output import print_json, table
from hil_bench.cli.sweep import add_grid_options, add_model_options, settings_from
from hil_bench.errors import UsageError
from hil_bench.sizing.budget import board_budget
from hil_bench.sizing.budget_search import search
from hil_bench.sizing.grid import parse_clusters, parse_size, parse_sparsities

NAME = "fit"
HELP = "the most accurate sparsity x clusters point that fits a flash/RAM budget, with few trainings"


def add_arguments(p) -> None:
    add_model_options(p)
    p.add_argument("--board", required=True, metavar="NAME", help="board name (see `hil-bench boards`)")
    p.add_argument("--flash-budget", metavar="SIZE", help="flash for the image, e.g. 64KiB (default: the board's)")
    p.add_argument("--ram-budget", metavar="SIZE", help="RAM for the image, e.g. 32KiB (default: the board's)")
    p.add_argument("--min-accuracy", type=float, metavar="FRACTION",
                   help="refuse points whose int8 accuracy is below this, e.g. 0.95")
    add_grid_options(p)
    p.add_argument("--json", action="store_true", help="print the answer and the evidence as JSON")


COLUMNS = [("point", "point"), ("accuracy_host", "int8 host"), ("flash_bytes", "flash B"), ("ram_bytes", "RAM B"),
           ("model_bytes", "model B"), ("verdict", "verdict")]


def run(args) -> int:
    import sys

    sparsities, clusters = parse_sparsities(args.sparsity), parse_clusters(args.clusters)
    sizes = {option: None if value is None else parse_size(value, option) for option, value in
             (("--flash-budget", args.flash_budget), ("--ram-budget", args.ram_budget),
              ("--app-flash", args.app_flash), ("--app-ram", args.app_ram))}
    if args.min_accuracy is not None and not 0.0 <= args.min_accuracy <= 1.0:
        raise UsageError(f"--min-accuracy {args.min_accuracy} is out of range: give a fraction from 0 to 1")
    settings = settings_from(args)
    if args.min_accuracy is not None and _task(settings) != "classification":
        raise UsageError(f"--min-accuracy applies to classifiers; {settings.model} is scored by its "
                         "reconstruction error")
    board = load_board(args.board)
    if board.is_host:
        raise UsageError(f"board {board.name!r} has no flash or RAM to fit; give a target board "
                         "(see `hil-bench boards`)")
    budget = board_budget(board, app_flash=sizes["--app-flash"], app_ram=sizes["--app-ram"],
                          flash_budget=sizes["--flash-budget"], ram_budget=sizes["--ram-budget"])

    def progress(text: str) -> None:
        if not args.quiet:
            print(f"fit: {text}", file=sys.stderr, flush=True)

    result = search(settings, sparsities, clusters, board, budget, min_accuracy=args.min_accuracy,
                    progress=progress)
    report = result.as_dict()
    if args.json:
        print_json(report)
        return 0 if result.chosen else 1
    print(f"{settings.model} on {board.name}: budget flash {budget.flash_left:,} B, RAM {budget.ram_left:,} B"
          + (f" (after {budget.app_flash:,} B flash and {budget.app_ram:,} B RAM for the application)"
             if budget.app_flash or budget.app_ram else ""))
    rows = [dict(t, verdict="CHOSEN" if t["chosen"] else t["reason"] or "-") for t in report["tried"]]
    print(table(rows, COLUMNS))
    print(f"trained {report['trainings']} of the {report['grid_size']} grid points; {report['board_runs']} "
          "board run(s). RAM B: measured on the board for the points run, else a lower bound (data + bss + "
          "the host plan's arena)")
    chosen = report["chosen"]
    if chosen is None:
        print(f"no point of the grid fits {board.name} within the budget", file=sys.stderr)
        return 1
    row = chosen["board_row"]
    print(f"chosen: {chosen['point']} (sparsity {chosen['sparsity']}, clusters {chosen['clusters'] or 'none'}): "
          f"{chosen['metric']} {row['accuracy_device']:.4f} on the device ({args.limit or 'all'} samples), "
          f"{chosen['accuracy_host']:.4f} on the host (whole test split), flash {row['flash_bytes']:,} B, "
          f"RAM {row['ram_bytes']:,} B, latency {row['latency']:,.0f} {row['latency_unit']}")
    return 0


def _task(settings) -> str:
    # start-up cost: loaded when this command runs, not by every `hil-bench` call
    from hil_bench.models import get_spec

    return get_spec(settings.model).task
