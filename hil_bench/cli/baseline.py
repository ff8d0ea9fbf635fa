"""Keep the committed baseline true: `update` writes it on purpose, `check` tells whether it still
describes this tree.

  hil-bench baseline update --board corstone300 --board mps2-an386   # runs the suite, writes the CSV
  hil-bench baseline check                                            # no board run: images only

`update` runs the bench suite on each board (as `hil-bench bench` does) and writes
DIR/<suite>-suite.csv (default DIR: results/baseline), keeping rows of boards not given; every row
carries its provenance (git revision, compiler, linker and QEMU versions, time). Commit the file.

`check` rebuilds, without starting any board, the image of every baseline row and compares flash,
code, model and RAM-reserved bytes and the kernel path. A difference means the firmware or the
compression changed since the baseline was written: exit 1, naming board, quantity and the update
command. Rows from another toolchain, or whose training gave another int8 model on this CPU, are
checked only where that makes sense, and a note says why.
"""

from __future__ import annotations

from pathlib import Path

from hil_bench.baseline import DEFAULT_DIR, check_baseline, update_baseline
from hil_bench.cli.output import print_json
from hil_bench.errors import ResultsError, UsageError

NAME = "baseline"
HELP = "update the committed baseline on purpose, or check it still matches what this tree builds"


def add_arguments(p) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    update = actions.add_parser("update", help="run the suite on the boards and write the baseline CSV")
    update.add_argument("--board", action="append", required=True, help="board to run (repeat for several)")
    update.add_argument("--suite", default="default", help="suite to run (default: default)")
    update.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"baseline folder (default: {DEFAULT_DIR})")
    update.add_argument("--limit", type=int, help="test samples per recipe (default: all)")
    update.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                        help="(board, recipe) jobs at once, as `bench --jobs` (default 1; same rows)")
    update.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    check = actions.add_parser("check", help="rebuild each baseline row's image (no board run) and compare sizes")
    check.add_argument("--dir", type=Path, default=DEFAULT_DIR,
                       help=f"baseline folder or CSV file (default: {DEFAULT_DIR})")
    check.add_argument("--board", action="append", help="check only this board's rows (repeatable)")
    check.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    check.add_argument("--json", action="store_true")


def run(args) -> int:
    if args.action == "update":
        path, count = update_baseline(list(dict.fromkeys(args.board)), args.suite, args.dir, limit=args.limit,
                                      quiet=args.quiet, jobs=args.jobs)
        samples = f" (accuracy on the first {args.limit} test samples: the rows' samples column says so, and " \
                  "compare calls runs on other samples incomparable)" if args.limit else ""
        print(f"wrote {count} rows to {path}{samples}; review with `git diff {path}` and commit it")
        return 0
    try:
        report = check_baseline(args.dir, boards=args.board, quiet=args.quiet or args.json)
    except ResultsError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print_json(report.to_json())
    else:
        print(report.to_text())
    return 0 if report.ok else 1
