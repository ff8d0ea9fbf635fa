from __future__ import annotations

import json

import pandas as pd
import pytest

from hil_bench.errors import ResultsError
from hil_bench.results import (ResultsStore, compare, parse_tolerances, read_results, rows_to_frame,
                               write_results)
from tests.results.conftest import make_row

RECIPES = ("ptq", "qat", "pqat", "cqat", "pcqat")
_LOST = {"ptq": (False, False), "qat": (False, False), "pqat": (True, False), "cqat": (False, True),
         "pcqat": (True, True)}


def suite(run_id="20261126T110000Z-aaaaaa", timestamp="2026-11-26T11:00:00+00:00", **changes):
    """A default-suite run; ``changes`` maps recipe -> column overrides (the injected regression)."""
    rows = []
    for i, recipe in enumerate(RECIPES):
        sparsity, clusters = _LOST[recipe]
        values = dict(latency=100000.0 + 1000 * i, flash_bytes=60000 - 500 * i, sparsity_survived=sparsity,
                      clusters_survived=clusters, run_id=run_id, timestamp=timestamp)
        values.update(changes.get(recipe, {}))
        rows.append(make_row(recipe, **values))
    return rows_to_frame(rows)


def verdicts(comparison):
    return {(v.recipe, v.metric): v.status for v in comparison.rows if not v.ok}


def test_unchanged_rerun_passes():
    result = compare(suite(), suite(run_id="20261127T010000Z-bbbbbb", timestamp="2026-11-27T01:00:00+00:00"))
    assert result.ok and not result.failures
    assert len(result.rows) == len(RECIPES) * 8
    assert {v.status for v in result.rows} == {"ok"}
    assert result.to_table().splitlines()[-1] == "OK: 40 checks within tolerance"


def test_fewer_clusters_fails_as_lost_clusters():
    new = suite(pcqat=dict(max_unique_binary=251, clusters_survived=False, model_bytes=7000))
    result = compare(suite(), new)
    assert not result.ok
    assert verdicts(result) == {("pcqat", "clusters_survived"): "lost",
                                ("pcqat", "model_bytes"): "regressed"}
    table = result.to_table()
    assert "LOST" in table and table.splitlines()[-1] == "FAIL: 2 of 40 checks failed"


def test_slower_kernel_fails_past_two_percent_only():
    assert compare(suite(), suite(pqat=dict(latency=102000.0 * 1.019))).ok
    result = compare(suite(), suite(pqat=dict(latency=102000.0 * 1.03)))
    assert verdicts(result) == {("pqat", "latency"): "regressed"}
    line = next(l for l in result.to_table().splitlines() if "latency" in l and "pqat" in l)
    assert "latency [instructions]" in line and "+3060 (+3.0%)" in line and "+2040" in line and "REGRESSED" in line


def test_one_more_flash_byte_fails_and_fewer_bytes_improve():
    result = compare(suite(), suite(qat=dict(flash_bytes=59501), cqat=dict(flash_bytes=58000)))
    assert verdicts(result) == {("qat", "flash_bytes"): "regressed"}
    assert next(v for v in result.rows if (v.recipe, v.metric) == ("cqat", "flash_bytes")).status == "improved"


def test_accuracy_may_drop_exactly_one_point():
    assert compare(suite(), suite(qat=dict(accuracy_device=0.941))).ok      # 0.951 -> 0.941: -0.01
    result = compare(suite(), suite(qat=dict(accuracy_device=0.940)))
    assert verdicts(result) == {("qat", "accuracy_device"): "regressed"}


def test_tolerances_loosen_and_disable_checks():
    new = suite(qat=dict(flash_bytes=59508, ram_bytes=30000))
    loose = parse_tolerances("[flash_bytes]\nabs = 8\n[ram_bytes]\ncheck = false\n")
    result = compare(suite(), new, loose)
    assert result.ok and not any(v.metric == "ram_bytes" for v in result.rows)
    assert not compare(suite(), new).ok


def test_missing_rows_are_reported_and_fail_unless_allowed():
    baseline = suite()
    new = suite()[lambda f: f.recipe != "cqat"]
    extra = rows_to_frame([make_row("int4", run_id="20261126T110000Z-aaaaaa")])
    new = pd.concat([new, extra], ignore_index=True)
    result = compare(baseline, new)
    assert result.missing_in_new == (("digits_cnn", "cqat", "corstone300"),)
    assert result.missing_in_baseline == (("digits_cnn", "int4", "corstone300"),)
    assert not result.ok and not result.failures
    table = result.to_table()
    assert "digits_cnn/cqat/corstone300" in table and "digits_cnn/int4/corstone300" in table
    assert table.endswith("FAIL: 1 baseline row(s) missing in the new results")
    assert compare(baseline, new, missing_ok=True).ok


def test_units_that_differ_are_not_compared():
    result = compare(suite(), suite(ptq=dict(latency=5.0, latency_unit="cycles", runner="fvp", timing_source="fvp")))
    v = next(v for v in result.rows if (v.recipe, v.metric) == ("ptq", "latency"))
    assert v.status == "incomparable" and "instructions vs cycles" in v.note and not result.ok


def test_a_measurement_that_disappears_fails_one_that_appears_passes():
    result = compare(suite(ptq=dict(accuracy_device=None)), suite(qat=dict(accuracy_device=None)))
    by = {(v.recipe, v.metric): v.status for v in result.rows}
    assert by[("qat", "accuracy_device")] == "missing" and by[("ptq", "accuracy_device")] == "not measured"
    assert not result.ok


def test_newest_row_of_a_history_is_compared():
    old_bad = suite(run_id="20261120T010000Z-cccccc", timestamp="2026-11-20T01:00:00+00:00",
                    qat=dict(latency=999999.0))
    history = pd.concat([suite(timestamp="2026-11-27T01:00:00+00:00"), old_bad], ignore_index=True)
    assert compare(suite(), history).ok
    history = pd.concat([old_bad, suite(timestamp="2026-11-19T01:00:00+00:00")], ignore_index=True)
    assert not compare(suite(), history).ok


def test_json_is_complete_and_serializable():
    result = compare(suite(), suite(pcqat=dict(clusters_survived=False)))
    data = json.loads(json.dumps(result.to_json()))
    assert data["ok"] is False and data["summary"].startswith("FAIL")
    lost = [c for c in data["checks"] if not c["ok"]]
    assert lost == [{"model": "digits_cnn", "recipe": "pcqat", "board": "corstone300", "metric": "clusters_survived",
                     "baseline": True, "new": False, "allowed": None, "status": "lost", "unit": "", "note": "",
                     "ok": False, "change": None}]


def test_frames_without_the_columns_are_refused():
    with pytest.raises(ResultsError, match="the new results lacks column"):
        compare(suite(), suite().drop(columns=["flash_bytes"]))


def test_through_the_store_baseline_file_and_nightly_history(tmp_path):
    baseline = write_results(tmp_path / "baseline" / "corstone300.csv",
                             [make_row(r, run_id="20261126T110000Z-aaaaaa") for r in RECIPES])
    store = ResultsStore(tmp_path, run_id="20261127T010000Z-bbbbbb", history=True)
    store.append([make_row(r, run_id=store.run_id, latency=123456.0 * (1.05 if r == "cqat" else 1)) for r in RECIPES])
    result = compare(read_results(baseline.parent), read_results(store.history_path))
    assert verdicts(result) == {("cqat", "latency"): "regressed"}


def _versions(gcc: str, qemu: str = "QEMU emulator version 7.2.0") -> str:
    return json.dumps({"arm-none-eabi-gcc": gcc, "arm-none-eabi-ld": "GNU ld 2.40", "qemu-system-arm": qemu})


def test_a_toolchain_change_is_incomparable_not_a_regression_or_an_improvement():
    old = {r: dict(tool_versions=_versions("gcc 12.2.1")) for r in RECIPES}
    new = {r: dict(tool_versions=_versions("gcc 13.2.1")) for r in RECIPES}
    new["pcqat"].update(flash_bytes=50000, latency=200000.0)     # smaller flash, slower: neither counts
    result = compare(suite(**old), suite(**new))
    v = verdicts(result)
    assert v[("pcqat", "flash_bytes")] == v[("pcqat", "latency")] == v[("ptq", "ram_bytes")] == "incomparable"
    assert ("pcqat", "accuracy_host") not in v and ("pcqat", "sparsity_survived") not in v   # not tool-shaped
    assert not result.ok and "toolchain changed (arm-none-eabi-gcc: gcc 12.2.1 -> gcc 13.2.1)" in result.to_table()
    assert "hil-bench baseline update" in result.to_table()


def test_only_the_simulator_changing_leaves_sizes_comparable():
    old = {r: dict(tool_versions=_versions("gcc 12.2.1")) for r in RECIPES}
    new = {r: dict(tool_versions=_versions("gcc 12.2.1", qemu="QEMU emulator version 8.0.0")) for r in RECIPES}
    v = verdicts(compare(suite(**old), suite(**new)))
    assert v[("ptq", "latency")] == "incomparable" and ("ptq", "flash_bytes") not in v


def test_rows_that_did_not_record_the_toolchain_are_compared_as_before():
    new = {r: dict(tool_versions=_versions("gcc 13.2.1")) for r in RECIPES}
    assert compare(suite(), suite(**new)).ok


def test_accuracies_on_other_samples_are_incomparable_not_regressed():
    """A `--limit 10` run against a full baseline: its accuracies are not 10 regressions."""
    full = suite()
    limited = suite(run_id="20261126T120000Z-bbbbbb", timestamp="2026-11-26T12:00:00+00:00",
                    **{recipe: dict(accuracy_device=0.5, accuracy_host=0.5) for recipe in RECIPES})
    full["samples"], limited["samples"] = 360, 10
    v = {(r.recipe, r.metric): r for r in compare(full, limited).rows}
    accuracy = [r for (_, metric), r in v.items() if metric in ("accuracy_host", "accuracy_device")]
    assert accuracy and all(r.status == "incomparable" and "360 vs 10 test samples" in r.note for r in accuracy)
    assert not any(r.status == "regressed" for r in v.values())
    full_again = suite(run_id="20261126T120000Z-cccccc", timestamp="2026-11-26T12:00:00+00:00")
    full_again["samples"] = 360
    assert compare(full, full_again).ok   # the same samples: compared as before
