"""What a model really costs on a board: builds the firmware with the model (compressed as asked) and
reads flash and RAM from the ELF — model bytes raw and compressed, runtime code, arena — next to the
yardsticks: gzip -9 of the .tflite, TFLite Micro's LUT compression, and the zero-order entropy of the
int8 weights (the lower bound for any symbol-by-symbol code).

--compress: auto (per tensor the smallest of raw, TFLM LUT and hil-bench's codec), none, lut, hb.
Flash is split into code (with the binary audit's weight checksum table), the model's weights, biases,
quantization parameters, graph metadata and names (--strip-names drops the names); RAM into the model's arena (with
the decoded weights on their own), the harness's buffers (serial load buffer, command line, profile),
the stack and the other static data. Each split sums to its total.
--npu: Ethos-U estimates from Arm's Vela for the board's NPU (encoded weight bytes, SRAM and flash,
NPU cycles). These are offline ESTIMATES: executing on the NPU needs Arm's FVP or silicon and the
Ethos-U driver, which hil-bench does not run.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hil_bench.cli.options import add_kernels
from hil_bench.compress.formats import METHODS
from hil_bench.errors import UsageError
from hil_bench.tflite import read_model
from hil_bench.boards import load_board
from hil_bench.board_fit import check
from hil_bench.compress import compress_model
from hil_bench.cli.output import print_json, table

NAME = "size"
HELP = "flash and RAM a model takes on a board (from the ELF), raw vs compressed; --npu for Vela estimates"


def add_arguments(p) -> None:
    p.add_argument("model", type=Path, metavar="FILE.tflite")
    p.add_argument("--board", required=True, help="board name (see `hil-bench boards`)")

    from hil_bench.cli.options import add_storage_options
    from hil_bench.compress import defaults

    p.add_argument("--compress", choices=METHODS, default=defaults.COMPRESS,
                   help=f"how weight tensors are stored in flash (default: {defaults.COMPRESS})")
    add_storage_options(p)
    p.add_argument("--npu", action="store_true", help="add Vela's estimates for the board's Ethos-U NPU")

    add_kernels(p)
    from hil_bench.cli.options import add_decode

    add_decode(p)
    p.add_argument("--check", action="store_true",
                   help="exit 1 when the model does not fit or run on the board (reason printed)")
    p.add_argument("--json", action="store_true")


def measure(model_path: Path, board_name: str, method: str, npu: bool, kernels: str = "opt",
            decode: str | None = None, *, strip_names: bool = False, arena_bytes: int | None = None) -> dict:
    """The size report; ``decode`` None: the one default (hil_bench.compress.defaults.DECODE)."""
    from hil_bench.compress.sizes import size_report

    read_model(model_path)
    board = load_board(board_name)
    if npu and board.npu is None:
        raise UsageError(f"board {board.name!r} declares no NPU; --npu needs a board with an [npu] table "
                         "(e.g. corstone300)")
    data = model_path.read_bytes()
    from hil_bench.compress import defaults
    from hil_bench.firmware.features import board_kernel_path
    from hil_bench.tflite_parts import decoded_weight_bytes, model_parts
    from hil_bench.tflite_parts import strip_names as without_names

    decode = decode or defaults.DECODE
    path = board_kernel_path(board, kernels)
    report = size_report(data, method, decode, path)
    compressed = compress_model(data, method, decode, path)
    stored = compressed.model
    named = len(stored)
    if strip_names:
        stored = without_names(stored)
    parts = model_parts(stored)
    report.update(board=board.name, compress=method, decode=decode, names_stripped=strip_names,
                  weight_formats=compressed.weight_formats, model_bytes=len(stored), model_parts=parts,
                  names_strippable_bytes=len(stored) - len(without_names(stored)),   # what --strip-names would save
                  names_stripped_bytes=named - len(stored))                          # what it saved
    decoded = decoded_weight_bytes(stored) if decode == "init" else 0

    # The one fits check run, bench and the pytest plugin also make (booting the image on an
    # installed simulator, so the arena answer is the device's own).
    fit, image = check(stored, board, kernels=kernels, arena_bytes=arena_bytes, decode=decode)
    report.update(fit.as_dict())
    # Names shared with run --json, bench --json and result rows (README, "Reading a report").
    report.update(ram_bytes=None, code_bytes=None)   # RAM used: measured by run
    if image is not None:
        sizes = image.sizes
        report.update(kernels=image.kernels, compiler_flags=image.compiler_flags)
        report.update(flash_bytes=sizes.flash_bytes, ram_reserved_bytes=sizes.ram_bytes,
                      model_bytes=sizes.model_bytes, code_bytes=sizes.code_bytes,
                      arena_bytes=sizes.arena_bytes, stack_bytes=sizes.stack_bytes,
                      harness_ram_bytes=sizes.harness_bytes, decoded_weight_bytes=decoded,
                      regions=sizes.as_dict()["regions"])
        # Each split sums to its total: flash_bytes and ram_reserved_bytes.
        report["flash_split"] = {"code": sizes.code_bytes, **parts}
        report["checksum_table_bytes"] = sizes.model_extra_bytes   # of code_bytes: the audit's weight CRCs
        report["ram_split"] = {"arena": sizes.arena_bytes - decoded, "decoded_weights": decoded,
                               "harness_buffers": sizes.harness_bytes, "stack": sizes.stack_bytes,
                               "static": sizes.static_bytes}
    if npu:
        # start-up cost: loaded when this command runs, not by every `hil-bench` call
        from hil_bench.compress.vela import run_vela

        extra = []
        if board.npu.system_config:
            extra += ["--system-config", board.npu.system_config]
        if board.npu.memory_mode:
            extra += ["--memory-mode", board.npu.memory_mode]
        report["npu"] = run_vela(data, board.npu.accelerator, extra_args=tuple(extra)).to_json()
    return report


def run(args) -> int:

    report = measure(args.model, args.board, args.compress, args.npu, args.kernels, args.decode,
                     strip_names=args.strip_names, arena_bytes=args.arena_bytes)
    # An operator × type the runtime lacks: nothing was built or measured, so never a success.
    status = 1 if (args.check and not report["fits"]) or report["unsupported_ops"] else 0
    if args.json:
        print_json(report)
        return status
    from hil_bench.compress.model import formats_summary

    names = ", names stripped" if report["names_stripped"] else ""
    print(f"{args.model} on {report['board']} (weights stored: {args.compress}, decoded: {report['decode']}{names}: "
          f"{formats_summary(report['weight_formats'])})")
    parts = report["model_parts"]
    rows = [
        {"what": "model (.tflite as is)", "bytes": report["model_bytes_raw"]},
        {"what": "model as stored in flash", "bytes": report["model_bytes"]},
        {"what": "  weights (as stored, with their decode tables)", "bytes": parts["weights"]},
        {"what": "  biases and other constant tensors", "bytes": parts["biases"]},
        {"what": "  quantization parameters (scales, zero points)", "bytes": parts["quantization"]},
        {"what": "  graph metadata (tables, shapes, options)", "bytes": parts["metadata"]},
        {"what": "  names (tensors, signatures)" + ("" if report["names_stripped"] else
                                                    f"; --strip-names saves {report['names_strippable_bytes']:,} B"),
         "bytes": parts["names"]},
        {"what": "weights raw", "bytes": report["weight_bytes_raw"]},
        {"what": "weights compressed (with tables and metadata)", "bytes": report["weight_bytes_compressed"]},
        {"what": "  yardstick: gzip -9 of the .tflite", "bytes": report["gzip9_bytes"]},
        {"what": "  yardstick: weights under TFLite Micro LUT", "bytes": report["lut_bytes"]},
        {"what": "  yardstick: zero-order entropy bound of the weights", "bytes": report["entropy_bound_bytes"]},
    ]
    if report["flash_bytes"] is not None:
        ram = report["ram_split"]
        rows += [
            {"what": "firmware flash (code + model + data), from the ELF", "bytes": report["flash_bytes"]},
            {"what": "  of which runtime and app code", "bytes": report["code_bytes"]},
            {"what": "  of which the weight checksum table (for the binary audit)",
             "bytes": report["checksum_table_bytes"]},
            {"what": "firmware RAM reserved, from the ELF", "bytes": report["ram_reserved_bytes"]},
            {"what": "  model: arena (planned arena plus margin)", "bytes": ram["arena"]},
            {"what": "  model: decoded weights (in the arena)", "bytes": ram["decoded_weights"]},
            {"what": "  harness buffers (serial load buffer, command line, profile)", "bytes": ram["harness_buffers"]},
            {"what": "  stack", "bytes": ram["stack"]},
            {"what": "  other static data (runtime, C library)", "bytes": ram["static"]},
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
