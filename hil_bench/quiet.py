"""Keep TensorFlow's start-up chatter off the user's terminal, in a log file instead.

TensorFlow 2.21 writes its C++ notices (oneDNN, CUDA stubs, ``failed call to cuInit``, TF-TRT, absl's
"before absl::InitializeLog()") straight to file descriptor 2 while it is imported and while it first
looks for devices, whatever ``TF_CPP_MIN_LOG_LEVEL`` says. :func:`native_stderr_to_log` points fd 2 at
the log for exactly those moments and restores it afterwards, so real errors later still reach the user;
lines in the captured text that look like real errors (not the known noise) are repeated on stderr in
hil-bench's words. :func:`route_python_warnings` sends Python warnings and absl's Python log there too
(what the CLI does). ``HIL_BENCH_VERBOSE=1`` (``hil-bench --verbose``) turns all of this off.

Nothing here changes what TensorFlow computes: ``TF_ENABLE_ONEDNN_OPTS`` (which changes numerics) is left
alone; only its notice is hidden.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from hil_bench.cache import cache_dir

VERBOSE_ENV = "HIL_BENCH_VERBOSE"
LOG_NAME = "tensorflow.log"
LOG_LIMIT = 2 << 20   # bytes; past this the log is moved to tensorflow.log.1 (one old generation kept)

# Captured lines that are start-up noise, never worth the user's attention.
NOISE = re.compile(r"absl::InitializeLog|oneDNN custom operations|cuda|cuInit|TF-TRT|TensorRT|cpu_feature_guard|"
                   r"To enable the following instructions|Unable to register cu(DNN|FFT|BLAS) factory|"
                   r"computation placer already registered|fully_quantize:|Estimated count of arithmetic ops",
                   re.IGNORECASE)
# A line TensorFlow logs as an error or fatal error (absl: E/F + date; older TF: "ERROR:"/"FATAL").
SEVERE = re.compile(r"^(?:[EF]\d{4} |.*\b(?:ERROR|FATAL|Traceback)\b)")


def verbose() -> bool:
    return os.environ.get(VERBOSE_ENV, "") not in ("", "0")


def log_path() -> Path:
    """The log file (its folder under the cache is created); see :func:`hil_bench.cache.cache_dir`."""
    return cache_dir("logs") / LOG_NAME


def _open_log(path: Path, what: str) -> int:
    with contextlib.suppress(OSError):
        if path.stat().st_size > LOG_LIMIT:
            os.replace(path, path.with_name(LOG_NAME + ".1"))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.write(fd, f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} pid {os.getpid()}: {what}\n".encode())
    return fd


@dataclass
class _Window:
    what: str
    path: Path     # the log file
    log: int       # the log's fd
    saved: int     # a duplicate of the fd 2 from before
    start: int     # the log's size when the window opened
    depth: int = 0


_lock = threading.Lock()
_window: _Window | None = None


@contextlib.contextmanager
def native_stderr_to_log(what: str) -> Iterator[None]:
    """For the block, whatever anything in the process writes to fd 2 (C++ libraries included) goes to
    the log; afterwards fd 2 is the terminal again and serious captured lines are shown, reworded.

    fd 2 belongs to the whole process: nested blocks, or blocks in several threads at once, share one
    redirect that the first opens and the last closes, so fd 2 is always restored to what it was."""
    if verbose():
        yield
        return
    global _window
    with _lock:
        if _window is None:
            _window = _open_window(what)
        window = _window
        if window is not None:
            window.depth += 1
    try:
        yield
    finally:
        if window is not None:
            with _lock:
                window.depth -= 1
                if window.depth == 0:
                    _window = None
                    _close_window(window)


def _open_window(what: str) -> _Window | None:
    try:
        path = log_path()
        log = _open_log(path, what)
    except OSError:   # no writable cache folder: better noisy than failing
        return None
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    window = _Window(what, path, log, os.dup(2), os.lseek(log, 0, os.SEEK_END))
    os.dup2(log, 2)
    return window


def _close_window(window: _Window) -> None:
    sys.stderr.flush()
    os.dup2(window.saved, 2)
    os.close(window.saved)
    end = os.lseek(window.log, 0, os.SEEK_END)
    os.close(window.log)
    _report_severe(window, end)


def _report_severe(window: _Window, end: int) -> None:
    """Repeat on stderr, in one line, what in the window's part of the log looks like a real error."""
    try:
        with open(window.path, "rb") as f:
            f.seek(window.start)
            text = f.read(max(0, end - window.start)).decode("utf-8", "replace")
    except OSError:
        return
    severe = [line for line in text.splitlines() if SEVERE.match(line) and not NOISE.search(line)]
    if severe:
        first = re.sub(r"^[EF]\d{4} [\d:.]+\s+\d+\s+\S+\]\s*", "", severe[0])
        more = f" (and {len(severe) - 1} more)" if len(severe) > 1 else ""
        print(f"hil-bench: TensorFlow reported an error during {window.what}: {first}{more}; the full text is "
              f"in {window.path} (hil-bench --verbose shows it here)", file=sys.stderr)


def route_python_warnings() -> None:
    """Python warnings and absl's Python log go to the log file, not the terminal (unless verbose).
    For the CLI: a library should not take over its caller's warnings."""
    global _routed
    if verbose() or _routed:
        return
    try:
        handler = logging.FileHandler(log_path(), encoding="utf-8", delay=True)
    except OSError:
        return
    handler.setFormatter(logging.Formatter("%(asctime)s pid %(process)d %(levelname)s %(name)s: %(message)s"))
    logging.captureWarnings(True)   # warnings.warn -> the "py.warnings" logger
    for name in ("py.warnings", "absl"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.propagate = False
    _routed = True


_routed = False
