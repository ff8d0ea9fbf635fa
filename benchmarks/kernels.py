"""On-device speed of the optimized kernels beside the reference kernels and TFLite Micro + CMSIS-NN.

For every model (the MLPerf Tiny kws and ResNet-8 fixtures, then every zoo model) on every QEMU
board, the same model is built twice -- ``--kernels ref`` (plain C, TFLM reference arithmetic) and
``--kernels opt`` (the build's Helium / DSP path) -- run on the same random input, and compared:

- instructions per inference (QEMU ``-icount``: deterministic, but instructions, not cycles: one
  Helium instruction counts as one however many beats it takes, and QEMU models no wait states);
- the TFLite Micro + CMSIS-NN figure from ``shared/ANCHORS.md`` for the same model (kws, ResNet-8),
  measured the same way; the zoo's ``mobilenet_v1_025`` and ``fc_autoencoder`` only share the shapes
  of MLPerf's vww and ad models, so their anchor is marked ``~`` (a yardstick, not the same model);
- code flash (text + rodata + data, model excluded) and arena bytes used (scratch included) beside
  TFLM's: the ANCHORS figure (TFLM + CMSIS-NN on the M55) for kws and ResNet-8, otherwise what the
  ``tflite_micro`` wheel's own interpreter allocates for the same model (``host``: a 64-bit build,
  whose persistent tables are larger than on a 32-bit MCU);
- outputs of ref and opt byte-identical (the bit-exact tests compare both with ``tflite_micro``).

    python benchmarks/kernels.py [--board B ...] [--model NAME ...] [--layers] [--json]

``--layers`` adds the per-layer table (ref / opt instructions per layer) for every run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hil_bench.boards import load_board  # noqa: E402
from hil_bench.dut import run_model  # noqa: E402
from hil_bench.errors import Error  # noqa: E402
from hil_bench.runtime.tflm import tflm_arena  # noqa: E402
from hil_bench.zoo import zoo_int8  # noqa: E402
from hil_bench.tflite import read_model  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "mlperf_tiny"
BOARDS = ("corstone300", "mps2-an386", "mps2-an500", "mps2-an505")
MODELS = ("kws_ref_model", "ic_resnet8_int8", "ds_cnn", "resnet8", "mobilenet_v1_025", "fc_autoencoder",
          "digits_cnn")

# shared/ANCHORS.md: TFLM + CMSIS-NN instructions per inference under QEMU, by QEMU machine.
# kws/ic are the same .tflite files as our fixtures; vww/ad are MLPerf's trained models with the
# shapes of our zoo's mobilenet_v1_025 / fc_autoencoder (SHAPE_ALIKE: printed with a "~").
CMSIS_NN = {
    "corstone300": {"kws_ref_model": 1_813_500, "ic_resnet8_int8": 4_913_656, "mobilenet_v1_025": 6_559_156,
                    "fc_autoencoder": 150_312},
    "mps2-an386": {"kws_ref_model": 7_697_720, "ic_resnet8_int8": 29_865_080, "mobilenet_v1_025": 24_102_800,
                   "fc_autoencoder": 583_280},
}
SHAPE_ALIKE = ("mobilenet_v1_025", "fc_autoencoder")
# shared/ANCHORS.md: TFLM arena bytes with CMSIS-NN on the M55, for the same models as our fixtures.
TFLM_ARENA = {"kws_ref_model": 27_348, "ic_resnet8_int8": 55_028}
TFLM_CODE_KWS_M55 = 93_096   # code flash, kws, TFLM + CMSIS-NN on the M55


def model_bytes(name: str) -> bytes:
    fixture = FIXTURES / f"{name}.tflite"
    return fixture.read_bytes() if fixture.is_file() else zoo_int8(name)


def random_input(model: bytes) -> np.ndarray:
    sg = read_model(model).subgraphs[0]
    t = sg.tensors[int(sg.inputs[0])]
    dtype = np.int8 if int(t.type) == 9 else np.uint8
    info = np.iinfo(dtype)
    rng = np.random.default_rng(0)
    return rng.integers(info.min, info.max + 1, size=(1, *[int(d) for d in t.shape]), dtype=dtype)


def measure(name: str, model: bytes, board: str, tmp: Path) -> dict:
    x = random_input(model)
    found = load_board(board)
    runs = {k: run_model(model, found, x, name=f"{name}.tflite", runs=1, warmups=1, kernels=k) for k in ("ref", "opt")}
    ref, opt = runs["ref"], runs["opt"]
    identical = all(np.array_equal(a, b) for a, b in zip(ref.outputs, opt.outputs))
    anchor = CMSIS_NN.get(board, {}).get(name)
    return {
        "model": name, "board": board, "kernels": opt.kernels, "unit": opt.latency.unit,
        "ref": ref.latency.median, "opt": opt.latency.median,
        "speedup": ref.latency.median / opt.latency.median if opt.latency.median else None,
        "cmsis_nn": anchor, "opt_over_cmsis_nn": opt.latency.median / anchor if anchor else None,
        "code_bytes_ref": ref.code_bytes, "code_bytes_opt": opt.code_bytes,
        "arena_used_ref": ref.arena_used_bytes, "arena_used_opt": opt.arena_used_bytes,
        "tflm_arena": TFLM_ARENA.get(name) or tflm_arena(model)["total"],
        "tflm_arena_source": "anchors-m55-cmsis-nn" if name in TFLM_ARENA else "tflite_micro-host",
        "outputs_identical": identical,
        "layers": [{"index": r["index"], "op": r["op"], "ref": r["latency"], "opt": o["latency"]}
                   for r, o in zip(ref.layers, opt.layers)],
    }


def _num(v, fmt="{:,.0f}") -> str:
    return "-" if v is None else fmt.format(v)


def _anchor(row: dict, value, fmt: str) -> str:
    return _num(value, ("~" if row["model"] in SHAPE_ALIKE else "") + fmt)


def _arena(row: dict) -> str:
    return _num(row["tflm_arena"]) + ("" if row["tflm_arena_source"].startswith("anchors") else " h")


def print_table(rows: list[dict], layers: bool) -> None:
    head = (f"{'model':18} {'board':12} {'path':7} {'ref instr':>12} {'opt instr':>11} {'ref/opt':>7} "
            f"{'CMSIS-NN':>11} {'opt/CMSIS':>9} {'code opt':>9} {'arena opt':>9} {'TFLM arena':>10} same")
    print(head)
    for r in rows:
        print(f"{r['model']:18} {r['board']:12} {r['kernels']:7} {_num(r['ref']):>12} {_num(r['opt']):>11} "
              f"{_num(r['speedup'], '{:.1f}x'):>7} {_anchor(r, r['cmsis_nn'], '{:,.0f}'):>11} "
              f"{_anchor(r, r['opt_over_cmsis_nn'], '{:.2f}x'):>9} {_num(r['code_bytes_opt']):>9} "
              f"{_num(r['arena_used_opt']):>9} {_arena(r):>10} {'yes' if r['outputs_identical'] else 'NO'}")
    kws = [r for r in rows if r["model"] == "kws_ref_model" and r["board"] == "corstone300"]
    if kws:
        print(f"code flash, kws on corstone300: {kws[0]['code_bytes_opt']:,} B (opt) vs TFLM + CMSIS-NN "
              f"{TFLM_CODE_KWS_M55:,} B ({kws[0]['code_bytes_opt'] / TFLM_CODE_KWS_M55:.2f}x)")
    print("unit: instructions per inference under QEMU -icount (not cycles); CMSIS-NN figures from "
          "shared/ANCHORS.md, measured the same way; ~: MLPerf's model of the same shape (vww, ad), not the same "
          "model; TFLM arena: ANCHORS (M55, CMSIS-NN) for kws and ResNet-8, else (h) the tflite_micro wheel's "
          "64-bit host allocation for the same model")
    if layers:
        for r in rows:
            print(f"\n{r['model']} on {r['board']} ({r['kernels']}), instructions per layer")
            total = r["opt"] or 1
            for layer in r["layers"]:
                ratio = layer["ref"] / layer["opt"] if layer["opt"] else float("nan")
                print(f"  {layer['index']:3d} {layer['op']:22} {layer['ref']:>12,.0f} {layer['opt']:>11,.0f} "
                      f"{ratio:6.1f}x {100 * layer['opt'] / total:5.1f} %")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--board", action="append", choices=BOARDS, help="board (repeatable; default: all four)")
    ap.add_argument("--model", action="append", choices=MODELS, help="model (repeatable; default: all)")
    ap.add_argument("--layers", action="store_true", help="print the per-layer table of every run")
    ap.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = ap.parse_args(argv)
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="hb-kernels-") as tmp:
            for name in args.model or MODELS:
                model = model_bytes(name)
                for board in args.board or BOARDS:
                    print(f"measuring {name} on {board} ...", file=sys.stderr, flush=True)
                    rows.append(measure(name, model, board, Path(tmp)))
    except Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print_table(rows, args.layers)
    return 0 if all(r["outputs_identical"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
