"""Keep a QEMU board ready for a labgrid place on the exporter host: its UART and its gdbstub on fixed ports.

    python -m hil_bench.boards.place_server --board corstone300 --uart 0.0.0.0:5555 --gdb 0.0.0.0:3333

QEMU starts halted with no image (``-S``); hil-bench loads each image through the gdbstub
(:mod:`hil_bench.boards.gdbload`) and resets the core. A firmware that exits (semihosting) ends QEMU,
so this helper starts a fresh one, and the next run finds a clean machine. Time is instruction-counted
exactly as under the qemu runner. The exporter publishes the two ports (README, "Board farms").
Stops (and stops QEMU) on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from pathlib import Path

from hil_bench.boards import load_board
from hil_bench.boards._process import SimProcess
from hil_bench.boards.qemu import QEMU
from hil_bench.errors import Error


def qemu_command(machine: str, uart: str, gdb: str) -> list[str]:
    # wait=off: QEMU must serve the gdbstub before anyone opens the UART; the runner connects the UART
    # before it lets the core run, so nothing printed at boot is lost.
    return [QEMU, "-M", machine, "-nographic", "-monitor", "none",
            "-icount", "shift=0,align=off,sleep=off",
            "-semihosting-config", "enable=on,target=native",
            "-serial", f"tcp:{uart},server=on,wait=off,nodelay=on",
            "-gdb", f"tcp:{gdb}", "-S"]


def _machine(board_name: str) -> str:
    board = load_board(board_name)
    spec = next((s for s in board.runners if s.kind == "qemu"), None)
    if spec is None:
        raise Error(f"board {board.name!r} has no qemu runner, so no QEMU machine to serve")
    return spec.option("machine")


def serve(machine: str, uart: str, gdb: str, log_dir=None) -> None:
    """Run QEMU, restarting it whenever it leaves, until interrupted."""
    log_dir = Path(log_dir) if log_dir else Path(tempfile.mkdtemp(prefix="hil-bench-place-server-"))
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    proc = None
    try:
        while not stop:
            proc = SimProcess(qemu_command(machine, uart, gdb), log_dir, name="place-qemu")
            started = time.monotonic()
            while not stop and proc.alive():
                time.sleep(0.05)
            code = proc.stop()
            if not stop and code != 0 and time.monotonic() - started < 0.5:   # it cannot start at all
                raise Error(f"{QEMU} exited with status {code} at start; log {proc.log_path}:\n{proc.log_tail()}")
    except KeyboardInterrupt:
        pass
    finally:
        if proc is not None:
            proc.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m hil_bench.boards.place_server", description=__doc__.split("\n\n")[0])
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--board", help="hil-bench board whose qemu runner names the machine, e.g. corstone300")
    which.add_argument("--machine", help="QEMU machine, e.g. mps3-an547")
    p.add_argument("--uart", required=True, metavar="HOST:PORT", help="where QEMU serves the board's UART")
    p.add_argument("--gdb", required=True, metavar="HOST:PORT", help="where QEMU serves its gdbstub")
    args = p.parse_args(argv)
    try:
        serve(args.machine or _machine(args.board), args.uart, args.gdb)
    except Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
