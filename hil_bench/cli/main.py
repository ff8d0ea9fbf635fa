"""``hil-bench``: a thin front over the library, one small module per subcommand.

Every subcommand module has ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``, and
imports what it needs inside ``run`` so that ``--help`` stays instant. Errors that hil-bench raises on
purpose (:class:`hil_bench.errors.Error`) are printed as one paragraph without a traceback.

Exit status: 0 success; 1 the work failed (a build, a board, a regression, a model that does not fit);
2 bad usage (wrong or contradictory arguments, an unknown name, a missing input, an output path that
cannot be written); 70 an internal error -- an exception hil-bench did not raise on purpose, i.e. a bug:
a short message names the log file (under the cache folder) holding the traceback. With
``HIL_BENCH_DEBUG=1`` such an exception is re-raised instead, traceback and all; 130 interrupted.

TensorFlow's start-up noise and Python warnings go to a log file (:mod:`hil_bench.quiet`) unless
``--verbose`` is given, before or after the command.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import traceback
from pathlib import Path

from hil_bench import __version__, quiet
from hil_bench.cli import audit, baseline, bench, boards, compare, export, fit, optimize, run, serve, size, sweep
from hil_bench.errors import Error, UsageError
from hil_bench.boards import add_boards_dir
from hil_bench.cache import cache_dir

COMMANDS = (bench, optimize, audit, export, size, run, serve, compare, baseline, boards, sweep, fit)
INTERNAL_ERROR = 70   # EX_SOFTWARE of sysexits.h

EPILOG = """\
typical flow:
  hil-bench bench --board corstone300            # the whole suite, one table
  hil-bench optimize --model digits_cnn --recipe pcqat --out out/pcqat
  hil-bench audit out/pcqat/model_int8.tflite
  hil-bench run out/pcqat/model_int8.tflite --board corstone300 --dataset digits
"""


VERBOSE_HELP = ("show TensorFlow's start-up messages (oneDNN, CUDA, absl), the TFLite converter's output and "
                "Python warnings on the terminal; without it they go to logs/tensorflow.log in the cache folder "
                "($HIL_BENCH_CACHE, default ~/.cache/hil-bench)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hil-bench",
        description="Hardware-in-the-loop benchmarking for Arm Cortex-M: preserve-QAT, int8 TFLite, "
                    "firmware, and latency/flash/RAM/accuracy measured over serial.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hil-bench {__version__}")
    parser.add_argument("--verbose", "-v", action="store_true", help=VERBOSE_HELP)
    sub = parser.add_subparsers(dest="command_name", metavar="COMMAND", required=True)
    for command in COMMANDS:
        p = sub.add_parser(command.NAME, help=command.HELP, description=command.__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        command.add_arguments(p)
        # Also after the command (`hil-bench bench --verbose`); SUPPRESS keeps a --verbose given before it.
        p.add_argument("--verbose", "-v", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP)
        p.add_argument("--boards-dir", type=Path, action="append", default=[], metavar="DIR",
                       help="also use the board files in DIR (before $HIL_BENCH_BOARDS and the built-in boards; "
                            "a board named like a built-in one overrides it)")
        p.set_defaults(command=command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    if args.verbose:
        os.environ[quiet.VERBOSE_ENV] = "1"   # read where TensorFlow is imported, and by child processes
    quiet.route_python_warnings()
    try:
        if args.boards_dir:
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
    except Exception as exc:
        if os.environ.get("HIL_BENCH_DEBUG"):
            raise
        log = _save_traceback(args.command.NAME, argv)
        where = f"the traceback is in {log}" if log else "the traceback could not be saved"
        print(f"hil-bench {args.command.NAME}: internal error: {type(exc).__name__}: {_first_line(exc)}\n"
              f"  This is a bug in hil-bench; {where}. Please report it with that file "
              "(HIL_BENCH_DEBUG=1 shows the traceback here).", file=sys.stderr)
        return INTERNAL_ERROR


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else "(no message)"
    return line if len(line) <= 200 else line[:197] + "..."


def _save_traceback(command: str, argv: list[str] | None) -> str | None:
    """Write the current exception's traceback to a log under the cache folder; its path, or None."""
    import time

    try:
        folder = cache_dir("logs")
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = folder / f"internal-error-{command}-{stamp}-{os.getpid()}.log"
        with open(path, "w") as f:
            f.write(f"hil-bench {__version__}: {' '.join(sys.argv if argv is None else ['hil-bench', *argv])}\n\n")
            f.write(traceback.format_exc())
        return str(path)
    except Exception:   # the cache folder itself is unusable: the short message still goes out
        return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
