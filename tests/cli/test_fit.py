"""`hil-bench fit` on digits: with a flash budget between the sweep's smallest and largest image it returns
a point that fits, after training fewer points than the grid holds; with a budget below every point it
fails with the evidence. Trained stages come from the session's cache, shared with the sweep."""

from __future__ import annotations

import pytest

from tests.cli.conftest import SWEEP_GRID, SWEEP_LIMIT, run_cli_json

pytestmark = pytest.mark.hil


def _fit(budget: int, results_dir) -> tuple[int, dict]:
    """A fit with its own (empty) results folder: the search itself, no sweep rows to reuse."""
    return run_cli_json(["fit", "--model", "digits_cnn", "--board", "corstone300", *SWEEP_GRID, *SWEEP_LIMIT,
                         "--flash-budget", str(budget), "--results-dir", str(results_dir), "-q"])


def test_fit_picks_a_fitting_point_with_fewer_trainings(digits_sweep, tmp_path):
    swept = {e["point"]: e for e in digits_sweep["summary"]["rows"] if e["board"] == "corstone300"}
    flash = sorted(e["flash_bytes"] for e in swept.values())
    budget = (flash[0] + flash[-1]) // 2
    code, report = _fit(budget, tmp_path)
    assert code == 0
    chosen = report["chosen"]
    assert chosen["board_row"]["flash_bytes"] <= budget
    assert chosen["board_row"]["flash_bytes"] == swept[chosen["point"]]["flash_bytes"]   # same image as the sweep's
    assert report["grid_size"] == 6 and report["trainings"] == len(report["tried"]) < 6
    assert report["board_runs"] >= 1
    for t in report["tried"]:
        assert t["flash_bytes"] == swept[t["point"]]["flash_bytes"]
        if not t["chosen"]:
            assert t["reason"]
            over = t["flash_bytes"] > budget
            assert ("over the" in t["reason"]) == over
            if not over:
                assert "less accurate than" in t["reason"] and t["accuracy_host"] <= chosen["accuracy_host"]


def test_fit_with_nothing_fitting_shows_why(digits_sweep, tmp_path):
    smallest = min(e["flash_bytes"] for e in digits_sweep["summary"]["rows"] if e["board"] == "corstone300")
    code, report = _fit(smallest - 1, tmp_path)
    assert code == 1 and report["chosen"] is None and report["board_runs"] == 0
    assert report["trainings"] < 6
    assert all(f"over the {smallest - 1:,} B budget" in t["reason"] for t in report["tried"])
    assert {"s0.75-k0", "s0.75-k16"} <= {t["point"] for t in report["tried"]}


def test_a_candidate_refused_by_the_board_run_is_shown(digits_sweep, tmp_path):
    """RAM before a board run is a lower bound (no stack); a budget just under the measured RAM passes
    that bound, and the board run refuses the point with the measured figure."""
    swept = next(e for e in digits_sweep["summary"]["rows"] if e["board"] == "corstone300"
                 and e["point"] == "s0.50-k16")
    budget = swept["ram_bytes"] - 1
    code, report = run_cli_json(["fit", "--model", "digits_cnn", "--board", "corstone300", "--sparsity", "0.5",
                                 "--clusters", "16", "--compress", "hb", *SWEEP_LIMIT, "--ram-budget", str(budget),
                                 "--results-dir", str(tmp_path), "-q"])
    assert code == 1 and report["chosen"] is None and report["board_runs"] == 1
    (tried,) = report["tried"]
    assert tried["ram_lower_bound"] <= budget < tried["ram_bytes"] == swept["ram_bytes"]
    assert tried["reason"] == f"measured on the board: RAM {budget + 1:,} B is over the {budget:,} B budget by 1 B"
