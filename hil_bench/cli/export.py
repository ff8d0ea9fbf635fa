"""Write the TFLite Micro model array of a .tflite: model_data.c and model_data.h (g_model[],
g_model_len; 16-byte aligned, byte-exact, usable from C and C++)."""

from __future__ import annotations

from pathlib import Path

NAME = "export"
HELP = "write model_data.c/.h (the TFLite Micro C array) for a .tflite"


def add_arguments(p) -> None:
    p.add_argument("model", type=Path, metavar="FILE.tflite")
    p.add_argument("--out", required=True, type=Path, metavar="DIR")
    p.add_argument("--name", default="g_model", help="C symbol of the array (default g_model)")
    from hil_bench.cli.options import add_storage_options

    add_storage_options(p, arena=False)


def run(args) -> int:
    from hil_bench.export import export_c_array
    from hil_bench.paths import check_output_dir

    check_output_dir(args.out, "--out")
    source = args.model
    if args.strip_names:
        from hil_bench.tflite import model_bytes
        from hil_bench.tflite_parts import strip_names

        source = strip_names(model_bytes(args.model)[0])
    result = export_c_array(source, args.out, name=args.name)
    print(f"wrote {result.c_path} and {result.h_path} ({result.size:,} bytes, sha256 {result.sha256[:16]}...)"
          + (", names stripped" if args.strip_names else ""))
    return 0
