"""What a model really costs on a board: builds the firmware with the model (compressed as asked) and
reads flash and RAM from the ELF — model bytes raw and compressed, runtime code, arena — next to the
yardsticks: gzip -9 of the .tflite, TFLite Micro's LUT compression, and the zero-order entropy of the
int8 weights (the lower bound for any symbol-by-symbol code).

--compress: auto (per tensor the smallest of raw, TFLM LUT and hil-bench's codec), none, lut, hb.
--npu: Ethos-U estimates from Arm's Vela for the board's NPU (encoded weight bytes, SRAM and flash,
NPU cycles). These are offline ESTIMATES: executing on the NPU needs Arm's FVP or silicon and the
Ethos-U driver, which hil-bench does not run.
"""

from __future__ import annotations

import sys
from pathlib import Path

NAME = "size"
HELP = "flash and RAM a model takes on a board (from the ELF), raw vs compressed; --npu for Vela estimates"


def add_arguments(p) -> None:
    p.add_argument("model", type=Path, metavar="FILE.tflite")
    p.add_argument("--board", required=True, help="board name (see `hil-bench boards`)")
    from hil_bench.compress.formats import METHODS

    p.add_argument("--compress", choices=METHODS, default="auto",
                   help="how weight tensors are stored in flash (default: auto)")
    p.add_argument("--npu", action="store_true", help="add Vela's estimates for the board's Ethos-U NPU")
    from hil_bench.cli.options import add_kernels

    add_kernels(p)
    from hil_bench.cli.options import add_decode

    add_decode(p)
    p.add_argument("--check", action="store_true",
                   help="exit 1 when the model does not fit or run on the board (reason printed)")
    p.add_argument("--json", action="store_true")


def measure(model_path: Path, board_name: str, method: str, npu: bool, kernels: str = "opt",
            decode: str = "in-place") -> dict:
    from hil_bench.boards import load_board
    from hil_bench.compress import compress_model
    from hil_bench.compress.sizes import size_report
    from hil_bench.errors import UsageError
    from hil_bench.tflite import read_model

    read_model(model_path)
    board = load_board(board_name)
    if npu and board.npu is None:
        raise UsageError(f"board {board.name!r} declares no NPU; --npu needs a board with an [npu] table "
                         "(e.g. corstone300)")
    data = model_path.read_bytes()
    from hil_bench.compress.model import board_kernel_path

    path = board_kernel_path(board, kernels)
    report = size_report(data, method, decode, path)
    stored = compress_model(data, method, decode, path)
    compressed = stored.model
    report.update(board=board.name, compress=method, decode=decode, weight_formats=stored.weight_formats)
    from hil_bench.fits import check

    # The one fits check run, bench and the pytest plugin also make (booting the image on an
    # installed simulator, so the arena answer is the device's own).
    fit, image = check(compressed, board, kernels=kernels, decode=decode)
    report.update(fit.as_dict())
    # Names shared with run --json, bench --json and result rows (README, "Reading a report").
    report.update(ram_bytes=None, code_bytes=None)   # RAM used: measured by run
    if image is not None:
        sizes = image.sizes
        report.update(kernels=image.kernels, compiler_flags=image.compiler_flags)
        report.update(flash_bytes=sizes.flash_bytes, ram_reserved_bytes=sizes.ram_bytes,
                      model_bytes=sizes.model_bytes, code_bytes=sizes.code_bytes,
                      arena_bytes=sizes.arena_bytes, stack_bytes=sizes.stack_bytes,
                      regions=sizes.as_dict()["regions"])
    if npu:
        from hil_bench.compress.vela import run_vela

        extra = []
        if board.npu.system_config:
            extra += ["--system-config", board.npu.system_config]
        if board.npu.memory_mode:
            extra += ["--memory-mode", board.npu.memory_mode]
        report["npu"] = run_vela(data, board.npu.accelerator, extra_args=tuple(extra)).to_json()
    return report


def run(args) -> int:
    from hil_bench.cli.output import print_json, table

    report = measure(args.model, args.board, args.compress, args.npu, args.kernels, args.decode)
    status = 1 if args.check and not report["fits"] else 0
    if args.json:
        print_json(report)
        return status
    from hil_bench.compress.model import formats_summary

    print(f"{args.model} on {report['board']} (weights stored: {args.compress}, decode {report['decode']}: "
          f"{formats_summary(report['weight_formats'])})")
    rows = [
        {"what": "model (.tflite as is)", "bytes": report["model_bytes_raw"]},
        {"what": "model as stored in flash (compressed)", "bytes": report["model_bytes"]},
        {"what": "weights raw", "bytes": report["weight_bytes_raw"]},
        {"what": "weights compressed (with tables and metadata)", "bytes": report["weight_bytes_compressed"]},
        {"what": "  yardstick: gzip -9 of the .tflite", "bytes": report["gzip9_bytes"]},
        {"what": "  yardstick: weights under TFLite Micro LUT", "bytes": report["lut_bytes"]},
        {"what": "  yardstick: zero-order entropy bound of the weights", "bytes": report["entropy_bound_bytes"]},
    ]
    if report["flash_bytes"] is not None:
        rows += [
            {"what": "firmware flash (code + model + data), from the ELF", "bytes": report["flash_bytes"]},
            {"what": "  of which runtime and app code", "bytes": report["code_bytes"]},
            {"what": "firmware RAM reserved (data + bss + arena + stack), from the ELF",
             "bytes": report["ram_reserved_bytes"]},
            {"what": "  of which arena", "bytes": report["arena_bytes"]},
        ]
    print(table(rows, [("what", ""), ("bytes", "bytes")]))
    if report["arena_used_bytes"] is not None:
        print(f"arena used {report['arena_used_bytes']:,} B ({report['arena_source']})")
    if report["fits"]:
        print(f"fits: yes, the model fits and runs on {report['board']}")
    else:
        print(f"fits: NO -- {report['reason']}")
    if "npu" in report:
        n = report["npu"]
        print(f"\n{n['accelerator']} — {n['source']}:")
        print(table([{"what": "encoded weights", "v": n["vela_encoded_weight_bytes"]},
                     {"what": "SRAM", "v": n["vela_sram_bytes"]},
                     {"what": "flash", "v": n["vela_flash_bytes"]},
                     {"what": "NPU cycles per inference", "v": n["vela_npu_cycles"]}],
                    [("what", "Vela estimate"), ("v", "value")]))
    if status:
        print(f"{args.model} does not fit or run on {report['board']}: {report['reason']}", file=sys.stderr)
    return status
