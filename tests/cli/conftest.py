"""The digits sweep the sweep and fit tests share: run once per session on corstone300 and mps2-an386,
killed with SIGKILL after its first rows and resumed, so the resume is tested by the same run."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SWEEP_BOARDS = ("corstone300", "mps2-an386")
# --compress hb (hil-bench's codec, decoded once at init): the stored size follows the structure on every
# board, which the sweep and fit checks need; `auto` keeps int8 where in-place kernels would be slower.
SWEEP_GRID = ["--sparsity", "0,0.5,0.75", "--clusters", "0,16", "--compress", "hb"]
SWEEP_LIMIT = ["--limit", "4"]


def sweep_argv(results_dir: Path, *extra: str) -> list[str]:
    boards = [a for b in SWEEP_BOARDS for a in ("--board", b)]
    return ["sweep", "--model", "digits_cnn", *boards, *SWEEP_GRID, *SWEEP_LIMIT, "--results-dir", str(results_dir),
            "-q", *extra]


def run_cli_json(argv: list[str]) -> tuple[int, dict]:
    from hil_bench.cli.main import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*argv, "--json"])
    return code, json.loads(out.getvalue())


def _rows(results_dir: Path) -> int:
    from hil_bench.results import read_rows

    files = list((results_dir / "runs").glob("*.csv")) if (results_dir / "runs").is_dir() else []
    return len(read_rows(files[0])) if files else 0


def _wait_for(ready, proc, seconds: float) -> None:
    """Until ``ready()``; fails if ``proc`` ends first or the time runs out."""
    deadline = time.monotonic() + seconds
    while not ready():
        assert proc.poll() is None, "the sweep ended before it could be killed"
        assert time.monotonic() < deadline, f"no sweep row after {seconds} s"
        time.sleep(0.2)


@pytest.fixture(scope="session")
def digits_sweep(request, tmp_path_factory):
    """{"summary": the resumed sweep's JSON, "rows_at_kill": rows the killed run had stored, "dir": its
    results folder}. Needs both boards among pytest's --board options."""
    if not set(SWEEP_BOARDS) <= set(request.config.getoption("hil_boards")):
        pytest.skip(f"the sweep runs on {' and '.join(SWEEP_BOARDS)}: pass --board for both")
    results_dir = tmp_path_factory.mktemp("sweep")
    proc = subprocess.Popen([sys.executable, "-m", "hil_bench.cli.main", *sweep_argv(results_dir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        _wait_for(lambda: _rows(results_dir) >= 1, proc, seconds=900)
    finally:
        with contextlib.suppress(ProcessLookupError):   # the whole group: the sweep and the QEMU it started
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    rows_at_kill = _rows(results_dir)
    code, summary = run_cli_json(sweep_argv(results_dir))
    assert code == 0
    return {"summary": summary, "rows_at_kill": rows_at_kill, "dir": results_dir}
