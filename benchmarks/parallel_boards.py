"""Wall time of `bench` over several boards, one job at a time against N at once, in one run.

    python benchmarks/parallel_boards.py [--board B ...] [--jobs 2] [--limit 40]

Both runs use the same trained recipes (trained once, before either is timed, so neither pays for
training) and the same warm firmware cache (a first untimed pass builds every image), so the two
wall times differ only in how the board runs are scheduled. The rows of both runs must be equal
apart from run ids and timestamps; the script exits 1 if they are not. Wall times depend on the
machine and what else it runs: run it on an otherwise idle machine and quote the cores it had.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from hil_bench.boards import load_board  # noqa: E402
from hil_bench.bench import SUITES, run_bench, trained_suite_recipe  # noqa: E402

QEMU_BOARDS = ["corstone300", "mps2-an386", "mps2-an500", "mps2-an505"]
VARYING = ("run_id", "timestamp")


def _timed(boards, jobs, limit, root: Path):
    start = time.monotonic()
    rows, _, _ = run_bench([load_board(b) for b in boards], results_dir=root / f"jobs{jobs}", quiet=True, limit=limit, jobs=jobs)
    return time.monotonic() - start, [{k: v for k, v in r.to_dict().items() if k not in VARYING} for r in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--board", action="append", help="board (repeatable; default: the four QEMU boards)")
    parser.add_argument("--jobs", type=int, default=2, help="jobs at once in the parallel run (default 2)")
    parser.add_argument("--limit", type=int, default=40, help="test samples per recipe (default 40)")
    args = parser.parse_args()
    boards = args.board or QEMU_BOARDS
    for name in SUITES["default"].recipes:
        trained_suite_recipe(SUITES["default"], name)
    with tempfile.TemporaryDirectory(prefix="hil-bench-parallel-") as tmp:
        root = Path(tmp)
        _timed(boards, 1, 1, root / "warm-up")   # builds and caches every image
        sequential_s, sequential = _timed(boards, 1, args.limit, root)
        parallel_s, parallel = _timed(boards, args.jobs, args.limit, root)
    same = sequential == parallel
    print(f"bench over {len(boards)} boards ({', '.join(boards)}), {len(sequential)} (board, recipe) jobs, "
          f"--limit {args.limit}, on {os.cpu_count()} cores")
    print(f"  --jobs 1: {sequential_s:7.1f} s wall")
    print(f"  --jobs {args.jobs}: {parallel_s:7.1f} s wall  ({sequential_s / parallel_s:.2f}x faster)")
    print(f"  rows identical apart from run id and timestamp: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
