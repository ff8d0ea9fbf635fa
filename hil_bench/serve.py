"""Keep a board running one model and lend its UART to other programs (``hil-bench serve``).

The board starts through the one device path (:class:`hil_bench.dut.Device`: fits check, build, start,
boot checked), and hil-bench keeps its serial link for the board's whole life. A bridge copies bytes
between that link and a front other programs open as often as they like:

- a pseudo-terminal (``/dev/pts/N``): what MLPerf Tiny's runner and terminal programs expect. Its path
  stays the same while serving; a client may close and reopen it (the runner does, between steps).
- a TCP server on loopback (``socket://127.0.0.1:PORT`` for pyserial, ``nc 127.0.0.1 PORT``).

One client at a time (a second TCP client is turned away). While no client is connected, whatever the
board prints is dropped, as a UART with nothing attached would, and so is whatever a client wrote to the
pty and left unread when it closed: a new client never reads a stale reply, nor one to a command it did
not send.
"""

from __future__ import annotations

import os
import select
import socket
import termios
import tty
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from hil_bench.boards import Board
from hil_bench.compress import defaults
from hil_bench.errors import DeviceError, UsageError
from hil_bench.firmware.mlperf import check_mlperf_model


@dataclass(frozen=True)
class Served:
    """What is being served and where to connect, as reported once the board has booted."""

    model: str
    board: str
    runner: str
    pid: int | None          # the simulator's process (None on a real board)
    connect: str             # a device path (pty) or a pyserial URL (tcp)
    model_id: str            # what `profile%` answers: an MLPerf Tiny id or "hil-bench"
    timing_source: str
    elf: Path


class PtyFront:
    """A pseudo-terminal whose slave side clients open; the master side is ours."""

    def __init__(self):
        self.master, slave = os.openpty()
        tty.setraw(slave)                 # no echo, no line editing: bytes pass as they are
        self.connect = os.ttyname(slave)
        os.close(slave)                   # no slave open = no client (the master then reports POLLHUP)
        os.set_blocking(self.master, False)
        self._poll = select.poll()
        self._poll.register(self.master, select.POLLIN)
        self._client = False

    def readers(self) -> list:
        present = not any(event & select.POLLHUP for _, event in self._poll.poll(0))
        if not present:
            # Bytes a client wrote and closed on (`name%`, then close) wait in the pty: the board would
            # run them when the next client opens, and that client would read a reply it never asked for.
            termios.tcflush(self.master, termios.TCIFLUSH)
        elif not self._client:
            tty.setraw(self.master)       # a previous client may have left the terminal cooked
        self._client = present
        return [self.master] if present else []

    def receive(self, fd) -> bytes:
        try:
            return os.read(self.master, 4096)
        except (BlockingIOError, OSError):   # EIO: the client closed between poll and read
            return b""

    def send(self, data: bytes) -> None:
        if self._client:
            try:
                os.write(self.master, data)
            except (BlockingIOError, OSError):   # a client that does not read loses what does not fit
                pass

    def close(self) -> None:
        os.close(self.master)


class TcpFront:
    """A TCP server on 127.0.0.1 (port 0: the kernel picks a free one), one client at a time."""

    def __init__(self, port: int):
        try:
            self.server = socket.create_server(("127.0.0.1", port))
        except OSError as exc:
            raise UsageError(f"--tcp {port}: cannot listen on 127.0.0.1:{port} ({exc.strerror}); "
                             "give another port, or 0 to let the system pick one") from None
        self.port = self.server.getsockname()[1]
        self.connect = f"socket://127.0.0.1:{self.port}"
        self.client: socket.socket | None = None

    def readers(self) -> list:
        return [self.server] + ([self.client] if self.client else [])

    def receive(self, sock) -> bytes:
        if sock is self.server:
            conn, _ = self.server.accept()
            if self.client is not None:
                conn.close()              # busy: the board has one UART
            else:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.client = conn
            return b""
        try:
            data = sock.recv(4096)
        except OSError:
            data = b""
        if not data:
            self._drop_client()
        return data

    def send(self, data: bytes) -> None:
        if self.client is not None:
            try:
                self.client.sendall(data)
            except OSError:
                self._drop_client()

    def _drop_client(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def close(self) -> None:
        self._drop_client()
        self.server.close()


def bridge(port, front, alive: Callable[[], bool], poll_s: float = 0.05) -> None:
    """Copy bytes between the board's serial ``port`` (pyserial) and ``front`` until the board stops
    (DeviceError) or the caller is interrupted (KeyboardInterrupt)."""
    import serial

    device = port.fileno()
    port.timeout = 0                      # read only what select says is there
    while True:
        readers = [device, *front.readers()]
        ready, _, _ = select.select(readers, [], [], poll_s)
        for r in ready:
            if r == device:
                try:
                    data = port.read(65536)
                except serial.SerialException as exc:
                    raise DeviceError(f"the board closed its serial link ({exc}); it has stopped") from None
                front.send(data)
            else:
                data = front.receive(r)
                if data:
                    port.write(data)
        if not alive():
            raise DeviceError("the board stopped (its simulator exited)")


def serve(model: bytes, board: Board, *, name: str = "the model", pty: bool = False, tcp_port: int | None = None,
          mlperf_model: str | None = None, kernels: str = "opt", compress: str = defaults.COMPRESS,
          runner: str | None = None, on_ready: Callable[[Served], None] = lambda served: None) -> None:
    """Build ``model`` (the .tflite's bytes, ``name`` its file name) for ``board``, start it, and serve its
    UART on a pty or a loopback TCP port until interrupted (KeyboardInterrupt) or the board stops
    (DeviceError). ``on_ready`` is called once the board has booted and the front is open. Everything
    started is stopped on the way out."""
    # start-up cost: pulls tflite_micro, loaded only when this runs
    from hil_bench.compress import compress_model
    from hil_bench.dut import Device

    if pty == (tcp_port is not None):
        raise UsageError("serve needs exactly one of --pty and --tcp PORT")
    model_id = check_mlperf_model(mlperf_model)
    data = model
    if compress != "none":
        from hil_bench.firmware.features import board_kernel_path

        data = compress_model(data, compress, path=board_kernel_path(board, kernels)).model
    front = PtyFront() if pty else TcpFront(tcp_port)
    try:
        with Device(board, data, runner=runner, kernels=kernels, name=name,
                    mlperf_model=mlperf_model) as dev:
            process = getattr(dev.runner, "process", None)
            on_ready(Served(name, dev.board.name, dev.runner.kind, process.pid if process else None, front.connect,
                            model_id, dev.runner.timing_source, dev.elf))
            bridge(dev.link.port, front, dev.alive)
    finally:
        front.close()
