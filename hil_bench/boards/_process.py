"""Shared plumbing for runners that start a simulator process: free port, log file, always-kill.

Every started process is registered for an atexit kill, so an interrupted test run or a crashing
caller never leaves a simulator behind.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import tempfile
import time
import weakref
from pathlib import Path

from hil_bench.errors import BoardError

_LIVE: "weakref.WeakSet[SimProcess]" = weakref.WeakSet()


def parent_death_signal(signum: int) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent dies, even by SIGKILL; False where
    that cannot be asked (not Linux). The caller checks ``os.getppid()`` afterwards: a parent that died
    before the request is not signalled."""
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl(1, signum) == 0  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return False


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to SIGKILL it when hil-bench dies, even by SIGKILL.

    atexit covers normal exits and exceptions; this covers a killed parent (Ctrl-\\, OOM, CI timeout),
    which would otherwise leave the simulator running with nobody to stop it. (Not Linux: atexit and
    stop() remain.)
    """
    parent_death_signal(signal.SIGKILL)


def free_port() -> int:
    """A loopback TCP port nobody listens on right now (the kernel picks it; no fixed ports)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SimProcess:
    """One simulator process with its output captured to a log file and a hard kill on stop()."""

    def __init__(self, cmd: list[str], log_dir: Path | None = None, name: str = "sim"):
        self.cmd = cmd
        self.log_dir = Path(log_dir) if log_dir else Path(tempfile.mkdtemp(prefix=f"hil-bench-{name}-"))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.log_dir / f"{name}.log"
        self._log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
                                         start_new_session=True, preexec_fn=_die_with_parent)
        except FileNotFoundError:
            self._log.close()
            raise BoardError(f"cannot start {cmd[0]}: not found") from None
        _LIVE.add(self)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait(self, timeout: float) -> int | None:
        """Exit status, or None if still running after ``timeout`` seconds."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, grace: float = 2.0) -> int | None:
        """Terminate, then kill after ``grace`` seconds; returns the exit status. Safe to call twice."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if self.wait(grace) is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.wait(5.0)
        if not self._log.closed:
            self._log.close()
        _LIVE.discard(self)
        return self.proc.returncode

    def log_tail(self, max_bytes: int = 2000) -> str:
        try:
            data = self.log_path.read_bytes()
        except OSError:
            return ""
        return data[-max_bytes:].decode(errors="replace")

    def wait_listening(self, port: int, deadline_s: float) -> None:
        """Wait until *this* process listens on ``port`` (read from /proc, without connecting).

        The socket must belong to this process: a free port can be taken by another simulator between
        the probe and QEMU's bind, and connecting to that one would hang the boot wait.
        """
        end = time.monotonic() + deadline_s
        want = f"0100007F:{port:04X}"
        while time.monotonic() < end:
            if not self.alive():
                raise BoardError(f"{self.cmd[0]} exited with status {self.proc.returncode} before opening "
                                 f"port {port}; log {self.log_path}:\n{self.log_tail()}")
            try:
                table = Path("/proc/net/tcp").read_text()
            except OSError:
                table = ""
            for line in table.splitlines()[1:]:
                parts = line.split()
                if len(parts) > 9 and parts[1] == want and parts[3] == "0A" and self._owns_socket(parts[9]):
                    return  # 0A = LISTEN
            time.sleep(0.02)
        raise BoardError(f"{self.cmd[0]} did not open port {port} within {deadline_s:.0f} s; "
                         f"log {self.log_path}:\n{self.log_tail()}")

    def _owns_socket(self, inode: str) -> bool:
        target = f"socket:[{inode}]"
        try:
            fds = os.listdir(f"/proc/{self.pid}/fd")
        except OSError:
            return False
        for fd in fds:
            try:
                if os.readlink(f"/proc/{self.pid}/fd/{fd}") == target:
                    return True
            except OSError:
                continue
        return False


@atexit.register
def stop_all() -> None:
    """Stop every simulator this process started (at exit, and when a bench worker is told to stop)."""
    for proc in list(_LIVE):
        proc.stop(grace=0.5)
