"""Check new benchmark results against a baseline, joined by model/recipe/board.

BASELINE and NEW are results CSV files written by hil-bench, or directories of them (e.g.
results/baseline). A check fails when latency, flash, RAM or accuracy moved past its tolerance, or
when sparsity/clusters stopped surviving; see hil_bench.results.tolerances for the defaults and the
--tolerances TOML format. --junit FILE also writes the verdicts as JUnit XML for CI
(hil_bench.results.junit).

Exit status, like diff(1): 0 no regression, 1 regression, 2 the files could not be compared.
"""

from __future__ import annotations

from pathlib import Path

from hil_bench.cli.output import print_json
from hil_bench.errors import ResultsError, UsageError
from hil_bench.paths import check_output_file, write_bytes_atomic

NAME = "compare"
HELP = "compare results with a baseline; exit 1 on a regression"


def add_arguments(p) -> None:
    p.add_argument("baseline", type=Path, metavar="BASELINE", help="baseline results: .csv file or directory")
    p.add_argument("new", type=Path, metavar="NEW", help="new results: .csv file or directory")
    p.add_argument("--tolerances", type=Path, metavar="FILE", help="TOML file overriding the default tolerances")
    p.add_argument("--missing-ok", action="store_true",
                   help="a baseline row absent from NEW (a board or recipe not run) is listed, not a failure")
    p.add_argument("--junit", type=Path, metavar="FILE.xml",
                   help="also write JUnit XML for CI: one test case per model/recipe/board of NEW, a failure per "
                        "failing check, skipped where the baseline has no row")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args) -> int:
    # start-up cost: pulls pandas, loaded only when this runs
    from hil_bench.results import compare, frame_to_rows, load_tolerances, read_results

    if args.junit is not None:
        check_output_file(args.junit, "--junit", example="junit.xml")
    try:
        tolerances = load_tolerances(args.tolerances)
        baseline = read_results(args.baseline)
        new = read_results(args.new)
        result = compare(baseline, new, tolerances, missing_ok=args.missing_ok)
        new_rows = frame_to_rows(new, str(args.new)) if args.junit is not None else None
    except ResultsError as exc:   # nothing was compared: exit 2, never mistaken for a regression
        raise UsageError(str(exc)) from None
    if args.junit is not None:
        _write_junit(args.junit, new_rows, result)
    if args.json:
        print_json({"baseline": str(args.baseline), "new": str(args.new), **result.to_json()})
    else:
        print(result.to_table())
    return 0 if result.ok else 1


def _write_junit(path, rows, comparison) -> None:
    # start-up cost: pulls pandas, loaded only when this runs
    from hil_bench.results.junit import junit_xml

    write_bytes_atomic(path, junit_xml(rows, comparison).encode("utf-8"))
