"""`hil-bench sweep` end to end on two QEMU boards: rows, Pareto marks, fits per board, and a resume after
SIGKILL that skips the finished (point, board) rows (the shared run is in tests/cli/conftest.py)."""

from __future__ import annotations

import pytest

from hil_bench.boards import load_board
from hil_bench.results import read_rows
from tests.cli.conftest import SWEEP_BOARDS, run_cli_json, sweep_argv

pytestmark = pytest.mark.hil
POINTS = {f"s{s}-k{k}" for s in ("0.00", "0.50", "0.75") for k in (0, 16)}


def _dominates(b: dict, a: dict, cost: str) -> bool:
    """b beats a; costs within the stated noise floor (0.5 %) are the same cost."""
    from hil_bench.sizing.pareto import NOISE_FLOOR

    same = abs(b[cost] - a[cost]) <= NOISE_FLOOR * max(b[cost], a[cost])
    cheaper = b[cost] < a[cost] and not same
    return (b["accuracy_device"] >= a["accuracy_device"] and (cheaper or same)
            and (b["accuracy_device"] > a["accuracy_device"] or cheaper))


def test_every_point_runs_on_every_board_once(digits_sweep):
    summary = digits_sweep["summary"]
    entries = summary["rows"]
    assert sorted((e["point"], e["board"]) for e in entries) == sorted((p, b) for p in POINTS for b in SWEEP_BOARDS)
    stored = read_rows(summary["run_csv"])
    assert sorted((r.recipe, r.board) for r in stored) == sorted((e["point"], e["board"]) for e in entries)
    for e in entries:
        assert e["accuracy_device"] == e["accuracy_host"] and e["latency"] > 0
        assert e["flash_bytes"] > e["model_bytes"] > 0 and e["ram_bytes"] > 0
        assert e["sparsity_survived"] and e["clusters_survived"]
        if e["sparsity"] > 0:
            assert e["sparsity_trained"] >= e["sparsity"] - 0.01
        if e["clusters"]:
            assert e["max_unique_binary"] <= e["clusters"]
    for board in SWEEP_BOARDS:
        model = {e["point"]: e["model_bytes"] for e in entries if e["board"] == board}   # as stored in flash
        assert model["s0.75-k16"] < model["s0.50-k16"] < model["s0.00-k16"] < model["s0.00-k0"]
        assert model["s0.75-k0"] < model["s0.50-k0"] < model["s0.00-k0"]


def test_pareto_front_per_board(digits_sweep):
    entries = digits_sweep["summary"]["rows"]
    for board in SWEEP_BOARDS:
        here = [e for e in entries if e["board"] == board]
        for mark, cost in (("pareto_flash", "flash_bytes"), ("pareto_latency", "latency")):
            for e in here:
                beaten = any(_dominates(o, e, cost) for o in here if o is not e)
                assert e[mark] == (not beaten), (board, mark, e["point"])
            best = min(here, key=lambda e: (-e["accuracy_device"], e[cost]))
            assert best[mark]


def test_fits_per_board_from_the_board_files(digits_sweep):
    summary = digits_sweep["summary"]
    for board in SWEEP_BOARDS:
        b = load_board(board)
        p = b.placement
        budget = summary["budgets"][board]
        assert budget["flash_bytes"] == sum(b.region(n).size for n in {p.code, p.model})
        assert budget["ram_bytes"] == sum(b.region(n).size for n in {p.data, p.arena})
    assert all(e["fits"] is True for e in summary["rows"])   # digits is tiny next to these boards


def test_resume_after_sigkill_skips_finished_rows(digits_sweep):
    summary, done = digits_sweep["summary"], digits_sweep["rows_at_kill"]
    work = summary["work"]
    assert 1 <= done < 12
    assert work["rows_skipped"] == done and work["rows_run"] == 12 - done
    assert len(list((digits_sweep["dir"] / "runs").glob("*.csv"))) == 1   # the same run, resumed
    finished = {}
    for row in read_rows(summary["run_csv"])[:done]:
        finished.setdefault(row.recipe, set()).add(row.board)
    skipped = {p for p, boards in finished.items() if boards == set(SWEEP_BOARDS)}
    assert not skipped & set(work["points_trained"])   # a point finished on both boards is not even optimized
    # The float model was trained before the kill, and a prune stage is shared across cluster counts.
    for point, stages in work["points_trained"].items():
        kinds = {s["stage"]: s["cached"] for s in stages}
        assert kinds["train"] is True, point
        if point.endswith("-k16") and not point.startswith("s0.00"):
            assert kinds["prune"] is True, point


def test_rerun_with_app_headroom_rejudges_without_running(digits_sweep):
    entries = digits_sweep["summary"]["rows"]
    an386 = sorted(e["flash_bytes"] for e in entries if e["board"] == "mps2-an386")
    total = digits_sweep["summary"]["budgets"]["mps2-an386"]["flash_bytes"]
    app_flash = total - an386[len(an386) // 2]   # half the points fit on mps2-an386
    code, summary = run_cli_json(sweep_argv(digits_sweep["dir"], "--app-flash", str(app_flash)))
    assert code == 0
    assert summary["work"]["rows_run"] == 0 and summary["work"]["points_trained"] == {}
    verdicts = {(e["board"], e["point"]): e for e in summary["rows"]}
    for (board, point), e in verdicts.items():
        budget = summary["budgets"][board]
        assert e["fits"] == (e["flash_bytes"] <= budget["flash_left"] and e["ram_bytes"] <= budget["ram_left"])
        if not e["fits"]:
            assert f"over the {total:,} B budget minus {app_flash:,} B for the application" in e["fits_reason"]
    an386_fits = [e["fits"] for (board, _), e in verdicts.items() if board == "mps2-an386"]
    assert 0 < sum(an386_fits) < len(an386_fits)
    assert all(e["fits"] for (board, _), e in verdicts.items() if board == "corstone300")
