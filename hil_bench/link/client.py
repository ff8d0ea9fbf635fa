"""The one serial client of hil-bench: pyserial underneath, a deadline on every wait.

Works with anything pyserial opens: ``socket://127.0.0.1:PORT`` (QEMU, FVP telnet port) or a device
path (a real board's UART). A timeout raises LinkTimeoutError showing the last bytes received; a
closed connection raises LinkError; a fault report from the firmware raises DeviceError.
"""

from __future__ import annotations

import time

from hil_bench.errors import DeviceError, LinkError, LinkTimeoutError

READY = b"m-ready\r\n"
_FAULT = b"e-[hb-fault"


def _keep_input() -> None:
    """Stands in for pyserial's input flush while a port opens (see SerialLink.open)."""


def _no_delay(port) -> None:
    """Switch Nagle's algorithm off on socket:// ports: without it every short command waits ~40 ms
    for the delayed ACK of the previous one (pyserial keeps the socket in ``_socket``)."""
    import socket

    sock = getattr(port, "_socket", None)
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class SerialLink:
    def __init__(self, port, *, name: str = "device", log=None):
        """``port`` is an open pyserial object (or a fake with read/write/close/timeout for tests)."""
        self.port = port
        self.name = name
        self.seen = bytearray()      # everything received, for error messages and logs
        self._buf = bytearray()      # received but not consumed yet
        self.bytes_out = 0
        self.commands = 0            # commands sent = round trips to the device (counted, not timed)
        self.log = log

    @classmethod
    def open(cls, url: str, *, baud: int = 115200, deadline_s: float = 10.0, name: str = "device") -> "SerialLink":
        """Open ``url``, retrying until ``deadline_s`` while the other side is not listening yet."""
        import serial

        end = time.monotonic() + deadline_s
        while True:
            try:
                port = serial.serial_for_url(url, baudrate=baud, timeout=0.05, write_timeout=deadline_s,
                                             do_not_open=True)
                # pyserial's open() ends by flushing input: on a socket that throws away whatever the
                # board already sent, e.g. a boot banner that came while this thread was preempted right
                # after connecting (seen under load as "nothing received" at boot). Keep every byte.
                port.reset_input_buffer = _keep_input
                try:
                    port.open()
                finally:
                    del port.reset_input_buffer
                _no_delay(port)
                return cls(port, name=name)
            except (serial.SerialException, OSError) as exc:
                if time.monotonic() > end:
                    raise LinkError(f"cannot open {url} within {deadline_s:.0f} s: {exc}") from None
                time.sleep(0.05)

    def close(self) -> None:
        try:
            self.port.close()
        except Exception:  # closing a dead socket must never mask the real error
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- bytes -------------------------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        try:
            self.port.write(data)
            flush = getattr(self.port, "flush", None)
            if flush:
                flush()
        except Exception as exc:
            raise LinkError(f"writing to {self.name} failed: {exc}{self._last()}") from None
        self.bytes_out += len(data)

    def _fill(self, deadline: float) -> None:
        """Read what is available (waiting at most until ``deadline``) into the buffer."""
        import serial

        try:
            self.port.timeout = max(0.0, min(0.05, deadline - time.monotonic()))
            chunk = self.port.read(max(1, min(65536, getattr(self.port, "in_waiting", 0) or 1)))
        except serial.SerialException as exc:
            raise LinkError(f"{self.name} closed the link ({exc}); the simulator or board is gone"
                            f"{self._last()}") from None
        if chunk:
            self._buf += chunk
            self.seen += chunk
            if len(self.seen) > 1 << 20:
                del self.seen[: len(self.seen) - (1 << 16)]
            if self.log is not None:
                self.log.write(chunk)
            if _FAULT in self._buf:
                self._raise_fault(deadline)

    def _raise_fault(self, deadline: float) -> None:
        """The firmware printed a fault report: collect the rest of its line (it exits right after)."""
        start = self._buf.index(_FAULT)
        end_by = min(deadline, time.monotonic() + 1.0)
        while self._buf.find(b"]", start) < 0 and time.monotonic() < end_by:
            try:
                # Only what is already there: pyserial drops a partial read when the peer closes.
                chunk = self.port.read(max(1, getattr(self.port, "in_waiting", 0) or 1))
            except Exception:
                break
            self._buf += chunk
        end = self._buf.find(b"]", start)
        report = bytes(self._buf[start: end + 1 if end >= 0 else None]).decode(errors="replace")
        raise DeviceError(f"{self.name} faulted: {report}")

    def stopped_responding(self, waited_s: float, what: str, why: str, deadline_s: float) -> LinkTimeoutError:
        """The watchdog's error: no complete reply to ``what`` within ``deadline_s`` (``why``: where that
        deadline comes from), with the last bytes the board sent."""
        return LinkTimeoutError(f"{self.name}: the board stopped responding after {waited_s:.0f} s (no complete "
                                f"reply to {what!r} within {deadline_s:.0f} s: {why}){self._last()}")

    def _last(self, n: int = 200) -> str:
        return f"; last bytes received: {bytes(self.seen[-n:])!r}" if self.seen else "; nothing received"

    def read_until(self, marker: bytes, timeout: float, what: str = "") -> bytes:
        """Bytes up to and including ``marker``; LinkTimeoutError if it does not come in ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            i = self._buf.find(marker)
            if i >= 0:
                out = bytes(self._buf[: i + len(marker)])
                del self._buf[: i + len(marker)]
                return out
            if time.monotonic() >= deadline:
                raise LinkTimeoutError(f"{self.name} did not send {marker!r}{' for ' + what if what else ''} "
                                       f"within {timeout:.1f} s{self._last()}")
            self._fill(deadline)

    def read_exact(self, n: int, timeout: float, what: str = "") -> bytes:
        deadline = time.monotonic() + timeout
        while len(self._buf) < n:
            if time.monotonic() >= deadline:
                raise LinkTimeoutError(f"{self.name} sent {len(self._buf)} of {n} bytes"
                                       f"{' of ' + what if what else ''} within {timeout:.1f} s{self._last()}")
            self._fill(deadline)
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def drain(self, quiet_s: float = 0.05, timeout: float = 1.0) -> bytes:
        """Read and drop whatever arrives until the line is quiet for ``quiet_s`` (resynchronisation)."""
        deadline = time.monotonic() + timeout
        got = bytes(self._buf)
        self._buf.clear()
        last = time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - last < quiet_s:
            before = len(self._buf)
            self._fill(min(deadline, time.monotonic() + quiet_s))
            if len(self._buf) > before:
                last = time.monotonic()
        got += bytes(self._buf)
        self._buf.clear()
        return got

    # -- lines and commands ------------------------------------------------------------------------
    def send_command(self, cmd: str) -> None:
        """Send ``cmd%`` without waiting for the reply (every command goes through here: it is counted)."""
        if "%" in cmd:
            raise LinkError(f"command {cmd!r} must not contain '%', the terminator")
        self.write(cmd.encode() + b"%")
        self.commands += 1

    def command(self, cmd: str, timeout: float = 10.0) -> list[str]:
        """Send ``cmd%`` and return the reply lines before ``m-ready`` (CR/LF stripped)."""
        self.send_command(cmd)
        return self.reply_lines(timeout, what=cmd)

    def reply_lines(self, timeout: float, what: str = "") -> list[str]:
        raw = self.read_until(READY, timeout, what)
        return [line for line in raw[: -len(READY)].decode(errors="replace").replace("\r", "").split("\n") if line]
