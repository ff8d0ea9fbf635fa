"""The HTML report: one self-contained page a firmware engineer opens after a bench, a sweep or a nightly.

Plots are inline PNG data URIs (the very bytes of the report's ``.png`` files), the style is inline;
the page has no script and loads nothing, so it opens offline, from a CI artifact or a mail. Every
string taken from results goes through :func:`html.escape`.

Sections: a synthetic-data warning, the baseline verdict, the results table (the Markdown report's
columns; regressions and lost structure highlighted), per board accuracy vs flash and vs latency
with the Pareto front and the board's budget, per-layer latency, history with the runs that got
worse, and provenance (tools, compiler flags, kernels, runner, git revision).
"""

from __future__ import annotations

import base64
import html
import json
import typing
from dataclasses import dataclass

import pandas as pd

from hil_bench.results.compare import IMPROVED, Comparison, Verdict
from hil_bench.results.frame import value
from hil_bench.results.plots import accuracy_figure, accuracy_points, pareto_front, png_bytes
from hil_bench.results.report import SYNTHETIC_FLAG, SYNTHETIC_WHY, TABLE_METRICS, synthetic_rows, table_cells

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; max-width: 1400px; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: right; }
th { background: #f0f0f0; }
td.text { text-align: left; }
.bad { background: #fbd0d0; font-weight: bold; }
.good { background: #d3f2d3; }
.lost { background: #fde3c4; }
tr.synthetic td { color: #8a5a00; }
.warning { border: 2px solid #c00; background: #fff0f0; padding: 0.6em 1em; margin: 1em 0; }
.ok { border: 2px solid #2a2; background: #f0fff0; padding: 0.6em 1em; margin: 1em 0; }
figure { margin: 0.5em 0 1.5em; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.85em; color: #555; }
pre { background: #f6f6f6; padding: 0.5em; overflow-x: auto; font-size: 0.8em; }
"""

_e = html.escape


@dataclass(frozen=True)
class Budget:
    """What a board offers an image: flash-like regions holding code and model, RAM regions holding data and arena."""

    flash_bytes: int
    ram_bytes: int
    flash_regions: tuple[str, ...]
    ram_regions: tuple[str, ...]

    def fits(self, flash: int | None, ram: int | None) -> bool | None:
        if flash is None and ram is None:
            return None
        return (flash is None or flash <= self.flash_bytes) and (ram is None or ram <= self.ram_bytes)


def board_budget(board) -> Budget | None:
    """The budget of ``board`` (a :class:`hil_bench.boards.Board` the caller passes in: results never
    loads board files); None when not given or it has no memory map (the host board)."""
    if board is None or board.placement is None:
        return None
    p = board.placement

    def total(names):
        regions = [board.region(n) for n in dict.fromkeys(names)]
        return sum(r.size for r in regions), tuple(r.name for r in regions)

    flash, flash_regions = total((p.code, p.model))
    ram, ram_regions = total((p.data, p.arena))
    return Budget(flash, ram, flash_regions, ram_regions)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _figure(caption: str, png: bytes, note: str = "") -> str:
    return (f'<figure class="plot"><img src="{_data_uri(png)}" alt="{_e(caption)}">'
            f"<figcaption>{_e(caption)}{_e(note) if note else ''}</figcaption></figure>")


def _table(header: typing.Sequence[str], rows: typing.Iterable[typing.Sequence[str]], attrs: str = "") -> str:
    """Plain text cells, escaped."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f'<td class="text">{_e(str(c))}</td>' for c in row) + "</tr>" for row in rows)
    return f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _plain(x) -> str:
    if x is None:
        return "–"
    if isinstance(x, bool):
        return "yes" if x else "no"
    return f"{x:,.6g}"


def _verdict_text(v: Verdict, against: str) -> str:
    text = f"{v.status} against {against}: {_plain(v.baseline)} → {_plain(v.new)}"
    return text + (f" ({v.note})" if v.note else "")


def _results_table(frame: pd.DataFrame, comparison: Comparison | None) -> str:
    header, rows = table_cells(frame)
    verdicts = {(v.model, v.recipe, v.board, v.metric): v for v in comparison.rows} if comparison else {}
    lines = []
    for record, cells in rows:
        tds = []
        for column, cell in zip(header, cells):
            classes, tip = [], ""
            metric = TABLE_METRICS.get(column)
            v = verdicts.get((record["model"], record["recipe"], record["board"], metric)) if metric else None
            if v is not None and not v.ok:
                classes.append("bad")
                tip = _verdict_text(v, "the baseline")
            elif v is not None and v.status == IMPROVED:
                classes.append("good")
                tip = _verdict_text(v, "the baseline")
            elif metric in ("sparsity_survived", "clusters_survived") and record[metric] is False:
                classes.append("lost")
                tip = "the structure trained into the model did not survive into the binary"
            if metric is None:
                classes.append("text")
            attrs = (f' class="{" ".join(classes)}"' if classes else "") + (f' title="{_e(tip)}"' if tip else "")
            tds.append(f"<td{attrs}>{_e(cell)}</td>")
        row_class = ' class="synthetic"' if record["dataset_synthetic"] else ""
        lines.append(f"<tr{row_class}>{''.join(tds)}</tr>")
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    return f'<table id="results"><thead><tr>{head}</tr></thead><tbody>{"".join(lines)}</tbody></table>'


def _comparison(comparison: Comparison | None) -> str:
    if comparison is None:
        return "<p>No baseline comparison in this report (give <code>--baseline</code> to highlight regressions).</p>"
    css = "ok" if comparison.ok else "warning"
    parts = [f'<div class="{css}" id="baseline"><b>Baseline: {_e(comparison.summary())}</b></div>']
    if comparison.failures or comparison.missing_in_new:
        parts.append(f"<pre>{_e(comparison.to_table(failures_only=True))}</pre>")
    return "".join(parts)


def _pareto(frame: pd.DataFrame, boards: typing.Mapping[str, typing.Any]) -> str:
    """Per board: accuracy vs flash (with the flash budget) and vs latency (per latency unit), front marked."""
    parts = ["<p>Dashed: the Pareto front of each model (no other point is both cheaper and more accurate). "
             "Dotted red line: the board's flash budget (named in the legend instead when it is far off scale). "
             "Red ×: the row does not fit the board (flash or RAM over the board file's budget). "
             "Hollow: host accuracy (no device run).</p>"]
    for board, group in frame.groupby("board", sort=False):
        budget = board_budget(boards.get(str(board)))
        group = group.assign(fits=[budget.fits(value(f), value(r)) if budget else None
                                   for f, r in zip(group["flash_bytes"], group["ram_bytes"])])
        parts.append(f"<h3>{_e(str(board))}</h3>")
        if budget:
            parts.append(f"<p>Budget from the board file: flash {budget.flash_bytes:,} B "
                         f"({_e(' + '.join(budget.flash_regions))}), RAM {budget.ram_bytes:,} B "
                         f"({_e(' + '.join(budget.ram_regions))}).</p>")
        else:
            parts.append("<p>No flash/RAM budget: no board file was given for it, or it describes no memory.</p>")
        drawn = False
        for x, by in (("flash_bytes", [None]), ("latency", sorted(group["latency_unit"].dropna().unique()))):
            for unit in by:
                rows = group if unit is None else group[group["latency_unit"] == unit]
                points = accuracy_points(rows, x)
                if not points:
                    continue
                name = "flash" if x == "flash_bytes" else f"latency [{unit}]"
                line = budget.flash_bytes if budget and x == "flash_bytes" else None
                fig = accuracy_figure(rows, x, title=f"{board}: accuracy vs {x.split('_')[0]}", pareto=True,
                                      budget=line, budget_label=f"flash budget {line / 1024:,.0f} KiB" if line else "")
                parts.append(_figure(f"{board}: accuracy vs {name}", png_bytes(fig), _fronts(points)))
                drawn = True
        if not drawn:
            parts.append("<p>No row of this board has an accuracy with a flash size or a latency to plot.</p>")
    return "".join(parts)


def _fronts(points) -> str:
    """The caption's list of each model's Pareto front, cheapest first."""
    models = dict.fromkeys(p.record["model"] for p in points)
    fronts = [f"{m}: " + ", ".join(p.record["recipe"] for p in pareto_front([p for p in points
                                                                          if p.record["model"] == m]))
              for m in models]
    return " — Pareto front " + "; ".join(fronts)


def _layers(layer_latency, unit: str, layer_latencies, frame: pd.DataFrame, plot) -> str:
    parts = [_figure(*plot)] if plot else []
    tables: dict[str, dict[str, tuple[str, typing.Mapping[str, float]]]] = {}   # board -> column -> (unit, layers)
    if layer_latencies:
        units = {(r["board"], r["recipe"]): r["latency_unit"] for r in frame.to_dict("records")}
        for (board, recipe), layers in layer_latencies.items():
            if layers:
                tables.setdefault(board, {})[recipe] = (units.get((board, recipe), ""), layers)
    elif layer_latency:
        tables[""] = {"latency": (unit, layer_latency)}
    for board, columns in tables.items():
        names = list(dict.fromkeys(name for _, layers in columns.values() for name in layers))
        totals = {c: sum(float(v) for v in layers.values()) for c, (_, layers) in columns.items()}

        def cell(column, name):
            layers = columns[column][1]
            if name not in layers:
                return "–"
            v, total = float(layers[name]), totals[column]
            return f"{v:,.0f} ({100 * v / total:.0f} %)" if total else f"{v:,.0f}"

        header = ["layer", *(f"{c} [{u}]" if u else c for c, (u, _) in columns.items())]
        if board:
            parts.append(f"<h3>{_e(board)}</h3>")
        parts.append(_table(header, [[n, *(cell(c, n) for c in columns)] for n in names], ' class="layers"'))
    return "".join(parts) or "<p>No per-layer latencies in this report (the runs reported no layers).</p>"


def _history(regressions: typing.Sequence[tuple[str, Verdict]], plot) -> str:
    if not plot:
        return "<p>No history in this report (nightly runs append to <code>results/history.csv</code>).</p>"
    parts = [_figure(*plot)]
    if not regressions:
        parts.append('<div class="ok">No run got worse than the runs before it (default tolerances).</div>')
        return "".join(parts)
    parts.append(f'<div class="warning">{len(regressions)} metric(s) got worse than in the run before '
                 "(ringed in red in the plot; default tolerances):</div>")
    rows = [[run, v.model, v.recipe, v.board, v.metric + (f" [{v.unit}]" if v.unit else ""), _plain(v.baseline),
             _plain(v.new), v.status + (f": {v.note}" if v.note else "")] for run, v in regressions]
    parts.append(_table(["run", "model", "recipe", "board", "metric", "before", "now", "verdict"], rows,
                        ' class="regressions"'))
    return "".join(parts)


def _listed(frame: pd.DataFrame, column: str) -> str:
    return ", ".join(str(x) for x in dict.fromkeys(frame[column].dropna()) if str(x)) or "–"


def _provenance(frame: pd.DataFrame) -> str:
    per_board = []
    for board, group in frame.groupby("board", sort=False):
        per_board.append([board, _listed(group, "runner"), _listed(group, "timing_source"),
                          _listed(group, "latency_unit"), _listed(group, "kernels"), _listed(group, "compiler_flags")])
    parts = [_table(["board", "runner", "timing source", "latency unit", "kernels", "compiler flags"], per_board,
                    ' class="provenance"')]
    tools: dict[str, dict[str, None]] = {}
    for text in frame["tool_versions"].dropna():
        try:
            versions = json.loads(text)
        except ValueError:
            continue
        for tool, version in (versions.items() if isinstance(versions, dict) else ()):
            if version:
                tools.setdefault(str(tool), {})[str(version)] = None
    if tools:
        parts.append(_table(["tool", "version"], [[t, " | ".join(v)] for t, v in sorted(tools.items())]))
        differing = [t for t, v in tools.items() if len(v) > 1]
        if differing:
            parts.append(f'<div class="warning">Rows were built with different versions of '
                         f"{_e(', '.join(sorted(differing)))}: their numbers may not be comparable.</div>")
    revisions = _listed(frame, "git_revision")
    parts.append(f"<p>git revision: <code>{_e(revisions)}</code>"
                 + (" (<b>built with uncommitted changes</b>)" if "-dirty" in revisions else "")
                 + f"<br>run: {_e(_listed(frame, 'run_id'))}, {_e(str(frame['timestamp'].min()))} … "
                 f"{_e(str(frame['timestamp'].max()))}</p>")
    return "".join(parts)


def html_report(frame: pd.DataFrame, *, title: str = "hil-bench results",
                plots: typing.Mapping[str, tuple[str, bytes]] | None = None, comparison: Comparison | None = None,
                layer_latency: typing.Mapping[str, float] | None = None, layer_latency_unit: str = "",
                layer_latencies: typing.Mapping[tuple[str, str], typing.Mapping[str, float]] | None = None,
                regressions: typing.Sequence[tuple[str, Verdict]] = (),
                boards: typing.Mapping[str, typing.Any] | None = None) -> str:
    """The page as text. ``plots``: the Markdown report's PNGs by file name -> (caption, PNG bytes);
    ``layer_latency.png`` and ``history.png`` are placed in their sections, the per-board plots drawn here.
    ``boards``: board name -> its Board, for the flash/RAM budgets (boards not given are drawn without)."""
    plots = dict(plots or {})
    which = synthetic_rows(frame)
    body = [f"<h1>{_e(title)}</h1>"]
    if which:
        body.append(f'<div class="warning" id="synthetic"><b>{_e(SYNTHETIC_FLAG)}</b> ({_e(which)}, marked ⚠): '
                    f"{_e(SYNTHETIC_WHY)}</div>")
    body += ["<h2>Results</h2>", _comparison(comparison), _results_table(frame, comparison),
             "<h2>Accuracy vs flash and latency, per board</h2>", _pareto(frame, boards or {}),
             "<h2>Latency per layer</h2>",
             _layers(layer_latency, layer_latency_unit, layer_latencies, frame, plots.get("layer_latency.png")),
             "<h2>History</h2>", _history(regressions, plots.get("history.png")),
             "<h2>Provenance</h2>", _provenance(frame)]
    head = f'<head><meta charset="utf-8"><title>{_e(title)}</title><style>{STYLE}</style></head>'
    return f'<!DOCTYPE html>\n<html lang="en">{head}\n<body>\n' + "\n".join(body) + "\n</body></html>\n"

