"""Weight bytes for raw, gzip -9, TFLM LUT, Vela, hb and the entropy bound; prints one table.

Synthetic models (78,336 int8 weights like ANCHORS.md's, 0/50/75 % sparsity x 256/16/8 clusters)
and the MLPerf Tiny int8 fixtures. gzip -9 is of the whole .tflite (as TFMOT reports it); LUT, hb
and the bound are weight bytes (compressed tensors with all tables and metadata); Vela is Vela's
estimate of its encoded NPU weight stream, which includes 10 bytes of scale/bias per output channel.

    .venv/bin/python benchmarks/compression.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIXTURES = [ROOT / "tests/fixtures/mlperf_tiny"]


def rows():
    from hil_bench.compress.sizes import size_report
    from hil_bench.compress.synthetic import synthetic_tflite
    from hil_bench.compress.vela import run_vela
    from hil_bench.errors import Error

    models = []
    for sparsity in (0.0, 0.5, 0.75):
        for clusters in (256, 16, 8):
            models.append((f"synthetic {int(sparsity * 100)}% / {clusters}", synthetic_tflite(sparsity, clusters)))
    fixture_dir = next((d for d in FIXTURES if d.is_dir() and any(d.glob("*.tflite"))), None)
    for path in sorted(fixture_dir.glob("*.tflite")) if fixture_dir else []:
        models.append((path.stem, path.read_bytes()))
    models.append(("digits_cnn pcqat", digits_pcqat()))
    for name, data in models:
        r = size_report(data)
        try:
            vela = run_vela(data).vela_encoded_weight_bytes
        except Error:
            vela = None
        hb_only = sum(t["hb_bytes"] or t["raw_bytes"] for t in r["tensors"])
        yield {"model": name, "raw": r["weight_bytes_raw"], "gzip9_tflite": r["gzip9_bytes"],
               "tflm_lut": r["lut_bytes"], "vela_encoded": vela, "hb": hb_only,
               "auto": r["weight_bytes_compressed"], "entropy_bound": r["entropy_bound_bytes"],
               "hb/vela": round(hb_only / vela, 3) if vela else None,
               "hb/entropy": round(hb_only / r["entropy_bound_bytes"], 3),
               "model_raw": r["model_bytes_raw"], "model_auto": r["model_bytes"]}


def digits_pcqat() -> bytes:
    """digits_cnn through the built-in pcqat recipe (cached by hil-bench's stage cache)."""
    from hil_bench.datasets import load_dataset
    from hil_bench.models import build_model
    from hil_bench.optimize import BUILTIN_RECIPES, optimize

    return optimize(build_model("digits_cnn"), load_dataset("digits"), BUILTIN_RECIPES["pcqat"], quiet=True).tflite


def decode_rows():
    """Instructions the runtime spends decoding compressed weights, per inference, on corstone300.

    The firmware is built with per-layer decoding so the DECODE operators appear in the per-op profile
    (QEMU -icount: instructions, not cycles); decode-at-init, the default, pays the same once at start-up.
    """
    import numpy as np

    from hil_bench.boards import load_board
    from hil_bench.dut import run_model
    from hil_bench.compress import compress_model
    from hil_bench.compress.lut import compress_lut
    from hil_bench.evaluate import run_tflm

    kws = (FIXTURES[0] / "kws_ref_model.tflite").read_bytes()
    for name, model in (("digits_cnn pcqat", digits_pcqat()), ("kws_ref_model", kws)):
        from hil_bench.cli.run import _input_shape

        x = np.random.default_rng(0).integers(-128, 128, size=(1, *_input_shape(model)), dtype=np.int8)
        for method in ("hb", "lut"):
            compressed = compress_lut(model) if method == "lut" else compress_model(model, method).model
            result = run_model(compressed, load_board("corstone300"), x, name=f"{method}.tflite", runs=1,
                               decode="per-layer")
            assert np.array_equal(result.outputs[0].reshape(-1), run_tflm(model, x).reshape(-1))
            decode = sum(layer["latency"] for layer in result.layers if layer["op"] == "TFLM_DECODE")
            total = sum(layer["latency"] for layer in result.layers)
            yield {"model": name, "codec": method, "decode_instructions": round(decode),
                   "inference_instructions": round(total), "decode_share": round(decode / total, 3)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-device", action="store_true", help="skip the decode-time runs on corstone300")
    args = parser.parse_args(argv)
    table = list(rows())
    decode = [] if args.no_device else list(decode_rows())
    if args.json:
        print(json.dumps({"sizes": table, "decode_time": decode}, indent=1))
        return 0
    _print(table)
    print("bytes; vela_encoded is a Vela 5.2 estimate (Ethos-U55-128) incl. 10 B/channel scale+bias; "
          "hb = hb on every eligible tensor; auto = smallest of raw/LUT/hb per tensor")
    if decode:
        print()
        _print(decode)
        print("decode time per inference on corstone300 (QEMU mps3-an547, instructions from -icount, not cycles), "
              "per-layer decoding; outputs checked identical to TFLite Micro on the uncompressed model")
    return 0


def _print(table) -> None:
    cols = list(table[0])
    widths = [max(len(c), *(len(str(r[c])) for r in table)) for c in cols]
    print(" | ".join(c.ljust(w) for c, w in zip(cols, widths)))
    print("-|-".join("-" * w for w in widths))
    for r in table:
        print(" | ".join(str(r[c] if r[c] is not None else "n/a").rjust(w) for c, w in zip(cols, widths)))


if __name__ == "__main__":
    sys.exit(main())
