"""``hil-bench``: a thin front over the library, one small module per subcommand.

Every subcommand module has ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``, and
imports what it needs inside ``run`` so that ``--help`` stays instant. Errors that hil-bench raises on
purpose (:class:`hil_bench.errors.Error`) are printed as one paragraph without a traceback.

Exit status: 0 success; 1 the work failed (a build, a board, a regression, a model that does not fit);
2 bad usage (wrong or contradictory arguments, an unknown name, a missing input, an output path that
cannot be written); 70 an internal error -- an exception hil-bench did not raise on purpose, i.e. a bug:
a short message names the log file (under the cache folder) holding the traceback. With
``HIL_BENCH_DEBUG=1`` such an exception is re-raised instead, traceback and all; 130 interrupted: Ctrl-C
(SIGINT), SIGTERM or SIGHUP, at any moment, including while the modules load, end with one line and 130
(README's one code for "interrupted"), after every cleanup ran (boards stopped, bench workers ended).
A closed standard output (``hil-bench ... | head``) ends quietly with 141 (128 + SIGPIPE, as a shell
reports a program a closed pipe stopped), or 0 if everything was written before the reader left.

TensorFlow's start-up noise and Python warnings go to a log file (:mod:`hil_bench.quiet`) unless
``--verbose`` is given, before or after the command.
"""

from __future__ import annotations

import os
import signal
import sys


def _interrupted_while_loading(signum, frame) -> None:   # pragma: no cover - timing dependent
    """Ctrl-C before ``main`` runs (the modules below are loading): one line and 130, no traceback."""
    os.write(2, b"hil-bench: interrupted\n")
    os._exit(130)


# Until this module has loaded (only when it is the program: a test importing it keeps its own handler).
_LOADING = __name__ == "__main__" or os.path.basename(sys.argv[0] if sys.argv else "") == "hil-bench"
if _LOADING:
    signal.signal(signal.SIGINT, _interrupted_while_loading)

import argparse   # noqa: E402
import textwrap   # noqa: E402
import threading   # noqa: E402
import traceback   # noqa: E402
from pathlib import Path   # noqa: E402

from hil_bench import __version__, quiet   # noqa: E402
from hil_bench.boards import add_boards_dir   # noqa: E402
from hil_bench.cache import cache_dir   # noqa: E402
from hil_bench.cli import (audit, baseline, bench, boards, cache, compare, export, fit, ops, optimize,  # noqa: E402
                           run, serve, size, sweep)
from hil_bench.errors import Error, Stopped, UsageError   # noqa: E402

COMMANDS = (bench, optimize, audit, export, size, run, serve, compare, baseline, boards, ops, sweep, fit, cache)
INTERNAL_ERROR = 70   # EX_SOFTWARE of sysexits.h
INTERRUPTED = 130     # 128 + SIGINT; also for SIGTERM and SIGHUP (README: one code for "interrupted")
BROKEN_PIPE = 141     # 128 + SIGPIPE: standard output closed while output was due




def _raise_interrupted(signum, frame) -> None:
    raise Stopped(signal.Signals(signum).name)


def _catch_signals() -> dict:
    """SIGINT raises KeyboardInterrupt (the loading-time handler is done), SIGTERM and SIGHUP too; the
    handlers replaced (none off the main thread, where Python allows no handler)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    ours = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: _raise_interrupted,
            signal.SIGHUP: _raise_interrupted}
    return {signum: signal.signal(signum, handler) for signum, handler in ours.items()}


def _ignore_signals() -> None:
    """After the one "interrupted" line: a second Ctrl-C must not break the exit with a traceback."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)

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
    handlers: dict = {}
    try:
        return _main(argv, handlers)
    finally:
        if not _LOADING:   # a caller in-process (a test) gets its handlers back; the program keeps ignoring
            for signum, handler in handlers.items():
                signal.signal(signum, handler)


def _main(argv: list[str] | None, handlers: dict) -> int:
    """``handlers`` receives the signal handlers replaced, to be put back by the caller."""
    name = "hil-bench"
    try:
        handlers.update(_catch_signals())
        args = build_parser().parse_args(argv)
        name = f"hil-bench {args.command.NAME}"
        code = _run(args)
        sys.stdout.flush()   # a closed pipe shows here, not in Python's exit
        return code
    except Error as exc:
        message = textwrap.fill(str(exc), width=100, subsequent_indent="  ", break_long_words=False,
                                break_on_hyphens=False)
        print(f"{name}: error: {message}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1
    except KeyboardInterrupt as exc:
        if handlers:
            _ignore_signals()
        why = f" ({exc})" if isinstance(exc, Stopped) else ""
        print(f"{name}: interrupted{why}", file=sys.stderr)
        if _LOADING:
            _exit_now(INTERRUPTED)
        return INTERRUPTED
    except BrokenPipeError:
        if not _stdout_closed():
            return _internal_error(name, argv)
        _silence_stdout()
        return BROKEN_PIPE
    except Exception:
        return _internal_error(name, argv)


def _run(args) -> int:

    if args.verbose:
        os.environ[quiet.VERBOSE_ENV] = "1"   # read where TensorFlow is imported, and by child processes
    quiet.route_python_warnings()
    if args.boards_dir:

        for folder in reversed(args.boards_dir):   # the first one given is searched first
            add_boards_dir(folder)
    return int(args.command.run(args) or 0)


def _internal_error(name: str, argv: list[str] | None) -> int:
    if os.environ.get("HIL_BENCH_DEBUG"):
        raise
    exc = sys.exc_info()[1]
    log = _save_traceback(name.removeprefix("hil-bench ").replace(" ", "-") or "hil-bench", argv)
    where = f"the traceback is in {log}" if log else "the traceback could not be saved"
    print(f"{name}: internal error: {type(exc).__name__}: {_first_line(exc)}\n"
          f"  This is a bug in hil-bench; {where}. Please report it with that file "
          "(HIL_BENCH_DEBUG=1 shows the traceback here).", file=sys.stderr)
    return INTERNAL_ERROR


def _exit_now(code: int) -> None:
    """Exit with ``code`` after the atexit cleanups (simulators stopped), whatever Python would make of it:
    a Ctrl-C that arrived inside a C extension running Python code leaves CPython set to kill itself with
    SIGINT at exit (a status of -2, not 130) even though the interrupt was handled here."""
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _stdout_closed() -> bool:
    """Standard output is a pipe or socket nobody reads any more (POLLERR on its write end)."""
    import select

    try:
        fd = sys.__stdout__.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        return any(event & (select.POLLERR | select.POLLHUP) for _, event in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return False


def _silence_stdout() -> None:
    """Point standard output at /dev/null so Python's own flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


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
