"""Export a .tflite for firmware outside hil-bench.

--out DIR: the TFLite Micro model array, model_data.c and model_data.h (g_model[], g_model_len;
16-byte aligned, byte-exact, usable from C and C++).

--project DIR --board NAME: a minimal CMake firmware project for the board: the hil-bench runtime
(the sources hil-bench measures, as the static library hil_bench::runtime), the model stored as
`run --compress` stores it, the board's startup, linker script and UART, a fixed input (input.npy)
and a main.c that runs one inference and prints the outputs over the UART. Build it with
  cmake -S DIR -B DIR/build -DCMAKE_TOOLCHAIN_FILE=DIR/arm-none-eabi.cmake && cmake --build DIR/build
"""

from __future__ import annotations

from pathlib import Path
from hil_bench.paths import check_output_dir


NAME = "export"
HELP = "write the model's C array (--out), or a CMake firmware project with the runtime (--project)"


def add_arguments(p) -> None:
    from hil_bench.cli.options import KERNELS_HELP
    from hil_bench.compress.formats import METHODS
    from hil_bench.firmware.build import KERNELS

    p.add_argument("model", type=Path, metavar="FILE.tflite")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, metavar="DIR", help="write model_data.c/.h here")
    where.add_argument("--project", type=Path, metavar="DIR", help="write a CMake firmware project here (new folder)")
    p.add_argument("--name", default="g_model", help="C symbol of the array (--out; default g_model)")
    p.add_argument("--board", help="board the project is for (--project; see `hil-bench boards`)")
    p.add_argument("--compress", choices=METHODS,
                   help="how the project stores weight tensors, as run does (--project; default: the one default, "
                        "hil_bench.compress.defaults)")
    p.add_argument("--inputs", type=Path, metavar="X.npy",
                   help="the one sample main.c feeds (--project; default: run --random 1 --seed 0's)")
    p.add_argument("--kernels", choices=KERNELS, help=f"(--project) {KERNELS_HELP}")
    from hil_bench.cli.options import add_storage_options

    add_storage_options(p, arena=False)


def run(args) -> int:
    from hil_bench.errors import UsageError
    from hil_bench.export import export_c_array

    if args.out is not None:
        for flag, given in (("--board", args.board), ("--inputs", args.inputs), ("--compress", args.compress),
                            ("--kernels", args.kernels)):
            if given is not None:
                raise UsageError(f"{flag} goes with --project, not --out")

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
    if args.board is None:
        raise UsageError("--project needs --board NAME (see `hil-bench boards`)")
    if args.strip_names:
        raise UsageError("--strip-names goes with --out (the project stores the model as `run` does)")
    import numpy as np

    from hil_bench.project import ELF, export_project

    check_output_dir(args.project, "--project")
    x = None
    if args.inputs is not None:
        try:
            x = np.load(args.inputs, allow_pickle=False)
        except (OSError, ValueError, EOFError) as exc:
            raise UsageError(f"{args.inputs}: cannot read as one .npy array ({exc})") from None
    if not args.model.is_file():
        raise UsageError(f"{args.model}: no such model file")
    from hil_bench.boards import load_board
    from hil_bench.compress import defaults

    out = export_project(args.model.read_bytes(), args.project, load_board(args.board),
                         compress=args.compress or defaults.COMPRESS, inputs=x, kernels=args.kernels or "opt",
                         name=args.model.name)
    print(f"wrote {out.root} for {out.board} (model stored {out.compress}: {out.model_bytes:,} bytes); build with\n"
          f"  cmake -S {out.root} -B {out.root}/build -DCMAKE_TOOLCHAIN_FILE={out.toolchain} && "
          f"cmake --build {out.root}/build\n"
          f"then run {out.root / ELF}; `hil-bench run {args.model} --board {out.board} --inputs {out.input_npy}` "
          "prints the same outputs")
    return 0
