"""The main job. Takes the suite's model through every recipe (default: digits_cnn on scikit-learn
digits through ptq, qat, pqat, cqat, pcqat), builds and runs each on the board, and prints one table:
int8 accuracy on host (TFLite Micro reference kernels) and on the device, latency with its unit and
source, flash and RAM bytes, sparsity and max unique values per channel as trained and as found in the
binary in flash, and whether they survived. Rows are appended to RESULTS_DIR/runs/<run_id>.csv as each
recipe finishes (an interrupted run keeps the finished rows).

Under QEMU, latency is counted in instructions (-icount), not cycles, and is deterministic.
"""

from __future__ import annotations

from pathlib import Path

NAME = "bench"
HELP = "optimize, build, run and audit every recipe of a suite on a board; print the table"


def add_arguments(p) -> None:
    p.add_argument("--board", required=True, help="board name (see `hil-bench boards`), e.g. corstone300")
    p.add_argument("--suite", default="default", help="suite name (default: default)")
    p.add_argument("--results-dir", type=Path, default=Path("results"),
                   help="where to append result rows (default: results/)")
    p.add_argument("--limit", type=int, metavar="N", help="evaluate only the first N test samples")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars (for CI)")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")


COLUMNS = [
    ("recipe", "recipe"), ("accuracy_host", "acc host"), ("accuracy_device", "acc device"),
    ("latency", "latency"), ("flash_bytes", "flash B"), ("model_bytes_raw", "model B"),
    ("model_bytes_compressed", "compressed B"), ("ram_bytes", "RAM B"),
    ("sparsity_trained", "sparsity trained"), ("sparsity_binary", "in binary"),
    ("max_unique_trained", "uniq/ch trained"), ("max_unique_binary", "in binary"),
    ("sparsity_survived", "sparsity kept"), ("clusters_survived", "clusters kept"),
]


def run(args) -> int:
    from hil_bench.bench import get_suite, rows_json, run_bench
    from hil_bench.cli.output import table

    suite = get_suite(args.suite)
    rows, extras, path = run_bench(args.board, args.suite, results_dir=args.results_dir, quiet=args.quiet,
                              limit=args.limit)
    if args.json:
        print(rows_json(rows))
        return 0 if all(e["outputs_identical"] for e in extras.values()) else 1
    first = rows[0]
    print(f"{suite.description} — board {first.board} via {first.runner}; "
          f"latency in {first.latency_unit} ({first.timing_source})")
    print(table([r.to_dict() for r in rows], COLUMNS))
    samples = next(iter(extras.values()))["samples"]
    differing = [name for name, extra in extras.items() if not extra["outputs_identical"]]
    print(f"device int8 outputs on {samples} test samples identical to TFLite Micro's reference kernels: "
          + ("yes, every recipe" if not differing else f"NO for {', '.join(differing)}"))
    if any(r.dataset_synthetic for r in rows):
        print("note: synthetic data set — accuracy means nothing")
    print("compressed B: the model as hil-bench's codec/TFLM LUT store it (smallest per tensor); "
          "'in binary': read back from the ELF's flash bytes")
    print(f"rows appended to {path}")
    return 0 if not differing else 1
