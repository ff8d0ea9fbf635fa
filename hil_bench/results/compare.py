"""Regression check of a new run against a baseline: one verdict per (model, recipe, board, metric).

Rows are joined on (model, recipe, board). A side holding several rows for one key (a history file)
contributes its newest row by ``timestamp``. A baseline row with no counterpart in the new results
fails the comparison (a recipe that stopped running is a regression) unless ``missing_ok``; a new
row without a baseline is only listed. Latencies in different units (QEMU instructions vs FVP
cycles) are never compared: that verdict is "incomparable" and fails, so a runner switch is noticed;
so are accuracies measured on different numbers of test samples (``samples``: a ``--limit 10`` run
against a full one), which are neither regressions nor improvements.
"""

from __future__ import annotations

import json
import typing
from dataclasses import asdict, dataclass, replace

import pandas as pd

from hil_bench.errors import ResultsError
from hil_bench.results.frame import require_columns, value
from hil_bench.results.textable import format_table
from hil_bench.metrics import DEFAULT_METRIC, METRICS
from hil_bench.results.tolerances import DEFAULT_TOLERANCES, HIGHER, LOST, LOWER, SCORE_COLUMNS, Tolerance

KEY = ("model", "recipe", "board")

OK, IMPROVED, NOT_MEASURED = "ok", "improved", "not measured"
REGRESSED, LOST_STATUS, MISSING, INCOMPARABLE = "regressed", "lost", "missing", "incomparable"
FAILING = frozenset({REGRESSED, LOST_STATUS, MISSING, INCOMPARABLE})


@dataclass(frozen=True)
class Verdict:
    """One metric of one (model, recipe, board): the two values, the allowed slack and the outcome."""

    model: str
    recipe: str
    board: str
    metric: str
    baseline: float | bool | None
    new: float | bool | None
    allowed: float | None   # how far the bad direction may go (numbers only)
    status: str
    unit: str = ""
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.status not in FAILING

    @property
    def change(self) -> float | None:
        if isinstance(self.baseline, bool) or isinstance(self.new, bool) or None in (self.baseline, self.new):
            return None
        return self.new - self.baseline


@dataclass(frozen=True)
class Comparison:
    rows: tuple[Verdict, ...]
    missing_in_new: tuple[tuple[str, str, str], ...]
    missing_in_baseline: tuple[tuple[str, str, str], ...]
    missing_ok: bool = False

    @property
    def failures(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.rows if not v.ok)

    @property
    def ok(self) -> bool:
        # Nothing compared is never a pass: "OK: 0 checks" would hide a board or suite that did not run.
        return bool(self.rows) and not self.failures and (self.missing_ok or not self.missing_in_new)

    def summary(self) -> str:
        if not self.rows:
            return ("FAIL: nothing was compared: no model/recipe/board row of the new results matches a baseline "
                    f"row ({len(self.missing_in_new)} baseline row(s), {len(self.missing_in_baseline)} new row(s)); "
                    "check that the right files, boards and suite were given")
        improved = sum(v.status == IMPROVED for v in self.rows)
        if self.ok:
            text = f"OK: {len(self.rows)} checks within tolerance"
            text += f" ({improved} improved: consider updating the baseline)" if improved else ""
            return text + (f"; {len(self.missing_in_new)} baseline row(s) not in the new results"
                           if self.missing_in_new else "")
        parts = [f"{len(self.failures)} of {len(self.rows)} checks failed"] if self.failures else []
        if self.missing_in_new and not self.missing_ok:
            parts.append(f"{len(self.missing_in_new)} baseline row(s) missing in the new results")
        return "FAIL: " + "; ".join(parts)

    def to_table(self, failures_only: bool = False) -> str:
        """A plain-text table, one line per check, failing verdicts in capitals, then the summary."""
        header = ("model", "recipe", "board", "metric", "baseline", "new", "change", "allowed", "verdict")
        lines = []
        rows = self.failures if failures_only else self.rows
        if rows:
            body = [(v.model, v.recipe, v.board, v.metric + (f" [{v.unit}]" if v.unit else ""), _fmt(v.baseline),
                     _fmt(v.new), _fmt_change(v), _fmt_allowed(v),
                     (v.status.upper() if not v.ok else v.status) + (f": {v.note}" if v.note else ""))
                    for v in rows]
            lines.append(format_table(header, body, right=(4, 5, 6, 7)))
        for title, keys in (("in the baseline but missing in the new results", self.missing_in_new),
                            ("new, without a baseline (not checked)", self.missing_in_baseline)):
            if keys:
                lines.append(f"{len(keys)} row(s) {title}:")
                lines.extend("  " + "/".join(k) for k in keys)
        lines.append(self.summary())
        return "\n".join(lines)

    def to_json(self) -> dict:
        """A JSON-ready dict: ``ok``, ``summary``, ``checks`` (one per verdict), and the missing keys."""
        checks = [dict(asdict(v), ok=v.ok, change=v.change) for v in self.rows]
        return {"ok": self.ok, "summary": self.summary(), "checks": checks,
                "missing_in_new": [dict(zip(KEY, k)) for k in self.missing_in_new],
                "missing_in_baseline": [dict(zip(KEY, k)) for k in self.missing_in_baseline]}


def _fmt(x) -> str:
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "true" if x else "false"
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6g}"


def _fmt_change(v: Verdict) -> str:
    change = v.change
    if change is None:
        return ""
    if change == 0:
        return "0"
    text = ("+" if change > 0 else "-") + _fmt(abs(change))
    if v.baseline:
        pct = 100 * change / abs(v.baseline)
        text += f" ({pct:+.0f}%)" if abs(pct) >= 10 else f" ({pct:+.1f}%)" if abs(pct) >= 0.1 else f" ({pct:+.2g}%)"
    return text


def _fmt_allowed(v: Verdict) -> str:
    if v.allowed is None:
        return ""
    return ("+" if _worse_is_higher(v.metric, v.unit) else "-") + _fmt(v.allowed)


def _worse_is_higher(metric: str, unit: str = "") -> bool:
    if metric in SCORE_COLUMNS:   # unit: the row's metric when it is not accuracy (e.g. "mse")
        return not METRICS[unit or DEFAULT_METRIC].higher_is_better
    t = DEFAULT_TOLERANCES.get(metric)
    return t is None or t.worse == HIGHER


def _latest_by_key(frame: pd.DataFrame) -> dict[tuple[str, str, str], dict]:
    """key -> newest row (by timestamp when there is one, else the last in order)."""
    records = frame.to_dict("records")
    if "timestamp" in frame.columns:
        try:
            stamps = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
        except (ValueError, TypeError) as exc:
            raise ResultsError(f"a timestamp is not ISO 8601 ({exc}); results written by hil-bench always are") \
                from None
        order = sorted(range(len(records)), key=lambda i: stamps.iloc[i])
    else:
        order = range(len(records))
    latest = {}
    for i in order:
        latest[tuple(str(records[i][k]) for k in KEY)] = records[i]
    return latest


def _score_metric(row: dict) -> str:
    """Which metric a row's accuracy_host/device hold (files from before the column: accuracy)."""
    return value(row.get("metric")) or DEFAULT_METRIC


# What a toolchain shapes: sizes come from the compiler and linker, latency also from the simulator.
_BUILD_TOOLS = ("arm-none-eabi-gcc", "arm-none-eabi-ld")
TOOLCHAIN_SHAPED = {"flash_bytes": _BUILD_TOOLS, "ram_bytes": _BUILD_TOOLS,
                    "latency": (*_BUILD_TOOLS, "qemu-system-arm", "pyocd")}


def _versions(row: dict) -> dict:
    try:
        versions = json.loads(value(row.get("tool_versions")) or "{}")
    except ValueError:
        return {}
    return versions if isinstance(versions, dict) else {}


def toolchain_change(base: dict, new: dict, tools: typing.Iterable[str]) -> str:
    """"gcc A -> B" for each tool both rows name with different versions ("" when none changed).

    Rows from before a tool was recorded say nothing about it, so they never count as a change.
    """
    bv, nv = _versions(base), _versions(new)
    return "; ".join(f"{t}: {bv[t]} -> {nv[t]}" for t in tools
                     if bv.get(t) is not None and nv.get(t) is not None and bv[t] != nv[t])


def _judge(tol: Tolerance, key, base: dict, new: dict) -> Verdict | None:
    b, n = value(base.get(tol.metric)), value(new.get(tol.metric))
    unit = ""
    changed = toolchain_change(base, new, TOOLCHAIN_SHAPED.get(tol.metric, ()))
    if changed and b is not None and n is not None:
        # Neither a regression nor an improvement: the numbers come from different tools.
        unit = (value(new.get(tol.unit_column)) or "") if tol.unit_column else ""
        return Verdict(*key, tol.metric, b, n, None, INCOMPARABLE, unit, f"toolchain changed ({changed}); if "
                       "intended, refresh the baseline with `hil-bench baseline update`")
    if tol.metric in SCORE_COLUMNS:
        # accuracy_host/device hold the row's own metric: for mse lower is better, so worse is higher.
        bm, nm = _score_metric(base), _score_metric(new)
        unit = "" if nm == DEFAULT_METRIC else nm
        if bm != nm:
            return Verdict(*key, tol.metric, b, n, None, INCOMPARABLE, unit,
                           f"metrics differ ({bm} vs {nm}): the model's task changed")
        bs, ns = value(base.get("samples")), value(new.get("samples"))
        if bs is not None and ns is not None and bs != ns and b is not None and n is not None:
            return Verdict(*key, tol.metric, b, n, None, INCOMPARABLE, unit,
                           f"measured on {bs} vs {ns} test samples: compare runs on the same samples "
                           "(the same --limit)")
        if nm not in METRICS:
            raise ResultsError(f"{'/'.join(key)}: unknown metric {nm!r}; known: {', '.join(METRICS)}")
        tol = replace(tol, worse=LOWER if METRICS[nm].higher_is_better else HIGHER)
    if tol.unit_column:
        bu, nu = value(base.get(tol.unit_column)) or "", value(new.get(tol.unit_column)) or ""
        unit = nu or bu
        if b is not None and n is not None and bu != nu:
            return Verdict(*key, tol.metric, b, n, None, INCOMPARABLE, unit,
                           f"units differ ({bu} vs {nu}): compare runs of the same runner")
    if tol.worse == LOST:
        b, n = (None if b is None else bool(b)), (None if n is None else bool(n))
        if b is True and n is not True:
            return Verdict(*key, tol.metric, b, n, None, LOST_STATUS if n is False else MISSING)
        status = IMPROVED if (b is False and n is True) else (NOT_MEASURED if b is None else OK)
        return Verdict(*key, tol.metric, b, n, None, status)
    if b is None:
        return Verdict(*key, tol.metric, b, n, None, NOT_MEASURED, unit)
    allowed = tol.allowed(b)
    if n is None:
        return Verdict(*key, tol.metric, b, n, allowed, MISSING, unit, "measured in the baseline, not now")
    bad = (n - b) if tol.worse == HIGHER else (b - n)
    slack = 1e-9 * max(1.0, abs(b))  # float noise in e.g. 0.90 - 0.89 must not fail an exact 0.01 tolerance
    status = REGRESSED if bad > allowed + slack else (IMPROVED if bad < -slack else OK)
    return Verdict(*key, tol.metric, b, n, allowed, status, unit)


def compare(baseline: pd.DataFrame, new: pd.DataFrame, tolerances: typing.Mapping[str, Tolerance] | None = None,
            *, missing_ok: bool = False) -> Comparison:
    """Check ``new`` against ``baseline`` (DataFrames as :func:`~hil_bench.results.read_results` gives).

    ``tolerances`` defaults to :data:`~hil_bench.results.tolerances.DEFAULT_TOLERANCES`; metrics with
    ``check = false`` are skipped. ``missing_ok`` lets baseline rows absent from ``new`` pass (e.g. when
    only some boards ran); they are still listed.
    """
    tolerances = dict(DEFAULT_TOLERANCES if tolerances is None else tolerances)
    checked = [t for t in tolerances.values() if t.check]
    needed = list(KEY) + sorted({t.metric for t in checked} | {t.unit_column for t in checked if t.unit_column})
    require_columns(baseline, needed, "the baseline")
    require_columns(new, needed, "the new results")
    base_rows, new_rows = _latest_by_key(baseline), _latest_by_key(new)
    verdicts = []
    for key in sorted(base_rows.keys() & new_rows.keys()):
        for tol in checked:
            verdicts.append(_judge(tol, key, base_rows[key], new_rows[key]))
    return Comparison(rows=tuple(verdicts),
                      missing_in_new=tuple(sorted(base_rows.keys() - new_rows.keys())),
                      missing_in_baseline=tuple(sorted(new_rows.keys() - base_rows.keys())),
                      missing_ok=missing_ok)

