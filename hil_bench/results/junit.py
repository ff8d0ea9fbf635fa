"""Benchmark results as JUnit XML, so CI systems (Jenkins, GitLab, GitHub) show regressions natively.

Pure: rows and a :class:`~hil_bench.results.compare.Comparison` in, an XML string out; the CLI writes
it. The layout is the common one (Ant / Jenkins ``junit-10``): ``testsuites`` holding one
``testsuite`` per (model, recipe, board), each with its numbers as ``properties`` (the schema has no
properties on a test case) and one ``testcase``: classname ``hil-bench.<board>.<model>``, name the
recipe, ``time`` the wall time of the run when known, else 0.

A test case fails only where hil-bench itself says so: one ``failure`` per failing verdict of the
comparison (type regressed, lost, missing or incomparable; the message names the metric, baseline,
new value and the allowed change), and one for a run that failed on its own terms (e.g. device
outputs that differ from TFLite Micro's). A row without a baseline row is ``skipped`` (not checked).
The suites' ``failures`` counts ``failure`` elements, as junitparser does.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree import ElementTree as ET

from hil_bench.results.compare import Comparison, Verdict, _fmt, _fmt_allowed, _fmt_change
from hil_bench.results.frame import encode_cell
from hil_bench.results.row import ResultRow

Key = typing.Tuple[str, str, str]   # (model, recipe, board), as compare joins rows

PROPERTIES = ("latency", "latency_unit", "latency_spread", "accuracy_host", "accuracy_device", "metric",
              "flash_bytes", "ram_bytes", "model_bytes", "model_bytes_raw", "sparsity_survived",
              "clusters_survived", "runner", "timing_source", "kernels", "git_revision", "run_id")
"""Row columns copied into each suite's properties (an unmeasured one is left out)."""


@dataclass
class Case:
    """One test case before rendering: at most one of ``skipped`` / ``error``, any number of failures."""

    classname: str
    name: str
    seconds: float = 0.0
    properties: dict[str, str] = field(default_factory=dict)
    failures: list[tuple[str, str, str]] = field(default_factory=list)   # (type, message, text)
    skipped: str | None = None
    error: tuple[str, str] | None = None   # (type, message)
    timestamp: str | None = None


def classname(board: str, model: str) -> str:
    return f"hil-bench.{board}.{model}"


def junit_xml(rows: typing.Iterable[ResultRow], comparison: Comparison | None = None, *,
              run_failures: typing.Mapping[Key, str] | None = None,
              seconds: typing.Mapping[Key, float] | None = None) -> str:
    """The JUnit XML of a run: one case per row (the newest per key), checked against ``comparison``.

    ``run_failures`` maps a key to why that run failed on its own (a failure of type ``run``);
    ``seconds`` maps a key to its wall time. Without ``comparison`` nothing is skipped: a case fails
    only through ``run_failures``.
    """
    run_failures, seconds = dict(run_failures or {}), dict(seconds or {})
    cases: dict[Key, Case] = {}
    for row in latest_rows(rows):
        key = (row.model, row.recipe, row.board)
        case = Case(classname(row.board, row.model), row.recipe, max(0.0, float(seconds.get(key, 0.0))),
                    _properties(row), timestamp=row.timestamp)
        if key in run_failures:
            case.failures.append(("run", run_failures[key], ""))
        cases[key] = case
    if comparison is not None:
        _add_verdicts(cases, comparison)
    return render(list(cases.values()))


def error_xml(command: str, message: str) -> str:
    """The JUnit XML of a run that stopped with an error before its rows were complete: one errored case,
    so CI shows the error instead of an old file's green."""
    return render([Case(f"hil-bench.{command}", "run", error=("error", message))])


def latest_rows(rows: typing.Iterable[ResultRow]) -> list[ResultRow]:
    """The newest row per (model, recipe, board) by timestamp, in first-seen key order (a history file
    holds many rows per key; compare judges the newest)."""
    latest: dict[Key, ResultRow] = {}
    for row in rows:
        key = (row.model, row.recipe, row.board)
        if key not in latest or _when(row) >= _when(latest[key]):
            latest[key] = row
    return list(latest.values())


def _when(row: ResultRow) -> datetime:
    return datetime.fromisoformat(row.timestamp)


def _properties(row: ResultRow) -> dict[str, str]:
    values = {name: getattr(row, name) for name in PROPERTIES}
    return {name: encode_cell(v) for name, v in values.items() if v is not None and v != ""}


def _add_verdicts(cases: dict[Key, Case], comparison: Comparison) -> None:
    for verdict in comparison.rows:
        if not verdict.ok:
            key = (verdict.model, verdict.recipe, verdict.board)
            cases[key].failures.append((verdict.status, failure_message(verdict), _HINTS.get(verdict.status, "")))
    for key in comparison.missing_in_baseline:
        if key in cases:
            cases[key].skipped = f"no baseline row for {'/'.join(key)}: not checked"
    for key in comparison.missing_in_new:
        model, recipe, board = key
        case = cases.setdefault(key, Case(classname(board, model), recipe))
        if comparison.missing_ok:
            case.skipped = f"{'/'.join(key)} is in the baseline but was not run now (missing rows allowed)"
        else:
            case.failures.append(("missing", f"{'/'.join(key)} is in the baseline but missing in the new results",
                                  "the recipe or board did not run; pass --missing-ok if that is intended"))
    if not comparison.rows:   # "nothing compared" fails the comparison: the XML must say so too
        cases[("", "", "")] = Case("hil-bench.compare", "baseline", failures=[("nothing-compared",
                                                                               comparison.summary(), "")])


_HINTS = {
    "regressed": "past the tolerance; if the change is deliberate, update the baseline",
    "lost": "the structure the recipe trained no longer survives into the binary in flash",
    "incomparable": "the two rows were measured differently; compare runs of the same runner and metric",
}


def failure_message(v: Verdict) -> str:
    """``<metric> <status>: baseline B, new N, change C, allowed A[; note]``, latencies with their unit."""
    unit = f" {v.unit}" if v.unit and v.metric == "latency" else ""
    text = f"{v.metric} {v.status}: baseline {_fmt(v.baseline)}{unit}, new {_fmt(v.new)}{unit}"
    change = _fmt_change(v)
    text += f", change {change}" if change else ""
    text += f", allowed {_fmt_allowed(v)}{unit}" if v.allowed is not None else ""
    return text + (f"; {v.note}" if v.note else "")


# --- rendering ---------------------------------------------------------------------------------------

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")   # outside XML 1.0's Char


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", str(text))


def _counts(cases: list[Case]) -> dict[str, str]:
    return {"tests": str(len(cases)), "failures": str(sum(len(c.failures) for c in cases)),
            "errors": str(sum(c.error is not None for c in cases)),
            "skipped": str(sum(c.skipped is not None for c in cases)),
            "time": f"{sum(c.seconds for c in cases):.3f}"}


def render(cases: list[Case]) -> str:
    """``cases`` as a UTF-8 JUnit XML document (declaration included), one suite per case."""
    root = ET.Element("testsuites", {"name": "hil-bench", **{k: v for k, v in _counts(cases).items()
                                                             if k != "skipped"}})   # junit-10: no skipped here
    for case in cases:
        suite = ET.SubElement(root, "testsuite", {"name": f"{case.classname}.{case.name}", **_counts([case])})
        if case.timestamp:
            suite.set("timestamp", case.timestamp)
        if case.properties:
            props = ET.SubElement(suite, "properties")
            for name, value in case.properties.items():
                ET.SubElement(props, "property", {"name": name, "value": _clean(value)})
        element = ET.SubElement(suite, "testcase", {"classname": _clean(case.classname), "name": _clean(case.name),
                                                    "time": f"{case.seconds:.3f}"})
        if case.skipped is not None:
            ET.SubElement(element, "skipped", {"message": _clean(case.skipped)})
        if case.error is not None:
            ET.SubElement(element, "error", {"type": case.error[0], "message": _clean(case.error[1])}).text = \
                _clean(case.error[1])
        for kind, message, text in case.failures:
            ET.SubElement(element, "failure", {"type": kind, "message": _clean(message)}).text = \
                _clean("\n".join(t for t in (message, text) if t))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


__all__ = ["PROPERTIES", "Case", "error_xml", "failure_message", "junit_xml", "latest_rows", "render"]
