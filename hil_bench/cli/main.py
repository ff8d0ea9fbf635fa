"""``hil-bench``: a thin front over the library, one small module per subcommand.

Every subcommand module has ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``, and
imports what it needs inside ``run`` so that ``--help`` stays instant. Errors that hil-bench raises on
purpose (:class:`hil_bench.errors.Error`) are printed as one paragraph without a traceback.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from hil_bench import __version__
from hil_bench.cli import audit, bench, boards, compare, export, optimize, run, size
from hil_bench.errors import Error, UsageError

COMMANDS = (bench, optimize, audit, export, size, run, compare, boards)

EPILOG = """\
typical flow:
  hil-bench bench --board corstone300            # the whole suite, one table
  hil-bench optimize --model digits_cnn --recipe pcqat --out out/pcqat
  hil-bench audit out/pcqat/model_int8.tflite
  hil-bench run out/pcqat/model_int8.tflite --board corstone300 --dataset digits
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hil-bench",
        description="Hardware-in-the-loop benchmarking for Arm Cortex-M: preserve-QAT, int8 TFLite, "
                    "firmware, and latency/flash/RAM/accuracy measured over serial.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hil-bench {__version__}")
    sub = parser.add_subparsers(dest="command_name", metavar="COMMAND", required=True)
    for command in COMMANDS:
        p = sub.add_parser(command.NAME, help=command.HELP, description=command.__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        command.add_arguments(p)
        p.add_argument("--boards-dir", type=Path, action="append", default=[], metavar="DIR",
                       help="also use the board files in DIR (before $HIL_BENCH_BOARDS and the built-in boards; "
                            "a board named like a built-in one overrides it)")
        p.set_defaults(command=command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.boards_dir:
            from hil_bench.boards import add_boards_dir

            for folder in reversed(args.boards_dir):   # the first one given is searched first
                add_boards_dir(folder)
        return int(args.command.run(args) or 0)
    except Error as exc:
        message = textwrap.fill(str(exc), width=100, subsequent_indent="  ", break_long_words=False,
                                break_on_hyphens=False)
        print(f"hil-bench {args.command.NAME}: error: {message}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1
    except KeyboardInterrupt:
        print(f"hil-bench {args.command.NAME}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
