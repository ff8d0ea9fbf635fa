"""`bench --jobs 2` over two QEMU boards gives the rows a sequential run gives, in the same order; a killed
`bench --jobs 2` leaves no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from dataclasses import replace

from hil_bench.bench import SUITES, run_bench
from hil_bench.boards import load_board
from hil_bench.pytest_plugin import STATE
from hil_bench.results import frame_to_rows

pytestmark = pytest.mark.hil
BOARDS = ["corstone300", "mps2-an386"]
VARYING = ("run_id", "timestamp")   # what two runs of the same work may differ in


@pytest.fixture
def both_boards(pytestconfig):
    given = [b.name for b in pytestconfig.stash[STATE].boards]
    if not set(BOARDS) <= set(given):
        pytest.skip(f"needs --board={BOARDS[0]} --board={BOARDS[1]}")


def test_parallel_rows_equal_sequential_rows(both_boards, tmp_path, monkeypatch):
    monkeypatch.setitem(SUITES, "default", replace(SUITES["default"], recipes=("ptq", "pcqat")))   # 4 jobs

    def rows(jobs):
        found, _, store = run_bench([load_board(name) for name in BOARDS], results_dir=tmp_path / f"jobs{jobs}", quiet=True, limit=3, jobs=jobs)
        stored = [r.to_dict() for r in found]
        assert [r.to_dict() for r in frame_to_rows(store.read())] == stored   # the file: same rows, same order
        return [{k: v for k, v in r.items() if k not in VARYING} for r in stored]

    sequential, parallel = rows(1), rows(2)
    assert [(r["board"], r["recipe"]) for r in parallel] == [(b, r) for b in BOARDS for r in ("ptq", "pcqat")]
    assert parallel == sequential


def _marked(mark: bytes) -> list[int]:
    """Every process whose environment carries ``mark``: the bench, its workers, multiprocessing's resource
    tracker and the simulators all inherit it (other processes may run beside this test)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if mark in f.read():
                        found.append(int(entry))
            except OSError:   # gone meanwhile, or a kernel thread
                continue
    return found


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


def _running_jobs(mark: bytes) -> bool:
    """Both workers started and at least one job has its board (QEMU) running."""
    pids = _marked(mark)
    workers = [p for p in pids if b"spawn_main" in _cmdline(p)]
    qemus = [p for p in pids if os.path.basename(_cmdline(p).split(b"\0")[0]) == b"qemu-system-arm"]
    return len(workers) >= 2 and len(qemus) >= 1


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_killed_bench_jobs_leave_no_process(board, tmp_path, signum):
    """`bench --jobs 2` signalled while both jobs run their boards: no worker, resource tracker or QEMU is
    left (checked by PID); SIGTERM and SIGINT end it with 130 and one "interrupted" line."""
    if board.name != "corstone300":
        pytest.skip("checked on corstone300 (pass --board=corstone300)")
    mark = f"hil-bench-jobs-kill-{os.getpid()}-{time.monotonic_ns()}".encode()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "HIL_BENCH_TEST_MARK": mark.decode()}
    env.pop("HIL_BENCH_DEBUG", None)
    proc = subprocess.Popen([sys.executable, "-m", "hil_bench.cli.main", "bench", "--board", "corstone300",
                             "--recipe", "ptq", "--recipe", "qat", "--jobs", "2",
                             "--results-dir", str(tmp_path), "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while not _running_jobs(mark):   # all test samples: a job runs its board for seconds
            assert proc.poll() is None, f"bench ended before its jobs ran: {proc.stderr.read().decode()}"
            assert time.monotonic() < deadline, "the jobs never ran"
            time.sleep(0.1)
        if signum == signal.SIGINT:   # Ctrl-C: the terminal signals the whole foreground group
            os.killpg(proc.pid, signum)
        else:   # the bench alone (kill, a CI timeout): it must take the rest down itself
            os.kill(proc.pid, signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    if signum == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        lines = err.decode().strip().splitlines()
        assert proc.returncode == 130, err.decode()
        why = "" if signum == signal.SIGINT else f" ({signum.name})"
        assert lines == [f"hil-bench bench: interrupted{why}"], err.decode()   # one line, no worker's traceback
    deadline = time.monotonic() + 10
    while (left := _marked(mark)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, f"processes left behind: {[(p, _cmdline(p)[:80]) for p in left]}"
