"""Check new benchmark results against a baseline, joined by model/recipe/board.

BASELINE and NEW are results CSV files written by hil-bench, or directories of them (e.g.
results/baseline). A check fails when latency, flash, RAM or accuracy moved past its tolerance, or
when sparsity/clusters stopped surviving; see hil_bench.results.tolerances for the defaults and the
--tolerances TOML format.

Exit status, like diff(1): 0 no regression, 1 regression, 2 the files could not be compared.
"""

from __future__ import annotations

from pathlib import Path

NAME = "compare"
HELP = "compare results with a baseline; exit 1 on a regression"


def add_arguments(p) -> None:
    p.add_argument("baseline", type=Path, metavar="BASELINE", help="baseline results: .csv file or directory")
    p.add_argument("new", type=Path, metavar="NEW", help="new results: .csv file or directory")
    p.add_argument("--tolerances", type=Path, metavar="FILE", help="TOML file overriding the default tolerances")
    p.add_argument("--missing-ok", action="store_true",
                   help="a baseline row absent from NEW (a board or recipe not run) is listed, not a failure")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args) -> int:
    from hil_bench.cli.output import print_json
    from hil_bench.errors import ResultsError, UsageError
    from hil_bench.results import compare, load_tolerances, read_results

    try:
        tolerances = load_tolerances(args.tolerances)
        baseline = read_results(args.baseline)
        new = read_results(args.new)
        result = compare(baseline, new, tolerances, missing_ok=args.missing_ok)
    except ResultsError as exc:   # nothing was compared: exit 2, never mistaken for a regression
        raise UsageError(str(exc)) from None
    if args.json:
        print_json({"baseline": str(args.baseline), "new": str(args.new), **result.to_json()})
    else:
        print(result.to_table())
    return 0 if result.ok else 1
