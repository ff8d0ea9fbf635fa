"""Host benchmark of the hil-bench runtime next to TFLite Micro (same x86-64 machine).

For each model: instructions per inference of the host build (``valgrind --tool=callgrind``,
counting only inside ``hb_interpreter_invoke``; deterministic), the same for TFLite Micro's
reference kernels (the ``tflite_micro`` wheel, inside ``MicroInterpreter::Invoke``), and arena
bytes: ours (head = planned activations, tail = persistent tables, identical on 32-bit targets)
beside what TFLite Micro's ``print_allocations`` reports (64-bit host build; its tail is smaller
on a 32-bit MCU). Instructions are x86-64 instructions, not Cortex-M cycles.

    python benchmarks/runtime_host.py [--json] [--inferences N] [--no-zoo] [MODEL.tflite ...]

Without model paths: the MLPerf Tiny int8 fixtures plus every zoo model (untrained, PTQ int8,
see hil_bench.zoo).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hil_bench.errors import Error, ToolMissingError  # noqa: E402
from hil_bench.runtime import build_host_runner, model_info  # noqa: E402
from hil_bench.runtime.tflm import tflm_arena  # noqa: E402

DEFAULT_MODELS = sorted((ROOT / "tests" / "fixtures" / "mlperf_tiny").glob("*.tflite"))
TIMEOUT_S = 900
TFLM_INVOKE = "tflite::micro::MicroInterpreter::Invoke()"

_TFLM_SCRIPT = """
import sys, numpy as np
from tflite_micro import runtime
ip = runtime.Interpreter.from_bytes(open(sys.argv[1], 'rb').read())
n = int(sys.argv[2])
for k in range(n):
    d = ip.get_input_details(0)
    ip.set_input(np.zeros(d['shape'], dtype=d['dtype']), 0)
    ip.invoke()
"""


def _callgrind(cmd: list[str], toggle: str) -> int:
    """Instructions executed inside the function `toggle` (inclusive) while running cmd."""
    if shutil.which("valgrind") is None:
        raise ToolMissingError("valgrind is not installed; install it with: apt-get install -y valgrind")
    with tempfile.TemporaryDirectory(prefix="hb-cg-") as tmp:
        out = Path(tmp) / "callgrind.out"
        proc = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", f"--toggle-collect={toggle}", *cmd],
            capture_output=True, text=True, timeout=TIMEOUT_S,
        )
        if proc.returncode != 0 or not out.exists():
            raise Error(f"callgrind failed ({proc.returncode}): {proc.stderr[-2000:]}")
        match = re.search(r"^summary:\s+(\d+)", out.read_text(), re.M)
    if not match:
        raise Error("callgrind wrote no summary line")
    return int(match.group(1))


def ours_instructions(model: Path, info: dict, n: int) -> int:
    exe = build_host_runner()
    per_sample = sum(t["bytes"] for t in info["inputs"])
    with tempfile.TemporaryDirectory(prefix="hb-bench-") as tmp:
        inputs = Path(tmp) / "in.bin"
        inputs.write_bytes(np.zeros(per_sample * n, dtype=np.uint8).tobytes())
        total = _callgrind([str(exe), str(model), str(inputs), str(Path(tmp) / "out.bin"), str(n)],
                           "hb_interpreter_invoke")
    return total // n


def tflm_instructions(model: Path, n: int) -> int:
    with tempfile.TemporaryDirectory(prefix="hb-bench-") as tmp:
        script = Path(tmp) / "tflm_invoke.py"
        script.write_text(_TFLM_SCRIPT)
        return _callgrind([sys.executable, str(script), str(model), str(n)], TFLM_INVOKE) // n


def zoo_models() -> list[Path]:
    """The zoo's int8 models as files in the cache (converted on first use)."""
    from hil_bench.models import MODELS
    from hil_bench.runtime.build import cache_dir
    from hil_bench.zoo import zoo_int8

    out = cache_dir() / "bench_models"
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in sorted(MODELS):
        path = out / f"zoo_{name}.tflite"
        path.write_bytes(zoo_int8(name))
        paths.append(path)
    return paths


def measure(model: Path, n: int) -> dict:
    info = model_info(model)
    ours = ours_instructions(model, info, n)
    tflm = tflm_instructions(model, n)
    arena = tflm_arena(model)
    return {
        "model": model.name,
        "ops": len(info["ops"]),
        "instructions_per_inference": ours,
        "tflm_instructions_per_inference": tflm,
        "instructions_ratio": round(ours / tflm, 3),
        "arena_bytes": info["arena_bytes"],
        "arena_head_bytes": info["arena_head_bytes"],
        "arena_tail_bytes": info["arena_tail_bytes"],
        "tflm_arena_bytes": arena["total"],
        "tflm_arena_head_bytes": arena["head"],
        "tflm_arena_tail_bytes": arena["tail"],
        "head_ratio": round(info["arena_head_bytes"] / arena["head"], 3),
        "timing_source": "callgrind x86-64 instructions (host build, not Cortex-M cycles)",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", type=Path)
    parser.add_argument("--inferences", type=int, default=2, help="measured inferences per model (default 2)")
    parser.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    parser.add_argument("--no-zoo", action="store_true", help="only the MLPerf Tiny fixtures by default")
    args = parser.parse_args(argv)
    try:
        models = args.models or DEFAULT_MODELS + ([] if args.no_zoo else zoo_models())
        rows = [measure(m, args.inferences) for m in models]
    except Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'model':30} {'instr/inf':>12} {'TFLM':>12} {'ratio':>6} {'head':>8} {'TFLM head':>9} "
          f"{'tail':>6} {'TFLM tail':>9} {'total':>7} {'TFLM tot':>8}")
    for r in rows:
        print(f"{r['model']:30} {r['instructions_per_inference']:>12,} {r['tflm_instructions_per_inference']:>12,} "
              f"{r['instructions_ratio']:>6} {r['arena_head_bytes']:>8,} {r['tflm_arena_head_bytes']:>9,} "
              f"{r['arena_tail_bytes']:>6,} {r['tflm_arena_tail_bytes']:>9,} {r['arena_bytes']:>7,} "
              f"{r['tflm_arena_bytes']:>8,}")
    print("instructions: x86-64 host, callgrind, inside Invoke only; TFLM = tflite_micro wheel reference kernels")
    return 0


if __name__ == "__main__":
    sys.exit(main())
