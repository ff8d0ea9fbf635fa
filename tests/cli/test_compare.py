"""``hil-bench compare``: an injected regression exits 1 and is named in the table; an unchanged rerun exits 0."""

from __future__ import annotations

import json

import pytest

from hil_bench.cli import compare as compare_cmd
from hil_bench.cli import main as cli_main
from hil_bench.results import write_results
from tests.results.conftest import make_row

RECIPES = ("ptq", "qat", "pqat", "cqat", "pcqat")
SURVIVES = {"ptq": (False, False), "qat": (False, False), "pqat": (True, False), "cqat": (False, True),
            "pcqat": (True, True)}


@pytest.fixture
def hil_bench(monkeypatch, capsys):
    """Run ``hil-bench ARGS`` through the real main(); returns (exit code, stdout, stderr with the error
    paragraph's line breaks undone: it wraps at 100 columns, wherever a temp path happens to end)."""
    if compare_cmd not in cli_main.COMMANDS:   # until main.py registers the subcommand
        monkeypatch.setattr(cli_main, "COMMANDS", cli_main.COMMANDS + (compare_cmd,))

    def run(*argv):
        code = cli_main.main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, " ".join(err.split()) if err else err

    return run


def write_suite(path, run_id, timestamp, **changes):
    rows = []
    for i, recipe in enumerate(RECIPES):
        sparsity, clusters = SURVIVES[recipe]
        values = dict(latency=200000.0 + 5000 * i, flash_bytes=70000 - 400 * i, sparsity_survived=sparsity,
                      clusters_survived=clusters, run_id=run_id, timestamp=timestamp)
        values.update(changes.get(recipe, {}))
        rows.append(make_row(recipe, **values))
    return write_results(path, rows)


@pytest.fixture
def baseline(tmp_path):
    return write_suite(tmp_path / "baseline" / "corstone300.csv", "20261126T110000Z-aaaaaa",
                       "2026-11-26T11:00:00+00:00")


def new_run(tmp_path, **changes):
    return write_suite(tmp_path / "runs" / "new.csv", "20261127T010000Z-bbbbbb", "2026-11-27T01:00:00+00:00",
                       **changes)


def test_unchanged_rerun_exits_0(hil_bench, baseline, tmp_path):
    code, out, err = hil_bench("compare", baseline.parent, new_run(tmp_path))   # a directory and a file
    assert code == 0, out + err
    assert out.splitlines()[-1] == "OK: 40 checks within tolerance"
    assert "REGRESSED" not in out and "LOST" not in out


def test_slower_kernel_and_lost_clusters_exit_1_and_are_named(hil_bench, baseline, tmp_path):
    new = new_run(tmp_path, pqat=dict(latency=210000.0 * 1.05),
                  pcqat=dict(clusters_survived=False, max_unique_binary=240))
    code, out, _ = hil_bench("compare", baseline, new)
    assert code == 1
    failing = {line.split()[1]: line for line in out.splitlines() if "REGRESSED" in line or "LOST" in line}
    assert sorted(failing) == ["pcqat", "pqat"]
    assert "latency [instructions]" in failing["pqat"] and failing["pqat"].endswith("REGRESSED")
    assert "clusters_survived" in failing["pcqat"] and failing["pcqat"].endswith("LOST")
    assert out.splitlines()[-1] == "FAIL: 2 of 40 checks failed"


def test_tolerances_file_and_json(hil_bench, baseline, tmp_path):
    new = new_run(tmp_path, pqat=dict(latency=210000.0 * 1.05))
    loose = tmp_path / "loose.toml"
    loose.write_text("[latency]\nrel = 0.10\n")
    code, out, _ = hil_bench("compare", baseline, new, "--tolerances", loose, "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True and report["baseline"] == str(baseline)
    pqat = next(c for c in report["checks"] if c["recipe"] == "pqat" and c["metric"] == "latency")
    assert pqat["status"] == "ok" and pqat["allowed"] == pytest.approx(21000.0)


def test_missing_recipe_fails_unless_missing_ok(hil_bench, baseline, tmp_path):
    rows = [make_row(r, run_id="20261127T010000Z-bbbbbb") for r in ("ptq",)]
    partial = write_results(tmp_path / "partial.csv", rows)
    tolerant = tmp_path / "t.toml"
    tolerant.write_text("".join(f"[{m}]\ncheck = false\n" for m in
                                ("latency", "flash_bytes", "sparsity_survived", "clusters_survived")))
    code, out, _ = hil_bench("compare", baseline, partial, "--tolerances", tolerant)
    assert code == 1 and "4 row(s) in the baseline but missing in the new results" in out
    code, out, _ = hil_bench("compare", baseline, partial, "--tolerances", tolerant, "--missing-ok")
    assert code == 0 and "digits_cnn/pcqat/corstone300" in out


def test_unreadable_inputs_exit_2_with_the_file_named(hil_bench, baseline, tmp_path):
    code, _, err = hil_bench("compare", baseline, tmp_path / "nope.csv")
    assert code == 2 and "nope.csv: no such results file" in err and "Traceback" not in err
    broken = tmp_path / "broken.csv"
    broken.write_text(baseline.read_text()[:-40])       # truncated mid-line
    code, _, err = hil_bench("compare", baseline, broken)
    assert code == 2 and "broken.csv" in err and "truncated" in err
    bad = tmp_path / "bad.toml"
    bad.write_text("[latency]\nrel = 2%\n")
    code, _, err = hil_bench("compare", baseline, baseline, "--tolerances", bad)
    assert code == 2 and "bad.toml" in err and "not valid TOML" in err
    code, _, err = hil_bench("compare", tmp_path / "empty_dir_missing", baseline)
    assert code == 2 and "empty_dir_missing" in err
