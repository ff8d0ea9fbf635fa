"""Instructions, estimated cycles and CPI per inference of the MLPerf Tiny models on the QEMU boards.

For every ``tests/fixtures/mlperf_tiny/*.tflite`` model on every board asked for (default corstone300
and mps2-an386), one ``run --cycles`` with the board's optimized kernels on one random input:

- instructions: executed per inference, exact (QEMU's log, checked against SysTick under -icount);
- cycles_est and CPI: the core's timing model (hil_bench.timing, docs/cycle-model.md), an estimate;
- ms_est: the estimate at the board's clock (32 MHz for the AN547 FPGA image, 25 MHz for AN386).

    python benchmarks/cycles.py [--board B ...] [--kernels opt|ref] [--classes] [--json]

``--classes`` adds each run's histogram: executed instructions and estimated cycles per class.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hil_bench.boards import load_board  # noqa: E402
from hil_bench.dut import run_model  # noqa: E402
from hil_bench.errors import Error  # noqa: E402
from hil_bench.tensor_types import numpy_dtype  # noqa: E402
from hil_bench.tflite import read_model  # noqa: E402

MODELS = sorted((ROOT / "tests" / "fixtures" / "mlperf_tiny").glob("*.tflite"))
BOARDS = ("corstone300", "mps2-an386", "mps2-an500", "mps2-an505")


def random_input(model: Path) -> np.ndarray:
    sg = read_model(model).subgraphs[0]
    t = sg.tensors[int(sg.inputs[0])]
    dtype = numpy_dtype(t.type, "input 0")
    info = np.iinfo(dtype)
    return np.random.default_rng(0).integers(info.min, info.max + 1, size=(1, *[int(d) for d in t.shape]),
                                             dtype=dtype)


def measure(model: Path, board: str, kernels: str) -> dict:
    run = run_model(model.read_bytes(), load_board(board), random_input(model), name=model.name, runs=1, warmups=0,
                    profile_layers=False, kernels=kernels, cycles=True)
    return {"model": model.stem, "board": board, "core": load_board(board).cpu.core, "kernels": run.kernels,
            "instructions": run.instructions, "cycles_est": run.cycles_est,
            "cpi_est": run.cycles_est / run.instructions, "ms_est": run.ms_est, "clock_hz": run.clock_hz,
            "cycle_model": run.cycle_model, "histogram": run.cycle_histogram}


def print_classes(row: dict) -> None:
    print(f"\n{row['model']} on {row['board']} ({row['cycle_model']})")
    print(f"  {'class':20} {'instructions':>13} {'cycles_est':>13} {'share':>6}")
    for cls, v in row["histogram"].items():
        print(f"  {cls:20} {v['instructions']:>13,} {v['cycles']:>13,} {v['cycles'] / row['cycles_est']:>6.1%}")


def print_table(rows: list[dict]) -> None:
    print(f"{'model':22} {'board':12} {'core':11} {'kernels':7} {'instructions':>13} {'cycles_est':>13} "
          f"{'CPI':>5} {'ms_est':>9}  model")
    for r in rows:
        print(f"{r['model']:22} {r['board']:12} {r['core']:11} {r['kernels']:7} {r['instructions']:>13,} "
              f"{r['cycles_est']:>13,} {r['cpi_est']:>5.2f} {r['ms_est']:>9.2f}  {r['cycle_model']} "
              f"at {r['clock_hz'] / 1e6:g} MHz")
    print("instructions: exact (QEMU log); cycles_est, CPI, ms_est: estimates of the named model "
          "(docs/cycle-model.md), not measurements")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--board", action="append", choices=BOARDS,
                    help="board (repeatable; default: corstone300 and mps2-an386)")
    ap.add_argument("--kernels", choices=("opt", "ref"), default="opt", help="kernel path (default opt)")
    ap.add_argument("--classes", action="store_true", help="also print each run's per-class histogram")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args(argv)
    rows = []
    try:
        for model in MODELS:
            for board in args.board or ("corstone300", "mps2-an386"):
                print(f"profiling {model.stem} on {board} ...", file=sys.stderr, flush=True)
                rows.append(measure(model, board, args.kernels))
    except Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print_table(rows)
        for row in rows if args.classes else []:
            print_classes(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
