"""``--junit FILE`` on ``hil-bench compare`` and ``hil-bench bench``: the file CI reads says what the exit
status says. Bench's board work is replaced by rows at the edge (``run_bench``); the rest runs for real."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from hil_bench import bench as bench_lib
from hil_bench.cli.main import main
from hil_bench.errors import DeviceError
from hil_bench.results import ResultsStore
from tests.cli.test_compare import RECIPES, new_run, write_suite
from tests.results.conftest import make_row
from tests.results.test_junit import parse


@pytest.fixture
def baseline(tmp_path):
    return write_suite(tmp_path / "baseline" / "corstone300.csv", "20261126T110000Z-aaaaaa",
                       "2026-11-26T11:00:00+00:00")


def failures(root: ET.Element) -> dict[str, list[str]]:
    return {c.get("name"): [f.get("message") for f in c.findall("failure")]
            for c in root.iter("testcase") if c.find("failure") is not None}


def test_compare_writes_a_failure_per_failing_check(baseline, tmp_path, capsys):
    new = new_run(tmp_path, pqat=dict(latency=210000.0 * 1.05), pcqat=dict(clusters_survived=False))
    out = tmp_path / "ci" / "junit.xml"
    assert main(["compare", str(baseline), str(new), "--junit", str(out)]) == 1
    root = parse(out.read_text(encoding="utf-8"))
    assert root.get("tests") == str(len(RECIPES)) and root.get("failures") == "2"
    found = failures(root)
    assert sorted(found) == ["pcqat", "pqat"]
    assert found["pqat"][0].startswith("latency regressed: baseline 210000 instructions, new 220500 instructions")
    assert found["pcqat"] == ["clusters_survived lost: baseline true, new false"]
    assert capsys.readouterr().out.splitlines()[-1] == "FAIL: 2 of 40 checks failed"
    assert [p.name for p in out.parent.iterdir()] == ["junit.xml"]   # no temporary file left


def test_compare_unchanged_passes_and_json_stays_json(baseline, tmp_path, capsys):
    out = tmp_path / "junit.xml"
    assert main(["compare", str(baseline), str(new_run(tmp_path)), "--junit", str(out), "--json"]) == 0
    assert capsys.readouterr().out.startswith("{")
    root = parse(out.read_text(encoding="utf-8"))
    assert root.get("failures") == "0" and {c.get("classname") for c in root.iter("testcase")} == \
        {"hil-bench.corstone300.digits_cnn"}


class FakeBench:
    """``run_bench`` that stores given rows as a real run would; ``differ`` names recipes whose device
    outputs differ from TFLite Micro's; ``fail_after`` raises a device error after that many rows."""

    def __init__(self, changes=None, differ=(), fail_after=None):
        self.changes, self.differ, self.fail_after = changes or {}, set(differ), fail_after

    def __call__(self, boards, suite_name, *, results_dir, history, quiet, limit, **options):
        store = ResultsStore(results_dir)
        rows, extras = [], {}
        for i, recipe in enumerate(RECIPES):
            if i == self.fail_after:
                raise DeviceError("corstone300: no reply within 30 s; last bytes received: b'm-rea'")
            values = dict(latency=200000.0 + 5000 * i, flash_bytes=70000 - 400 * i, run_id=store.run_id,
                          sparsity_survived=recipe in ("pqat", "pcqat"), clusters_survived=recipe in ("cqat", "pcqat"))
            values.update(self.changes.get(recipe, {}))
            row = make_row(recipe, **values)
            store.append(row)
            rows.append(row)
            extras[(row.board, recipe)] = {"layers": [], "latency_unit": "instructions", "samples": 12,
                                           "outputs_identical": recipe not in self.differ, "seconds": 1.5 + i}
        return rows, extras, store


def bench(monkeypatch, tmp_path, fake, *extra):
    monkeypatch.setattr(bench_lib, "run_bench", fake)
    return main(["bench", "--board", "corstone300", "--results-dir", str(tmp_path / "results"), "-q",
                 "--junit", str(tmp_path / "junit.xml"), *map(str, extra)])


def test_bench_without_baseline_fails_only_a_failed_run(monkeypatch, tmp_path, capsys):
    assert bench(monkeypatch, tmp_path, FakeBench(differ={"cqat"})) == 1
    root = parse((tmp_path / "junit.xml").read_text(encoding="utf-8"))
    assert root.get("tests") == "5" and failures(root) == {
        "cqat": ["device int8 outputs differ from TFLite Micro's reference kernels on the 12 test samples"]}
    assert [c.get("time") for c in root.iter("testcase")] == ["1.500", "2.500", "3.500", "4.500", "5.500"]
    assert f"JUnit XML: {tmp_path / 'junit.xml'}" in capsys.readouterr().out


def test_bench_with_baseline_fails_on_a_regression(monkeypatch, tmp_path, baseline):
    code = bench(monkeypatch, tmp_path, FakeBench({"qat": dict(flash_bytes=69700)}), "--baseline", baseline.parent)
    assert code == 1
    root = parse((tmp_path / "junit.xml").read_text(encoding="utf-8"))
    assert failures(root) == {"qat": ["flash_bytes regressed: baseline 69600, new 69700, change +100 (+0.1%), "
                                      "allowed +0"]}
    assert bench(monkeypatch, tmp_path, FakeBench(), "--baseline", baseline.parent) == 0
    assert parse((tmp_path / "junit.xml").read_text(encoding="utf-8")).get("failures") == "0"


def test_bench_that_stops_half_way_replaces_an_old_file_with_an_error(monkeypatch, tmp_path, capsys):
    (tmp_path / "junit.xml").write_text("<testsuites/>")   # yesterday's green
    assert bench(monkeypatch, tmp_path, FakeBench(fail_after=2)) == 1
    root = parse((tmp_path / "junit.xml").read_text(encoding="utf-8"))
    (case,) = root.iter("testcase")
    assert root.get("errors") == "1" and "no reply within 30 s" in case.find("error").get("message")
    assert "no reply within 30 s" in capsys.readouterr().err
