"""`hil-bench sweep` end to end on two QEMU boards: rows, Pareto marks, fits per board, and a resume after
SIGKILL that skips the finished (point, board) rows (the shared run is in tests/cli/conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hil_bench.boards import load_board, remove_boards_dir
from hil_bench.results import read_rows
from tests.cli.conftest import SWEEP_BOARDS, SWEEP_LIMIT, run_cli_json, sweep_argv

ROOT = Path(__file__).resolve().parents[2]

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


def test_report_is_the_bench_report(digits_sweep, tmp_path):
    """`sweep --report DIR` writes report.md and report.html as `bench --report` does (here on a re-run that
    runs nothing: the report comes from the run's stored rows)."""
    code, summary = run_cli_json(sweep_argv(digits_sweep["dir"], "--report", str(tmp_path / "report")))
    assert code == 0 and summary["work"]["rows_run"] == 0
    page = (tmp_path / "report" / "report.html").read_text()
    assert (tmp_path / "report" / "report.md").is_file()
    assert all(f">{point}<" in page for point in POINTS) and "data:image/png;base64," in page


def test_a_point_that_does_not_fit_a_board_is_marked_and_the_sweep_goes_on(digits_sweep, tmp_path):
    """A board whose flash is too small for the image (the linker says by how much): the point is an entry
    marked "does not fit" with that reason, exit 0 -- not an abort with exit 1 (the training is the cached
    one of the shared sweep)."""
    source = (ROOT / "boards" / "mps2-an386.toml").read_text()
    small = source.replace('name = "mps2-an386"', 'name = "small386"').replace(
        "size = 0x0040_0000        # 4 MiB ZBT SSRAM1", "size = 0x0001_0000        # 64 KiB")
    assert small.count("small386") == 1 and "0x0001_0000" in small
    (tmp_path / "boards").mkdir()
    (tmp_path / "boards" / "small386.toml").write_text(small)
    argv = ["sweep", "--model", "digits_cnn", "--board", "small386", "--boards-dir", str(tmp_path / "boards"),
            "--sparsity", "0", "--clusters", "0", *SWEEP_LIMIT, "--results-dir", str(tmp_path / "results"), "-q"]
    try:
        code, summary = run_cli_json(argv)
    finally:
        remove_boards_dir(tmp_path / "boards")   # main() added it for this process
    assert code == 0
    (entry,) = summary["rows"]
    assert entry["point"] == "s0.00-k0" and entry["fits"] is False and entry["flash_bytes"] is None
    assert re.search(r"does not fit region 'ssram1': over by [\d,]+ bytes", entry["fits_reason"])
