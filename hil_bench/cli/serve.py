"""Build the firmware for a board with the model in flash, start the board and keep it running, and
expose its UART to other programs: MLPerf Tiny's runner, a terminal (screen, picocom, minicom), your
scripts. Prints where to connect once the board has booted, then waits.

  --pty        a pseudo-terminal (/dev/pts/N): its path stays valid while serving; clients may close
               and reopen it (MLPerf Tiny's runner does). Give that path to the runner as its DUT port.
  --tcp PORT   a TCP server on 127.0.0.1:PORT (0 picks a free port and prints it); pyserial opens it as
               socket://127.0.0.1:PORT. One client at a time.

The firmware speaks MLPerf Tiny's protocol (name%, profile%, db load N%, db HEX%, infer N W%, results%);
with --mlperf-model ID `profile%` answers m-model-[ID], which the runner needs to pick its test script.
m-lap-us- timestamps are microseconds at the board clock: on silicon the timer's cycles; under QEMU
(-icount) executed instructions / clock in MHz, each instruction counted as one cycle (`run`'s
instructions at the board clock; `run --cycles` gives a modelled estimate), not wall time.

Stops the board and exits on Ctrl-C (SIGINT), SIGTERM or SIGHUP, and when the program that started it
dies; the simulator dies with it even if serve itself is killed (SIGKILL). Nothing is left running.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from hil_bench.errors import Stopped, UsageError
from hil_bench.boards import load_board
from hil_bench.boards.runners import RUNNERS
from hil_bench.cli.options import add_kernels, add_mlperf_model
from hil_bench.compress.formats import METHODS

NAME = "serve"
HELP = "start a board with a model and keep it running, its UART on a pty or a TCP port (MLPerf Tiny runner)"


def add_arguments(p) -> None:
    p.add_argument("model", type=Path, metavar="FILE.tflite")
    p.add_argument("--board", required=True, help="board name (see `hil-bench boards`)")
    front = p.add_mutually_exclusive_group(required=True)
    front.add_argument("--pty", action="store_true", help="serve the UART on a pseudo-terminal (prints its path)")
    front.add_argument("--tcp", type=int, metavar="PORT", help="serve the UART on 127.0.0.1:PORT (0: pick a free one)")
    add_mlperf_model(p)
    add_kernels(p)
    from hil_bench.compress import defaults

    p.add_argument("--compress", choices=METHODS, default=defaults.COMPRESS,
                   help=f"how weight tensors are stored in flash, as run does (default: {defaults.COMPRESS})")
    p.add_argument("--runner", choices=sorted(RUNNERS), help="force a runner of the board")


def _stop(signum, frame) -> None:
    raise Stopped(signal.Signals(signum).name)


def _die_with_parent() -> None:
    """Get SIGTERM when the program that started serve dies (Linux), so the board stops with it."""
    import os

    from hil_bench.boards._process import parent_death_signal

    parent = os.getppid()
    if parent_death_signal(signal.SIGTERM) and os.getppid() != parent:   # it died before the request
        raise Stopped("parent exited")


def _time_base(served) -> str:
    from hil_bench.boards import load_board
    from hil_bench.boards.qemu import QemuRunner

    mhz = f"{load_board(served.board).cpu.clock_hz / 1e6:g} MHz"
    if served.timing_source == QemuRunner.timing_source:
        return f"executed instructions at {mhz}, one instruction counted as one cycle ({served.timing_source})"
    return f"the board timer in us at {mhz} ({served.timing_source})"


def _print_ready(served) -> None:
    where = "pseudo-terminal; clients may reopen it" if served.connect.startswith("/dev/") else \
        "TCP on loopback, one client at a time"
    pid = f", pid {served.pid}" if served.pid else ""
    print(f"serving {served.model} on {served.board} ({served.runner}{pid}); "
          f"profile% answers m-model-[{served.model_id}]")
    print(f"timing: m-lap-us- is {_time_base(served)}")
    print(f"connect: {served.connect}  ({where})")
    print("Ctrl-C or SIGTERM stops the board.", flush=True)


def run(args) -> int:
    if not args.model.is_file():
        raise UsageError(f"{args.model}: no such file")
    if args.tcp is not None and not 0 <= args.tcp <= 65535:
        raise UsageError(f"--tcp {args.tcp} is out of range: give 0..65535 (0 picks a free port)")

    board = load_board(args.board)   # an unknown board is refused before anything is built
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop)
    # start-up cost: loaded when this command runs, not by every `hil-bench` call
    from hil_bench.serve import serve

    try:
        _die_with_parent()
        serve(args.model.read_bytes(), board, name=args.model.name, pty=args.pty, tcp_port=args.tcp,
              mlperf_model=args.mlperf_model, kernels=args.kernels, compress=args.compress, runner=args.runner,
              on_ready=_print_ready)
    except KeyboardInterrupt as exc:
        why = str(exc) or "SIGINT"
        print(f"hil-bench serve: stopped ({why}); the board is stopped", file=sys.stderr)
        return 0
    return 0
