"""`hil-bench bench` on a real QEMU corstone300: the table's survival columns, and a kill mid-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from hil_bench.cli.main import main
from hil_bench.results import read_results

pytestmark = pytest.mark.hil


@pytest.fixture
def corstone300(board):
    """The bench command is checked end to end on the main board only (it runs six recipes)."""
    if board.name != "corstone300":
        pytest.skip("the bench command is checked on corstone300 (pass --board=corstone300)")
    return board


def test_bench_survival_columns_come_from_the_binary(corstone300, tmp_path, capsys):
    code = main(["bench", "--board", "corstone300", "--limit", "12", "--results-dir", str(tmp_path), "-q", "--json",
                 "--report", str(tmp_path / "report")])
    rows = {r["recipe"]: r for r in json.loads(capsys.readouterr().out)}
    assert code == 0  # 0 also means: device outputs identical to TFLite Micro's for every recipe
    assert set(rows) == {"ptq", "qat", "pqat", "cqat", "pcqat", "pcqat24"}
    assert rows["pqat"]["sparsity_survived"] and rows["pcqat"]["sparsity_survived"]
    assert rows["cqat"]["clusters_survived"] and rows["pcqat"]["clusters_survived"]
    assert rows["pcqat24"]["sparsity_survived"] and rows["pcqat24"]["clusters_survived"]   # 2:4 kept exactly
    assert not rows["qat"]["sparsity_survived"] and not rows["qat"]["clusters_survived"]
    for row in rows.values():
        assert row["runner"] == "qemu" and row["timing_source"] == "qemu-icount-instructions"
        assert row["latency"]["unit"] == "instructions" and row["latency"]["value"] > 0
        assert row["accuracy_device"] == row["accuracy_host"]
        assert row["flash_bytes"] > row["model_bytes_raw"] > 0 and row["ram_bytes"] > 0
        assert row["code_bytes"] + row["model_bytes"] == row["flash_bytes"]
        assert row["ram_reserved_bytes"] > row["ram_bytes"] > row["arena_used_bytes"] > 0
        assert row["kernels"] == "helium" and "-mcpu=cortex-m55" in row["compiler_flags"]
        assert row["samples"] == 12   # --limit 12: the row says what its accuracies were measured on
    stored = read_results(tmp_path / "runs")
    assert len(stored) == 6
    page = (tmp_path / "report" / "report.html").read_text()
    assert (tmp_path / "report" / "report.md").is_file() and all(f">{r}<" in page for r in rows)
    assert page.count("data:image/png;base64,") >= 3    # accuracy vs flash, vs latency, latency per layer


def test_killing_bench_mid_run_keeps_the_finished_rows(corstone300, tmp_path):
    mark = f"hil-bench-kill-test-{os.getpid()}-{time.monotonic_ns()}"   # inherited by the bench's QEMUs
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "HIL_BENCH_TEST_MARK": mark}
    proc = subprocess.Popen([sys.executable, "-m", "hil_bench.cli.main", "bench", "--board", "corstone300",
                             "--limit", "8", "--results-dir", str(tmp_path), "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and proc.poll() is None:
            files = list((tmp_path / "runs").glob("*.csv")) if (tmp_path / "runs").is_dir() else []
            if files and len(read_results(files[0])) >= 1:
                break
            time.sleep(0.2)
        assert proc.poll() is None, "bench finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    frame = read_results(tmp_path / "runs")
    assert 1 <= len(frame) < 5 and list(frame["recipe"])[0] == "ptq"
    # The simulator dies with its parent: no QEMU carrying this test's mark in its environment is left
    # (other QEMUs may run beside this test, e.g. under pytest-xdist).
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        left = [pid for pid in _pids_of("qemu-system-arm") if mark.encode() in _environ(pid)]
        if not left:
            break
        time.sleep(0.1)
    assert not left, f"orphan QEMU processes: {left}"


def _pids_of(program: str) -> list[int]:
    out = subprocess.run(["pgrep", "-x", program], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _environ(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return f.read()
    except OSError:   # gone meanwhile
        return b""


def test_a_board_name_from_bench_is_loaded_once(corstone300, tmp_path, monkeypatch):
    """The CLI resolves ``--board`` into a Board once; bench, the device path, the fits check, the
    firmware build and the session all take that object (a spy on every ``load_board`` in hil_bench)."""
    import sys

    import hil_bench.bench
    import hil_bench.board_fit
    import hil_bench.boards
    import hil_bench.boards.session
    import hil_bench.dut
    import hil_bench.firmware.runner_image

    real, calls = hil_bench.boards.load_board, []

    def spy(name):
        calls.append(name)
        return real(name)

    for module in [m for n, m in sys.modules.items() if n.startswith("hil_bench")]:
        if getattr(module, "load_board", None) is real:
            monkeypatch.setattr(module, "load_board", spy)
    code = main(["bench", "--board", "corstone300", "--recipe", "ptq", "--limit", "3", "--results-dir",
                 str(tmp_path), "-q"])
    assert code == 0
    assert calls == ["corstone300"]
