"""What pruning (unstructured and N:M) and clustering buy on the device, each variant beside dense.

Every model is taken through hil-bench's own pipeline once per variant -- dense; 50 % unstructured;
N:M 2:4, 1:4, 1:8; 16 clusters; 50 % + 16; 1:4 + 16 -- each the sweep grid's recipe for that point
(train -> prune -> cluster keeping the zeros -> the QAT that preserves both; dense gets plain QAT), then
built and run on every board the way ``bench`` does (``--compress auto``, optimized kernels). Side by
side, measured in one run:

- weight bytes (ours: the ``weight_formats`` the firmware reports when it does, else the stored form
  ``--compress auto`` picks), flash, ``arena_used_bytes`` and latency, each as a ratio to the dense
  variant on the same board;
- "sparse layers": the summed latency of the CONV_2D / FULLY_CONNECTED layers with a reduction length
  of at least 64 whose weights the variant pruned (at least 25 % zeros), over the same layers of the
  dense variant
  (``--layers`` prints every weighted layer);
- host int8 accuracy (tflite_micro reference kernels) where the model has a data set; models without
  one train on synthetic data (marked ``synthetic``: the benchmark measures structure, not accuracy);
- TFLite Micro LUT weight bytes (the format TFLM's compression tool writes) and Vela's encoded weight
  stream (an Ethos-U estimate that needs the NPU) for the same int8 model, beside ours;
- the storage format chosen per weight tensor (``weight_formats``; ``n/a`` where the firmware does not
  report it) and whether the device's outputs equal TFLite Micro's byte for byte.

Latency is instructions per inference under QEMU ``-icount`` (not cycles). Training is tiny (one epoch
per step, a few hundred synthetic samples) except digits_cnn, which trains as the default suite does.

    python benchmarks/structure.py [--models M ...] [--boards B ...] [--variants V ...] [--layers] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hil_bench.boards import load_board  # noqa: E402
from hil_bench.errors import Error  # noqa: E402

MODELS = ("ds_cnn", "resnet8", "mobilenet_v1_025", "fc_autoencoder", "digits_cnn")
LABELS = {"ds_cnn": "kws (ds_cnn)", "resnet8": "ResNet-8", "mobilenet_v1_025": "mobilenet_v1_025",
          "fc_autoencoder": "fc_autoencoder", "digits_cnn": "digits_cnn"}
BOARDS = ("corstone300", "mps2-an386")
# variant -> (sparsity: a fraction or an N:M pattern, clusters); the first is the reference
VARIANTS = {"dense": (0.0, 0), "50%": (0.5, 0), "2:4": ("2:4", 0), "1:4": ("1:4", 0), "1:8": ("1:8", 0),
            "16c": (0.0, 16), "50%+16c": (0.5, 16), "1:4+16c": ("1:4", 16)}
SYNTHETIC_SAMPLES = (256, 64, 8)   # train, val, test
MIN_REDUCTION = 64                 # the "reduction length of at least 64"
PRUNED = 0.25                      # a layer with this share of zeros counts as pruned (int8 rounding alone gives ~1 %)
WEIGHTED_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")


def optimized(model: str, variant: str):
    """The model through the variant's recipe (hil-bench's stage cache: trained once per machine)."""
    from hil_bench.datasets import load_dataset
    from hil_bench.models import build_model, get_spec
    from hil_bench.optimize import optimize
    from hil_bench.sizing.grid import Point

    spec = get_spec(model)
    point = Point(*VARIANTS[variant])
    if spec.dataset == "synthetic":
        data = load_dataset("synthetic", spec.input_shape, classes=spec.classes, task=spec.task,
                            samples=SYNTHETIC_SAMPLES)
        recipe = point.recipe("pcqat", train_epochs=1, tune_epochs=1)
    else:
        data = load_dataset(spec.dataset, spec.input_shape, classes=spec.classes, task=spec.task)
        recipe = point.recipe("pcqat")
    return optimize(build_model(model, seed=recipe.seed), data, recipe, model_name=model, quiet=True)


def host_figures(result) -> dict:
    """Board-independent: accuracy, TFLM LUT and Vela weight bytes, the audit of every weight tensor."""
    from hil_bench.audit import audit_tflite
    from hil_bench.compress.sizes import size_report
    from hil_bench.compress.vela import run_vela

    sizes = size_report(result.tflite, "auto")
    try:
        vela = run_vela(result.tflite).vela_encoded_weight_bytes
    except Error as exc:
        print(f"  vela: {exc}", file=sys.stderr)
        vela = None
    return {"synthetic": result.data.synthetic, "metric": result.metric,
            "int8_score": None if result.data.synthetic else result.stage("int8").score,
            "weight_bytes_raw": sizes["weight_bytes_raw"], "weight_bytes_auto": sizes["weight_bytes_compressed"],
            "tflm_lut_bytes": sizes["lut_bytes"], "vela_bytes": vela, "audit": audit_tflite(result.tflite),
            "survived": result.metrics()["sparsity_survived"] and result.metrics()["clusters_survived"]}


def measure(result, host: dict, board: str, tmp: Path) -> dict:
    from hil_bench.dut import run_model
    from hil_bench.evaluate import io_quantization, quantize, run_tflm

    x = quantize(np.asarray(result.data.x_test[:1]), io_quantization(result.tflite)[0])
    run = run_model(result.tflite, load_board(board), x, name=f"{result.model_name}.tflite", runs=1, warmups=0,
                    compress="auto")
    identical = bool(np.array_equal(run.outputs[0].reshape(-1), run_tflm(result.tflite, x).reshape(-1)))
    formats = run.as_dict().get("weight_formats")   # the firmware's per-tensor storage, where reported
    weight_bytes = sum(int(f["stored_bytes"]) for f in formats) if formats else host["weight_bytes_auto"]
    weighted = [layer for layer in run.layers if layer["op"] in WEIGHTED_OPS]
    return {"board": board, "kernels": run.kernels, "unit": run.latency.unit, "latency": run.latency.median,
            "flash_bytes": run.flash_bytes, "arena_used_bytes": run.arena_used_bytes, "weight_bytes": weight_bytes,
            "weight_bytes_source": "weight_formats" if formats else "compress auto (stored form)",
            "weight_formats": formats, "outputs_identical": identical,
            "layers": [{"op": layer["op"], "latency": layer["latency"]} for layer in weighted]
            if len(weighted) == len(host["audit"]) else None}


def _reduction(a) -> int:
    return int(np.prod(a.shape)) // a.shape[a.channel_axis]


def sparse_layers(row: dict, dense: dict, audit) -> tuple[float | None, list[dict]]:
    """(summed latency of the pruned K >= 64 conv/FC layers over dense's, per-layer details)."""
    if row["layers"] is None or dense["layers"] is None:
        return None, []
    details, ours, theirs = [], 0.0, 0.0
    for i, (a, mine, ref) in enumerate(zip(audit, row["layers"], dense["layers"])):
        counted = a.op != "DEPTHWISE_CONV_2D" and _reduction(a) >= MIN_REDUCTION and a.sparsity >= PRUNED
        details.append({"layer": i, "op": a.op, "reduction": _reduction(a), "pattern": a.nm_pattern or "-",
                         "sparsity": round(a.sparsity, 3), "dense": ref["latency"], "variant": mine["latency"],
                         "ratio": mine["latency"] / ref["latency"] if ref["latency"] else None, "counted": counted})
        if counted:
            ours, theirs = ours + mine["latency"], theirs + ref["latency"]
    return (ours / theirs if theirs else None), details


def _formats(formats) -> str:
    if not formats:
        return "n/a"
    counts = Counter(f["format"] for f in formats)
    return " ".join(f"{name}x{n}" for name, n in sorted(counts.items()))


def _ratio(value, ref) -> float | None:
    return value / ref if value is not None and ref else None


def collect(models, boards, variants, tmp: Path) -> list[dict]:
    rows = []
    for model in models:
        per_variant = {}
        for variant in dict.fromkeys(["dense", *variants]):
            print(f"{model} {variant}: optimizing ...", file=sys.stderr, flush=True)
            result = optimized(model, variant)
            per_variant[variant] = (result, host_figures(result))
        for board in boards:
            measured = {}
            for variant, (result, host) in per_variant.items():
                print(f"{model} {variant} on {board} ...", file=sys.stderr, flush=True)
                measured[variant] = measure(result, host, board, tmp)
            dense = measured["dense"]
            for variant in per_variant:
                result, host = per_variant[variant]
                row = measured[variant]
                sparse, details = sparse_layers(row, dense, host["audit"])
                rows.append({
                    "model": LABELS[model], "variant": variant, "board": board, "kernels": row["kernels"],
                    "data": "synthetic" if host["synthetic"] else result.data.name,
                    "metric": host["metric"], "int8_score": host["int8_score"], "survived": host["survived"],
                    "weight_bytes": row["weight_bytes"], "weight_bytes_source": row["weight_bytes_source"],
                    "weight_ratio": _ratio(row["weight_bytes"], dense["weight_bytes"]),
                    "flash_ratio": _ratio(row["flash_bytes"], dense["flash_bytes"]),
                    "arena_ratio": _ratio(row["arena_used_bytes"], dense["arena_used_bytes"]),
                    "latency_ratio": _ratio(row["latency"], dense["latency"]), "sparse_layers_ratio": sparse,
                    "latency": row["latency"], "unit": row["unit"], "flash_bytes": row["flash_bytes"],
                    "arena_used_bytes": row["arena_used_bytes"], "weight_bytes_int8": host["weight_bytes_raw"],
                    "tflm_lut_bytes": host["tflm_lut_bytes"], "vela_bytes": host["vela_bytes"],
                    "weight_formats": row["weight_formats"], "outputs_identical": row["outputs_identical"],
                    "layers": details})
    return rows


def _num(value, fmt="{:,.0f}") -> str:
    return "n/a" if value is None else fmt.format(value)


def print_table(rows: list[dict], layers: bool) -> None:
    head = (f"{'model':16} {'variant':8} {'board':11} {'path':6} {'accuracy':>9} {'weights B':>9} {'w/dense':>7} "
            f"{'flash/d':>7} {'arena/d':>7} {'lat/d':>6} {'sparse/d':>8} {'instr':>11} {'int8 B':>8} "
            f"{'LUT B':>8} {'Vela B':>8} kept same formats")
    print(head)
    for r in rows:
        accuracy = "synthetic" if r["data"] == "synthetic" else _num(r["int8_score"], "{:.3f}")
        print(f"{r['model']:16} {r['variant']:8} {r['board']:11} {r['kernels']:6} {accuracy:>9} "
              f"{_num(r['weight_bytes']):>9} {_num(r['weight_ratio'], '{:.2f}x'):>7} "
              f"{_num(r['flash_ratio'], '{:.2f}x'):>7} {_num(r['arena_ratio'], '{:.2f}x'):>7} "
              f"{_num(r['latency_ratio'], '{:.2f}x'):>6} {_num(r['sparse_layers_ratio'], '{:.2f}x'):>8} "
              f"{_num(r['latency']):>11} {_num(r['weight_bytes_int8']):>8} {_num(r['tflm_lut_bytes']):>8} "
              f"{_num(r['vela_bytes']):>8} {'yes' if r['survived'] else 'NO':4} "
              f"{'yes' if r['outputs_identical'] else 'NO':4} {_formats(r['weight_formats'])}")
    sources = sorted({r["weight_bytes_source"] for r in rows})
    print(f"x/d: ratio to the dense variant of the same model on the same board (optimized kernels); instr: "
          f"instructions per inference under QEMU -icount (not cycles); sparse/d: pruned (>= {PRUNED:.0%} zeros) "
          f"CONV_2D/FULLY_CONNECTED layers with a reduction length >= {MIN_REDUCTION}, summed, over the same "
          f"layers dense; weights B: {' / '.join(sources)}; int8 B: the weights uncompressed; LUT B: TFLite Micro LUT compression; "
          f"Vela B: Vela's encoded weight stream (an Ethos-U55 estimate, needs the NPU); accuracy: host int8 "
          f"(tflite_micro reference kernels) on the model's test set, 'synthetic' where the model has no data set "
          f"(trained 1 epoch per step on random data: structure only); kept: sparsity, N:M pattern and clusters "
          f"survived into the int8 model; same: device outputs equal TFLite Micro's byte for byte; formats: "
          f"storage per weight tensor as the firmware reports it (n/a: this build does not report weight_formats)")
    if layers:
        for r in rows:
            print(f"\n{r['model']} {r['variant']} on {r['board']}: instructions per weighted layer")
            for d in r["layers"]:
                print(f"  {d['layer']:3d} {d['op']:18} K={d['reduction']:<5} {d['pattern']:5} "
                      f"sparsity {d['sparsity']:.3f} {_num(d['dense']):>10} -> {_num(d['variant']):>10} "
                      f"{_num(d['ratio'], '{:.2f}x'):>6}{'  *' if d['counted'] else ''}")
        print("* counted in sparse/d")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS), metavar="MODEL",
                    help=f"models (default: all of {', '.join(MODELS)})")
    ap.add_argument("--boards", nargs="+", choices=BOARDS, default=list(BOARDS), metavar="BOARD",
                    help=f"boards (default: {' '.join(BOARDS)})")
    ap.add_argument("--variants", nargs="+", choices=list(VARIANTS)[1:], default=list(VARIANTS)[1:],
                    metavar="VARIANT",
                    help="variants beside dense (default: all of " + ", ".join(VARIANTS).replace("%", "%%")
                         .removeprefix("dense, ") + ")")   # argparse formats help with %
    ap.add_argument("--layers", action="store_true", help="print every weighted layer's instructions")
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = ap.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="hb-structure-") as tmp:
            rows = collect(args.models, args.boards, args.variants, Path(tmp))
    except Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print_table(rows, args.layers)
    return 0 if all(r["outputs_identical"] and r["survived"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
