"""Sweep and bench rows without a board run: a point that does not fit is an entry, not an abort; one
sweep at a time per settings and folder; a damaged sweep state is an error; a board given twice runs once.

The device path is replaced at its edge (``bench_recipe``, which builds, runs and audits one point on a
board); everything between the CLI and it runs for real.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import hil_bench.bench as bench_module
from hil_bench.boards import load_board
from hil_bench.cli.main import build_parser, main
from hil_bench.errors import DoesNotFitError
from hil_bench.sizing import state
from tests.results.conftest import make_row

ROOT = Path(__file__).resolve().parents[2]
ARGV = ["sweep", "--model", "digits_cnn", "--board", "corstone300", "--board", "mps2-an386", "--sparsity", "0,0.5",
        "--clusters", "0", "--limit", "4", "-q"]


def _key(argv: list[str]) -> str:
    from hil_bench.cli.sweep import settings_from

    return state.sweep_key(settings_from(build_parser().parse_args(argv)).as_dict())


@pytest.fixture
def fake_device(monkeypatch):
    """bench_recipe on a board whose memory the point s0.00-k0 does not fit; the other points run."""
    calls = []

    def trained(suite, recipe, quiet=True):
        return None, None, SimpleNamespace(recipe=recipe, stages=[])

    def run(board, suite, recipe, *, run_id, **options):
        board = board.name   # bench_recipe takes the Board the sweep resolved once
        calls.append((recipe.name, board))
        if recipe.name == "s0.00-k0" and board == "mps2-an386":
            raise DoesNotFitError("the model does not fit or run on mps2-an386: flash over by 848 bytes")
        return make_row(recipe.name, board=board, run_id=run_id), {"layers": [], "latency_unit": "instructions",
                                                                  "outputs_identical": True, "samples": 4}

    monkeypatch.setattr(bench_module, "trained_suite_recipe", trained)
    monkeypatch.setattr(bench_module, "bench_recipe", run)
    return calls


def test_a_point_that_does_not_fit_is_an_entry_and_the_sweep_goes_on(fake_device, tmp_path, capsys):
    code = main([*ARGV, "--results-dir", str(tmp_path), "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0
    entries = {(e["point"], e["board"]): e for e in summary["rows"]}
    assert len(entries) == 4 and len(fake_device) == 4
    unfit = entries[("s0.00-k0", "mps2-an386")]
    assert unfit["fits"] is False and unfit["fits_reason"] == "flash over by 848 bytes"
    assert unfit["flash_bytes"] is None and not unfit["pareto_flash"]
    assert all(e["fits"] for k, e in entries.items() if k != ("s0.00-k0", "mps2-an386"))
    assert summary["work"]["rows_run"] == 3   # three rows stored, the unfit point has none
    # and the table says so
    assert main([*ARGV, "--results-dir", str(tmp_path)]) == 0
    assert "  s0.00-k0 does not fit: flash over by 848 bytes\n" in capsys.readouterr().out


def test_identical_sweeps_into_one_folder_never_duplicate_rows(fake_device, tmp_path, capsys):
    """A second identical sweep while the first holds the folder is refused before any work; run after it,
    it skips every stored row."""
    key = _key(ARGV)
    lock = tmp_path / "sweeps" / f"{key}.lock"
    lock.parent.mkdir(parents=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    try:
        os.write(fd, b"4242\n")
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert main([*ARGV, "--results-dir", str(tmp_path)]) == 1
        err = " ".join(capsys.readouterr().err.split())
        assert "another sweep with the same settings (pid 4242) is writing to" in err
        assert fake_device == []   # refused before any training or board run
    finally:
        os.close(fd)
    assert main([*ARGV, "--results-dir", str(tmp_path)]) == 0
    assert main([*ARGV, "--results-dir", str(tmp_path)]) == 0   # the same sweep again
    runs = list((tmp_path / "runs").glob("*.csv"))
    from hil_bench.results import read_rows

    rows = [(r.recipe, r.board) for r in read_rows(runs[0])]
    assert len(runs) == 1 and len(rows) == len(set(rows)) == 3


@pytest.mark.parametrize("content", ['{"run_id": 5}', '{"run_id": "../x"}', "[]", "\udcff"])
def test_a_damaged_sweep_state_is_an_error_naming_it(content, tmp_path, capsys):
    path = state.state_path(tmp_path, _key(ARGV))
    path.parent.mkdir(parents=True)
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    assert main([*ARGV, "--results-dir", str(tmp_path)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert f"{path}: not a sweep state written by hil-bench; move it aside" in err


def test_a_board_given_twice_runs_once(monkeypatch, tmp_path):
    calls = []

    def run(board, suite, name, *, run_id, **options):
        board = board.name
        calls.append((board, name))
        return make_row(name, board=board, run_id=run_id), {"outputs_identical": True, "samples": 4}

    monkeypatch.setattr(bench_module, "_timed_bench_recipe", run)
    suite = dataclasses.replace(bench_module.SUITES["default"], recipes=("ptq", "qat"))
    rows, extras, store = bench_module.run_bench([load_board("corstone300")] * 2, suite, results_dir=tmp_path,
                                                 quiet=True)
    assert calls == [("corstone300", "ptq"), ("corstone300", "qat")]
    assert [(r.board, r.recipe) for r in store.read().itertuples()] == calls


def test_fit_merges_a_board_given_twice_and_refuses_two():
    from hil_bench.cli.fit import run

    args = build_parser().parse_args(["fit", "--model", "digits_cnn", "--board", "host", "--board", "host"])
    with pytest.raises(Exception, match="has no flash or RAM to fit"):   # the one board, checked as one
        run(args)
    args = build_parser().parse_args(["fit", "--model", "digits_cnn", "--board", "corstone300", "--board", "host"])
    with pytest.raises(Exception, match="fit sizes for one board, got corstone300, host"):
        run(args)
