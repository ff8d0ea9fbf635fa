"""JUnit XML of bench/compare results: the common layout, one case per row, failures only from verdicts."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import pytest

from hil_bench.results import compare, frame_to_rows, rows_to_frame
from hil_bench.results.junit import error_xml, junit_xml, latest_rows
from tests.results.conftest import make_row
from tests.results.test_compare import RECIPES, suite

NEW = dict(run_id="20261127T010000Z-bbbbbb", timestamp="2026-11-27T01:00:00+00:00")

# The Ant / Jenkins junit-10 layout, written down from its schema: element -> (required attributes,
# optional attributes, allowed children). An attribute or child not listed is a schema violation.
LAYOUT = {
    "testsuites": (set(), {"name", "time", "tests", "failures", "errors"}, {"testsuite"}),
    "testsuite": ({"name", "tests", "failures", "errors"},
                  {"group", "time", "skipped", "timestamp", "hostname", "id", "package", "file", "log", "url"},
                  {"testsuite", "properties", "testcase", "system-out", "system-err"}),
    "properties": (set(), set(), {"property"}),
    "property": ({"name", "value"}, set(), set()),
    "testcase": ({"name"}, {"time", "classname", "group"},
                 {"skipped", "error", "failure", "system-out", "system-err"}),
    "failure": (set(), {"type", "message"}, set()),
    "error": (set(), {"type", "message"}, set()),
    "skipped": (set(), {"type", "message"}, set()),
}
SUREFIRE_TIME = re.compile(r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?")


def check_layout(element: ET.Element) -> None:
    required, optional, children = LAYOUT[element.tag]
    attrs = set(element.attrib)
    assert required <= attrs, f"<{element.tag}> lacks {required - attrs}"
    assert attrs <= required | optional, f"<{element.tag}> has {attrs - required - optional}, not in junit-10"
    if element.tag in ("testsuites", "testsuite") and "time" in attrs:
        assert SUREFIRE_TIME.fullmatch(element.get("time")), element.get("time")
    for child in element:
        assert child.tag in children, f"<{child.tag}> inside <{element.tag}> is not in junit-10"
        check_layout(child)


def parse(xml: str) -> ET.Element:
    """Parse, check the layout and every suite's counts against its cases; returns <testsuites>."""
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "testsuites"
    check_layout(root)
    totals = dict.fromkeys(("tests", "failures", "errors"), 0)
    for ts in root.iter("testsuite"):
        cases = ts.findall("testcase")
        counted = {"tests": len(cases), "failures": sum(len(c.findall("failure")) for c in cases),
                   "errors": sum(len(c.findall("error")) for c in cases),
                   "skipped": sum(len(c.findall("skipped")) for c in cases)}
        assert {k: int(ts.get(k)) for k in counted} == counted, ts.get("name")
        for k in totals:
            totals[k] += counted[k]
    assert {k: int(root.get(k)) for k in totals} == totals
    return root


def cases(root: ET.Element) -> dict[tuple[str, str], ET.Element]:
    return {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}


def props(root: ET.Element, recipe: str) -> dict[str, str]:
    suite_ = next(s for s in root.iter("testsuite") if s.find("testcase").get("name") == recipe)
    return {p.get("name"): p.get("value") for p in suite_.iter("property")}


def test_bench_without_baseline_one_passing_case_per_row():
    rows = frame_to_rows(suite())
    key = ("digits_cnn", "ptq", "corstone300")
    root = parse(junit_xml(rows, seconds={key: 12.3456}))
    assert len(root.findall("testsuite")) == 5 and root.get("tests") == "5" and root.get("failures") == "0"
    assert set(cases(root)) == {("hil-bench.corstone300.digits_cnn", r) for r in RECIPES}
    ptq = cases(root)[("hil-bench.corstone300.digits_cnn", "ptq")]
    assert ptq.get("time") == "12.346" and cases(root)[("hil-bench.corstone300.digits_cnn", "qat")].get("time") == "0.000"
    assert not list(ptq) and root.get("time") == "12.346"
    p = props(root, "pcqat")
    assert p["latency"] == "104000.0" and p["latency_unit"] == "instructions"
    assert p["flash_bytes"] == "58000" and p["ram_bytes"] == "20480"
    assert p["accuracy_host"] == "0.953" and p["accuracy_device"] == "0.951" and p["clusters_survived"] == "true"


def test_a_failed_run_fails_its_case_only():
    rows = frame_to_rows(suite())
    root = parse(junit_xml(rows, run_failures={("digits_cnn", "qat", "corstone300"): "outputs differ"}))
    failing = {name: c for (_, name), c in cases(root).items() if c.find("failure") is not None}
    assert list(failing) == ["qat"] and root.get("failures") == "1"
    f = failing["qat"].find("failure")
    assert f.get("type") == "run" and f.get("message") == "outputs differ"


def test_injected_regression_and_lost_clusters_are_failures_naming_the_metric():
    new = suite(**{"pqat": dict(latency=102000.0 * 1.03, **NEW),
                   "pcqat": dict(clusters_survived=False, max_unique_binary=240, **NEW)},
                **{r: NEW for r in ("ptq", "qat", "cqat")})
    comparison = compare(suite(), new)
    root = parse(junit_xml(frame_to_rows(new), comparison))
    assert root.get("tests") == "5" and root.get("failures") == "2" and root.get("errors") == "0"
    by_name = {name: c for (_, name), c in cases(root).items()}
    (latency,) = by_name["pqat"].findall("failure")
    assert latency.get("type") == "regressed"
    assert latency.get("message") == ("latency regressed: baseline 102000 instructions, new 105060 instructions, "
                                      "change +3060 (+3.0%), allowed +2040 instructions")
    (lost,) = by_name["pcqat"].findall("failure")
    assert lost.get("type") == "lost" and lost.get("message") == "clusters_survived lost: baseline true, new false"
    assert all(c.find("failure") is None for name, c in by_name.items() if name not in ("pqat", "pcqat"))


def test_several_regressions_of_one_row_are_several_failures():
    new = suite(qat=dict(flash_bytes=59600, ram_bytes=30000, accuracy_device=0.5))
    root = parse(junit_xml(frame_to_rows(new), compare(suite(), new)))
    qat = cases(root)[("hil-bench.corstone300.digits_cnn", "qat")]
    messages = sorted(f.get("message") for f in qat.findall("failure"))
    assert messages == ["accuracy_device regressed: baseline 0.951, new 0.5, change -0.451 (-47%), allowed -0.01",
                        "flash_bytes regressed: baseline 59500, new 59600, change +100 (+0.2%), allowed +0",
                        "ram_bytes regressed: baseline 20480, new 30000, change +9520 (+46%), allowed +0"]
    assert root.get("failures") == "3" and root.find("testsuite[@name='hil-bench.corstone300.digits_cnn.qat']") \
        .get("failures") == "3"


def test_rows_without_baseline_are_skipped_and_missing_rows_fail_unless_allowed():
    baseline = suite()
    new_rows = [r for r in frame_to_rows(suite()) if r.recipe != "cqat"] + [make_row("int4")]
    new = rows_to_frame(new_rows)
    root = parse(junit_xml(new_rows, compare(baseline, new)))
    by_name = {name: c for (_, name), c in cases(root).items()}
    assert by_name["int4"].find("skipped").get("message") == \
        "no baseline row for digits_cnn/int4/corstone300: not checked"
    missing = by_name["cqat"].find("failure")
    assert missing.get("type") == "missing" and "digits_cnn/cqat/corstone300" in missing.get("message")
    assert root.get("tests") == "6" and root.get("failures") == "1"
    assert sum(int(s.get("skipped")) for s in root.iter("testsuite")) == 1
    allowed = parse(junit_xml(new_rows, compare(baseline, new, missing_ok=True)))
    cqat = cases(allowed)[("hil-bench.corstone300.digits_cnn", "cqat")]
    assert cqat.find("failure") is None and "not run now" in cqat.find("skipped").get("message")


def test_nothing_compared_is_a_failure_as_in_compare():
    new_rows = [make_row("int4")]
    comparison = compare(rows_to_frame([make_row("int8")]), rows_to_frame(new_rows), missing_ok=True)
    assert not comparison.ok
    root = parse(junit_xml(new_rows, comparison))
    f = cases(root)[("hil-bench.compare", "baseline")].find("failure")
    assert f.get("type") == "nothing-compared" and f.get("message").startswith("FAIL: nothing was compared")


def test_newest_row_per_key_is_the_case():
    old = make_row("qat", latency=1.0, timestamp="2026-11-20T00:00:00+00:00")
    new = make_row("qat", latency=2.0, timestamp="2026-11-27T00:00:00+00:00")
    assert latest_rows([new, old]) == [new] and latest_rows([old, new]) == [new]
    root = parse(junit_xml([new, old]))
    assert root.get("tests") == "1" and props(root, "qat")["latency"] == "2.0"


def test_error_document_and_unprintable_characters():
    root = parse(error_xml("bench", "DeviceError: board said \x1b[31mno\x00"))
    (case,) = root.iter("testcase")
    assert case.get("classname") == "hil-bench.bench" and root.get("errors") == "1"
    assert case.find("error").get("message") == "DeviceError: board said \ufffd[31mno\ufffd"


def test_junitparser_reads_the_same_counts():
    junitparser = pytest.importorskip("junitparser")
    new = suite(qat=dict(flash_bytes=59600), pcqat=dict(clusters_survived=False))
    xml = junit_xml(frame_to_rows(new), compare(suite(), new))
    doc = junitparser.JUnitXml.fromstring(xml)
    suites = list(doc)
    assert len(suites) == 5 and sum(s.tests for s in suites) == 5
    assert sum(s.failures for s in suites) == 2 and sum(s.errors for s in suites) == 0
    written = {s.name: (s.tests, s.failures, s.errors, s.skipped) for s in suites}
    for s in suites:
        s.update_statistics()   # junitparser's own count from the cases agrees with ours
    assert written == {s.name: (s.tests, s.failures, s.errors, s.skipped) for s in suites}
    failed = {case.name: [r.message for r in case.result] for s in suites for case in s if case.result}
    assert set(failed) == {"qat", "pcqat"} and failed["qat"][0].startswith("flash_bytes regressed")
