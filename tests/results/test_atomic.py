"""A writer killed with SIGKILL (no cleanup can run) leaves complete files holding every finished row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from hil_bench.results import ResultsStore, read_results

REPO = Path(__file__).resolve().parents[2]
RUN = "20261126T110000Z-aaaaaa"

# Appends rows 0, 1, 2, ... and reports each finished append on stdout. With a third argument K, the
# append of row K stops inside the write -- temp file written, os.replace not yet done -- and says so.
WRITER = r"""
import os, sys, time
from tests.results.conftest import make_row
from hil_bench.results import ResultsStore
root, stop_at = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else -1
store = ResultsStore(root, run_id=%r, history=True)
real_replace, state = os.replace, {"i": 0}
def replace(src, dst):
    if state["i"] == stop_at:
        print("in-write", flush=True)
        time.sleep(60)
    real_replace(src, dst)
os.replace = replace
for i in range(100000):
    state["i"] = i
    store.append(make_row(f"r{i}", latency=float(i), tool_versions='{"pad": "%s"}', run_id=%r))
    print(i, flush=True)
""" % (RUN, "x" * 2000, RUN)


def _start(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(root), *args], cwd=REPO, stdout=subprocess.PIPE,
                            text=True)


def _kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)  # reaped: its pid is gone, so its temp file counts as stale
    proc.stdout.close()


def _assert_prefix_of_rows(frame, at_least: int) -> None:
    """Rows r0..r(n-1) in order, each with its own latency: nothing partial, nothing missing, nothing mixed."""
    n = len(frame)
    assert n >= at_least
    assert list(frame["recipe"]) == [f"r{i}" for i in range(n)]
    assert list(frame["latency"]) == [float(i) for i in range(n)]
    assert all(len(v) > 2000 for v in frame["tool_versions"])


def test_kill_inside_a_write_keeps_the_finished_rows_and_cleans_up(tmp_path):
    proc = _start(tmp_path, "5")
    lines = [proc.stdout.readline().strip() for _ in range(6)]
    assert lines == ["0", "1", "2", "3", "4", "in-write"]
    temps = list(tmp_path.rglob("*.tmp"))
    assert [t.parent.name for t in temps] == ["runs"], "the writer should stop with the run file's temp written"
    _kill(proc)

    # killed while replacing the run file with its 6-row version: both files hold exactly rows 0..4
    for path in (tmp_path / "runs" / f"{RUN}.csv", tmp_path / "history.csv"):
        frame = read_results(path)
        _assert_prefix_of_rows(frame, 5)
        assert len(frame) == 5
    store = ResultsStore(tmp_path, run_id=RUN)  # the next store on this root removes the dead writer's temp
    assert not list(tmp_path.rglob("*.tmp"))
    assert len(store.read()) == 5


def test_kill_at_arbitrary_moments_never_leaves_a_broken_file(tmp_path):
    for attempt, delay in enumerate((0.05, 0.13, 0.29)):
        root = tmp_path / str(attempt)
        proc = _start(root)
        first = proc.stdout.readline().strip()
        assert first == "0"
        time.sleep(delay)
        _kill(proc)
        run = read_results(root / "runs" / f"{RUN}.csv")
        history = read_results(root / "history.csv")
        _assert_prefix_of_rows(run, 1)
        _assert_prefix_of_rows(history, 1)
        assert len(run) - len(history) in (0, 1)  # the run file is written first
        ResultsStore(root, run_id=RUN)
        assert not list(root.rglob("*.tmp"))
