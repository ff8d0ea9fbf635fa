"""Write the TFLite Micro model array of a .tflite: model_data.c and model_data.h (g_model[],
g_model_len; 16-byte aligned, byte-exact, usable from C and C++)."""

from __future__ import annotations

from pathlib import Path

from hil_bench.paths import check_output_dir

NAME = "export"
HELP = "write model_data.c/.h (the TFLite Micro C array) for a .tflite"


def add_arguments(p) -> None:
    p.add_argument("model", type=Path, metavar="FILE.tflite")
    p.add_argument("--out", required=True, type=Path, metavar="DIR")
    p.add_argument("--name", default="g_model", help="C symbol of the array (default g_model)")


def run(args) -> int:
    # start-up cost: loaded when this command runs, not by every `hil-bench` call
    from hil_bench.export import export_c_array

    check_output_dir(args.out, "--out")
    result = export_c_array(args.model, args.out, name=args.name)
    print(f"wrote {result.c_path} and {result.h_path} ({result.size:,} bytes, sha256 {result.sha256[:16]}...)")
    return 0
