"""Preserve-QAT vs plain QAT vs TFMOT's experimental collaborative schemes, on scikit-learn digits.

digits_cnn (Conv2D + DepthwiseConv2D + Dense) is trained, pruned to 50 % and clustered to 16 values
keeping the zeros, then each quantization step runs on that same model; every number is the mean over
seeds (default 3). Columns: int8 test accuracy (TFLite Micro reference kernels), sparsity of the
conv/dense weights in the .tflite, max unique int8 values in one output channel, .tflite bytes raw and
gzip -9. TFMOT rows use `tfmot.experimental.combine` schemes on the very same clustered model.

    .venv/bin/python benchmarks/preserve_qat.py [--seeds 3] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import sys

import numpy as np

from hil_bench.audit import audit_tflite
from hil_bench.datasets import load_dataset
from hil_bench.models import build_model
from hil_bench.optimize import optimize
from hil_bench.optimize.recipe import BUILTIN_RECIPES, Recipe

VARIANTS = [  # (row label, recipe, backend)
    ("baseline (no prune/cluster), PTQ", "baseline", "hil_bench"),
    ("pruned+clustered, PTQ", "ptq", "hil_bench"),
    ("plain QAT", "qat", "hil_bench"),
    ("PQAT  hil-bench", "pqat", "hil_bench"),
    ("PQAT  TFMOT", "pqat", "tfmot"),
    ("CQAT  hil-bench", "cqat", "hil_bench"),
    ("CQAT  TFMOT (preserve_sparsity=False)", "cqat", "tfmot"),
    ("PCQAT hil-bench", "pcqat", "hil_bench"),
    ("PCQAT TFMOT (preserve_sparsity=True)", "pcqat", "tfmot"),
]


def recipe_for(name: str, backend: str, seed: int) -> Recipe:
    if name == "baseline":
        return Recipe(name="baseline", seed=seed)
    base = BUILTIN_RECIPES[name]
    return dataclasses.replace(base, seed=seed, qat=dataclasses.replace(base.qat, backend=backend))


def measure(tflite: bytes) -> dict:
    tensors = audit_tflite(tflite)
    weights = sum(int(np.prod(t.shape)) for t in tensors)
    return {
        "sparsity": sum(t.sparsity * np.prod(t.shape) for t in tensors) / weights,
        "max_unique_per_channel": max(t.max_unique_per_channel for t in tensors),
        "tflite_bytes": len(tflite),
        "gzip9_bytes": len(gzip.compress(tflite, compresslevel=9, mtime=0)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    data = load_dataset("digits")
    rows = {label: [] for label, _, _ in VARIANTS}
    float_acc = []
    for seed in range(args.seeds):
        model = build_model("digits_cnn", seed=seed)
        for label, name, backend in VARIANTS:
            result = optimize(model, data, recipe_for(name, backend, seed), quiet=True)
            if name == "baseline":
                float_acc.append(result.structured_stage.score)
            rows[label].append({"int8_accuracy": result.stage("int8").score, **measure(result.tflite)})
            print(f"seed {seed}: {label} done", file=sys.stderr)

    table = [{"variant": "float (Keras, before quantization)", "int8_accuracy": None,
              "float_accuracy": float(np.mean(float_acc))}]
    for label, _, _ in VARIANTS:
        mean = {k: float(np.mean([r[k] for r in rows[label]])) for k in rows[label][0]}
        table.append({"variant": label, **mean})
    if args.json:
        json.dump({"seeds": args.seeds, "rows": table}, sys.stdout, indent=2)
        print()
        return 0
    print(f"digits_cnn on scikit-learn digits, mean of {args.seeds} seeds "
          "(int8 accuracy with TFLite Micro reference kernels on the 360-sample test split)")
    head = f"{'variant':40s} {'int8 acc':>8s} {'sparsity':>8s} {'max uniq/ch':>11s} {'tflite B':>9s} {'gzip-9 B':>9s}"
    print(head)
    print("-" * len(head))
    for row in table:
        if row["int8_accuracy"] is None:
            print(f"{row['variant']:40s} {row['float_accuracy']:8.4f}   (float accuracy)")
            continue
        print(f"{row['variant']:40s} {row['int8_accuracy']:8.4f} {row['sparsity']:8.3f} "
              f"{row['max_unique_per_channel']:11.1f} {row['tflite_bytes']:9.0f} {row['gzip9_bytes']:9.0f}")
    by = {r["variant"]: r for r in table}
    ours, theirs = by["PCQAT hil-bench"], by["PCQAT TFMOT (preserve_sparsity=True)"]
    print(f"\nPCQAT int8 accuracy: hil-bench {ours['int8_accuracy']:.4f}, TFMOT {theirs['int8_accuracy']:.4f} "
          f"(difference {100 * (ours['int8_accuracy'] - theirs['int8_accuracy']):+.2f} points), float "
          f"{by['float (Keras, before quantization)']['float_accuracy']:.4f} "
          f"(difference {100 * (ours['int8_accuracy'] - table[0]['float_accuracy']):+.2f} points)")
    print(f"gzip-9 ratio hil-bench PCQAT / TFMOT PCQAT: {ours['gzip9_bytes'] / theirs['gzip9_bytes']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
