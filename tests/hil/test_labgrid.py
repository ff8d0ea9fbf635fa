"""A corstone300 behind a labgrid coordinator on loopback: results equal the board's run directly.

The test starts ``labgrid-coordinator``, a ``labgrid-exporter`` publishing a QEMU board's UART and
gdbstub (kept by ``python -m hil_bench.boards.place_server``), creates the place, and runs
``hil-bench run`` and ``hil-bench bench`` through it; every process is killed at the end and checked
gone by pid. Errors: an unreachable coordinator, a place another user holds, a run terminated mid-way
(the place must be released).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hil_bench.boards._process import free_port

pytestmark = pytest.mark.hil

ROOT = Path(__file__).resolve().parents[2]
KWS = ROOT / "tests" / "fixtures" / "mlperf_tiny" / "kws_ref_model.tflite"
EXAMPLE = ROOT / "boards" / "examples" / "labgrid" / "corstone300.toml"
BIN = Path(sys.executable).parent
PLACE = "corstone300-qemu"   # the example board file's place
EXPORTER = """\
corstone300:
  uart:
    cls: NetworkSerialPort
    host: 127.0.0.1
    port: {uart}
    protocol: raw
  gdb:
    cls: GDBServer
    host: 127.0.0.1
    port: {gdb}
    reset: system_reset
"""


@pytest.fixture(scope="module")
def corstone300(board):
    if board.name != "corstone300":
        pytest.skip("the labgrid farm is checked on corstone300 (pass --board=corstone300)")
    if not (BIN / "labgrid-coordinator").is_file() or shutil.which("qemu-system-arm") is None:
        pytest.skip("needs labgrid (pip install 'labgrid>=26', in the dev extra) and qemu-system-arm")
    return board


def _client(env, *args, timeout=30, check=True):
    done = subprocess.run([str(BIN / "labgrid-client"), *args], env=env, capture_output=True, text=True,
                          timeout=timeout)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def _until(what, predicate, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout:.0f} s")


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.fixture(scope="module")
def farm(corstone300, tmp_path_factory):
    """Coordinator, exporter and the QEMU board on free loopback ports; yields the client environment."""
    work = tmp_path_factory.mktemp("labgrid")
    coord, uart, gdb = free_port(), free_port(), free_port()
    env = {**os.environ, "LG_COORDINATOR": f"127.0.0.1:{coord}", "PYTHONPATH": str(ROOT)}
    (work / "farm.yaml").write_text(EXPORTER.format(uart=uart, gdb=gdb))
    procs: list[subprocess.Popen] = []

    def start(*cmd):
        log = open(work / f"{len(procs)}.log", "wb")
        procs.append(subprocess.Popen(list(cmd), cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True))

    sims: list[int] = []
    try:
        start(str(BIN / "labgrid-coordinator"), "-l", f"127.0.0.1:{coord}")
        start(sys.executable, "-m", "hil_bench.boards.place_server", "--board", "corstone300",
              "--uart", f"127.0.0.1:{uart}", "--gdb", f"127.0.0.1:{gdb}")
        _until("the coordinator answers", lambda: _client(env, "places", check=False).returncode == 0)
        start(str(BIN / "labgrid-exporter"), "-n", "hbtest", "--hostname", "127.0.0.1", "farm.yaml")
        _until("the exporter registers its resources",
               lambda: "hbtest/corstone300/GDBServer" in _client(env, "resources", check=False).stdout)
        _client(env, "-p", PLACE, "create")
        _client(env, "-p", PLACE, "add-match", "hbtest/corstone300/*")
        _client(env, "-p", PLACE, "set-tags", "hil_bench_board=corstone300", "hil_bench_behind=qemu")
        sims = _children(procs[1].pid)   # QEMU, started by the place server
        assert sims, "the place server started no QEMU"
        yield env
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(5)
        pids = [p.pid for p in procs] + sims + [c for p in procs for c in _children(p.pid)]
        _until("every farm process is gone", lambda: not [p for p in pids if Path(f"/proc/{p}").exists()], 10)


def _hil_bench(env, *args, timeout=600):
    return subprocess.run([sys.executable, "-m", "hil_bench.cli.main", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


def _acquired_by(env) -> str:
    return re.search(r"^  acquired: (.*)$", _client(env, "-p", PLACE, "show").stdout, re.M).group(1)


def test_example_board_file_is_corstone300_behind_a_place():
    builtin = (ROOT / "boards" / "corstone300.toml").read_text()
    example = EXAMPLE.read_text()

    def body(text):   # the board itself: everything before the runners, comments aside
        return [line for line in text[:text.index("\n[[runner]]")].splitlines() if not line.startswith("#")]

    assert body(example) == body(builtin)
    assert 'kind = "labgrid"' in example and f'place = "{PLACE}"' in example


def test_run_through_the_place_equals_the_direct_run(farm, tmp_path):
    direct = _hil_bench(farm, "run", str(KWS), "--board", "corstone300", "--random", "2", "--json")
    assert direct.returncode == 0, direct.stderr
    placed = _hil_bench(farm, "run", str(KWS), "--boards-dir", str(EXAMPLE.parent), "--board", "corstone300",
                        "--random", "2", "--json")
    assert placed.returncode == 0, placed.stderr
    a, b = json.loads(direct.stdout), json.loads(placed.stdout)
    assert (a.pop("runner"), b.pop("runner")) == ("qemu", "labgrid")
    # The place's QEMU exits with the firmware on the exporter: its status stays there.
    assert (a.pop("exit_code"), b.pop("exit_code")) == (0, None)
    a.pop("elf"), b.pop("elf")   # built for another board file, so cached under another key
    # Per-layer times are SysTick deltas (one tick: 1e9 / clock instructions under -icount shift=0): the two
    # images differ (semihosting exit, board file), so a layer may land one tick apart; totals are exact.
    tick = 1e9 / a["clock_hz"]
    layers_a, layers_b = a.pop("layers"), b.pop("layers")
    assert [(x["index"], x["op"]) for x in layers_a] == [(y["index"], y["op"]) for y in layers_b]
    assert all(abs(x["latency"] - y["latency"]) <= tick for x, y in zip(layers_a, layers_b))
    assert b == a and b["timing_source"] == "qemu-icount-instructions"
    assert _acquired_by(farm) == "None"


def test_bench_rows_through_the_place_equal_the_direct_rows(farm, tmp_path):
    """Two recipes (one raw, one compressed model) keep it short; `make nightly` has the whole suite."""
    rows = {}
    for board in ("corstone300", f"labgrid:{PLACE}"):
        done = _hil_bench(farm, "bench", "--board", board, "--recipe", "ptq", "--recipe", "pcqat", "--limit", "2",
                          "-q", "--json", "--results-dir", str(tmp_path / board.replace(":", "-")), timeout=900)
        assert done.returncode == 0, done.stderr
        rows[board] = json.loads(done.stdout)
    direct, placed = rows["corstone300"], rows[f"labgrid:{PLACE}"]
    assert [r["recipe"] for r in direct] == [r["recipe"] for r in placed] == ["ptq", "pcqat"]
    for a, b in zip(direct, placed):
        assert (a.pop("runner"), b.pop("runner")) == ("qemu", "labgrid")
        for key in ("run_id", "timestamp", "tool_versions"):   # tool_versions: the place's QEMU is not ours to ask
            a.pop(key), b.pop(key)
        assert b == a
    assert _acquired_by(farm) == "None"


def _one_paragraph_error(done, *needles):
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "\n\n" not in done.stderr.strip()
    for needle in needles:
        assert needle in done.stderr


def test_unreachable_coordinator_is_a_clear_error(farm):
    env = {**farm, "LG_COORDINATOR": f"127.0.0.1:{free_port()}"}
    done = _hil_bench(env, "run", str(KWS), "--board", f"labgrid:{PLACE}", "--random", "1", timeout=120)
    _one_paragraph_error(done, "cannot reach the labgrid coordinator", "LG_COORDINATOR")


def test_a_place_taken_by_another_user_is_a_clear_error(farm):
    other = {**farm, "LG_USERNAME": "someone-else"}
    _client(other, "-p", PLACE, "acquire")
    try:
        done = _hil_bench(farm, "run", str(KWS), "--boards-dir", str(EXAMPLE.parent), "--board", "corstone300",
                          "--random", "1", timeout=300)
        _one_paragraph_error(done, f"labgrid place '{PLACE}' is taken by", "someone-else")
        assert "someone-else" in _acquired_by(farm)   # ours to refuse, not to release
    finally:
        _client(other, "-p", PLACE, "release")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_stopping_a_run_releases_the_place(farm, signum):
    proc = subprocess.Popen([sys.executable, "-m", "hil_bench.cli.main", "run", str(KWS), "--board",
                             f"labgrid:{PLACE}", "--random", "50"], env=farm, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _until("hil-bench acquires the place", lambda: _acquired_by(farm) != "None" or proc.poll() is not None, 300)
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(1.0)   # mid-run: loading or talking to the board
        os.killpg(proc.pid, signum)   # the whole group, as a terminal's Ctrl-C does
        proc.wait(60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    assert proc.returncode == 130, proc.stderr.read()
    assert _acquired_by(farm) == "None"
