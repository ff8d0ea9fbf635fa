"""`hil-bench fit` on digits: with a flash budget between the sweep's smallest and largest image it returns
a point that fits, after training fewer points than the grid holds; with a budget below every point it
fails with the evidence. Trained stages come from the session's cache, shared with the sweep."""

from __future__ import annotations

import pytest

from tests.cli.conftest import SWEEP_GRID, SWEEP_LIMIT, run_cli_json

pytestmark = pytest.mark.hil


def _fit(budget: int) -> tuple[int, dict]:
    return run_cli_json(["fit", "--model", "digits_cnn", "--board", "corstone300", *SWEEP_GRID, *SWEEP_LIMIT,
                         "--flash-budget", str(budget), "-q"])


def test_fit_picks_a_fitting_point_with_fewer_trainings(digits_sweep):
    swept = {e["point"]: e for e in digits_sweep["summary"]["rows"] if e["board"] == "corstone300"}
    flash = sorted(e["flash_bytes"] for e in swept.values())
    budget = (flash[0] + flash[-1]) // 2
    code, report = _fit(budget)
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


def test_fit_with_nothing_fitting_shows_why(digits_sweep):
    smallest = min(e["flash_bytes"] for e in digits_sweep["summary"]["rows"] if e["board"] == "corstone300")
    code, report = _fit(smallest - 1)
    assert code == 1 and report["chosen"] is None and report["board_runs"] == 0
    assert report["trainings"] < 6
    assert all(f"over the {smallest - 1:,} B budget" in t["reason"] for t in report["tried"])
    assert {"s0.75-k0", "s0.75-k16"} <= {t["point"] for t in report["tried"]}
