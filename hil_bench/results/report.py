"""A Markdown report of benchmark results, with its PNG plots, for a firmware engineer deciding what fits
(and, beside it, the same as one self-contained HTML page: :mod:`hil_bench.results.html`).

One table, one line per (model, board, recipe): accuracy on host and device, latency with its unit
and timing source, flash and RAM (with the model's arena, the harness's buffers and the stack on their
own), model bytes raw and compressed and how they were stored, sparsity and max unique values
per channel as trained and as found in the binary, and whether they survived (✓/✗, – when not
checked). Rows measured on synthetic data are flagged loudly: their accuracy says nothing.
"""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pandas as pd

from hil_bench.errors import ResultsError
from hil_bench.results.frame import require_columns, value
from hil_bench.results.compare import KEY, Comparison, Verdict, compare
from hil_bench.results.plots import (SYNTHETIC_NOTE, accuracy_figure, history_figure, layer_latency_figure, png_bytes,
                                     write_png)
from hil_bench.results.tolerances import Tolerance
from hil_bench.metrics import DEFAULT_METRIC, METRICS
from hil_bench.results.row import COLUMNS
from hil_bench.paths import atomic_write

SYNTHETIC_FLAG = "⚠ synthetic data — accuracy is meaningless"
SYNTHETIC_WHY = ("the test set was generated, not real data, so the accuracy columns only show that the pipeline "
                 "runs, not how good the model is.")


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def _score(x, metric) -> str:
    """accuracy_host/device in the row's own metric: accuracy in percent, an error as a number."""
    metric = metric or DEFAULT_METRIC
    if x is None or METRICS[metric].fraction:
        return _pct(x)
    return f"{metric} {x:.4g}"


def _bytes(x) -> str:
    return "–" if x is None else f"{x:,}"


def _mark(flag) -> str:
    return "–" if flag is None else ("✓" if flag else "✗")


def _pair(trained, binary, fmt) -> str:
    return f"{fmt(trained)} → {fmt(binary)}"


def _latency(record: dict) -> str:
    latency, spread = value(record["latency"]), value(record["latency_spread"])
    if latency is None:
        return "–"
    text = f"{latency:,.0f} {record['latency_unit']}"
    return text + (f" ±{spread:,.0f}" if spread else "")


def _model_ram(v: dict) -> str:
    """The arena the model used, with the weights decoded into it at init named when there are any."""
    arena, decoded = v.get("arena_used_bytes"), v.get("decoded_weight_bytes")
    text = _bytes(arena)
    return text + (f" (decoded weights {decoded:,})" if arena is not None and decoded else "")


def _stored(v: dict) -> str:
    """How the weights were stored and decoded ("–" for rows written before it was recorded)."""
    if not v.get("compress"):
        return "–"
    return f"{v['compress']}, decoded {v['decode'] or '?'}" + (", names stripped" if v.get("names_stripped") else "")


TABLE_METRICS = {"accuracy host": "accuracy_host", "accuracy device": "accuracy_device", "latency": "latency",
                 "flash [B]": "flash_bytes", "RAM [B]": "ram_bytes", "model raw → compressed [B]": "model_bytes",
                 "sparsity survived": "sparsity_survived", "clusters survived": "clusters_survived"}
"""Table column -> the row column a baseline comparison judges there (what a report highlights)."""


def table_cells(frame: pd.DataFrame) -> tuple[list[str], list[tuple[dict, list[str]]]]:
    """The results table as text cells: the header, and per row (its plain values, its cells).
    Model and board columns appear only when the frame holds more than one."""
    require_columns(frame, COLUMNS, "report input")
    lead = [c for c in ("model", "board") if frame[c].nunique() > 1]
    header = [*lead, "recipe", "accuracy host", "accuracy device", "latency", "timing source", "flash [B]",
              "RAM [B]", "model RAM [B]", "harness RAM [B]", "stack [B]", "model raw → compressed [B]",
              "weights stored", "sparsity trained → binary",
              "max unique/channel trained → binary", "sparsity survived", "clusters survived"]
    rows = []
    for record in frame.to_dict("records"):
        v = {k: value(x) for k, x in record.items()}
        score = lambda x: _score(x, v.get("metric")) + (" ⚠" if x is not None and v["dataset_synthetic"] else "")  # noqa: E731
        cells = [*(v[c] for c in lead), v["recipe"], score(v["accuracy_host"]), score(v["accuracy_device"]), _latency(v), f"{v['timing_source']} ({v['runner']})",
                 _bytes(v["flash_bytes"]), _bytes(v["ram_bytes"]), _model_ram(v), _bytes(v.get("harness_ram_bytes")),
                 _bytes(v.get("stack_used_bytes")), _pair(v["model_bytes_raw"], v["model_bytes"], _bytes),
                 _stored(v),
                 _pair(v["sparsity_trained"], v["sparsity_binary"], _pct),
                 _pair(v["max_unique_trained"], v["max_unique_binary"], lambda x: "–" if x is None else str(x)),
                 _mark(v["sparsity_survived"]), _mark(v["clusters_survived"])]
        rows.append((v, [str(c) for c in cells]))
    return header, rows


def markdown_table(frame: pd.DataFrame) -> str:
    """The results table; model and board columns appear only when the frame holds more than one."""
    header, rows = table_cells(frame)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in cells) + " |" for _, cells in rows]
    return "\n".join(lines)


def _provenance(frame: pd.DataFrame) -> list[str]:
    def listed(column):
        return ", ".join(str(x) for x in dict.fromkeys(frame[column].dropna()))

    lines = [f"- boards: {listed('board')} (runners: {listed('runner')})",
             f"- git revision: {listed('git_revision')}",
             f"- run: {listed('run_id')}, " + " … ".join(dict.fromkeys((frame["timestamp"].min(),
                                                                        frame["timestamp"].max())))]
    try:
        versions = json.loads(frame["tool_versions"].iloc[0])
        lines.append("- tools: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items()) if v))
    except (ValueError, AttributeError):
        pass
    return lines


def synthetic_rows(frame: pd.DataFrame) -> str:
    """Which rows were measured on synthetic data ("all rows", "recipes m/r, ..."), or "" when none."""
    synthetic = frame[frame["dataset_synthetic"].fillna(False).astype(bool)]
    if synthetic.empty:
        return ""
    return "all rows" if len(synthetic) == len(frame) else \
        "recipes " + ", ".join(f"{r.model}/{r.recipe}" for r in synthetic.itertuples())


def markdown_report(frame: pd.DataFrame, images: typing.Sequence[tuple[str, Path]] = (),
                    title: str = "hil-bench results", base: Path | None = None) -> str:
    """The whole report text; ``images`` are (caption, path) embedded relative to ``base``."""
    if frame.empty:
        raise ResultsError("no result rows to report; run `hil-bench bench` first")
    require_columns(frame, COLUMNS, "report input")
    parts = [f"# {title}", ""]
    which = synthetic_rows(frame)
    if which:
        parts += [f"> **{SYNTHETIC_FLAG}** ({which}, marked ⚠): {SYNTHETIC_WHY}", ""]
    parts += _provenance(frame) + ["", markdown_table(frame), ""]
    for caption, path in images:
        rel = Path(path).relative_to(base) if base else Path(path)
        parts += [f"## {caption}", "", f"![{caption}]({rel.as_posix()})", ""]
    return "\n".join(parts)


def history_regressions(history: pd.DataFrame | None,
                        tolerances: typing.Mapping[str, Tolerance] | None = None) -> list[tuple[str, Verdict]]:
    """(run_id, failing verdict) for every run of ``history`` judged against the runs before it: each
    model/recipe/board against its newest earlier row, with ``compare``'s tolerances (default: its own)."""
    if history is None or history.empty:
        return []
    stamps = pd.to_datetime(history["timestamp"], utc=True, format="ISO8601")
    frame = history.assign(_when=stamps).sort_values("_when", kind="stable")
    runs = frame.groupby("run_id", sort=False)["_when"].min().sort_values(kind="stable").index
    found, latest = [], None   # latest: each key's newest row of the runs so far (keeps this linear)
    for run in runs:
        now = frame[frame["run_id"] == run].drop(columns="_when")
        if latest is not None:
            found += [(run, v) for v in compare(latest, now, tolerances, missing_ok=True).failures]
        latest = now if latest is None else pd.concat([latest, now]).drop_duplicates(list(KEY), keep="last")
    return found


def layer_latencies_by_layer(layers: typing.Sequence[typing.Mapping]) -> dict[str, float]:
    """``{layer: latency}`` from a run's per-operator list (``index``, ``op``, ``latency``), keyed by the
    operator's index among the model's own operators: the DECODE operators compression inserts are
    left out of the count (so ``3:CONV_2D`` is the same layer in a raw and a compressed recipe) and
    summed into one ``DECODE (n ops)`` row, so no time is dropped."""
    out: dict[str, float] = {}
    decode_total, decodes, k = 0.0, 0, 0
    for layer in layers:
        if "DECODE" in str(layer["op"]).upper():
            decode_total += float(layer["latency"])
            decodes += 1
            continue
        out[f"{k}:{layer['op']}"] = float(layer["latency"])
        k += 1
    if decodes:
        out[f"DECODE ({decodes} ops)"] = decode_total
    return out


def write_report(frame: pd.DataFrame, out_dir: Path | str, *,
                 layer_latency: typing.Mapping[str, float] | None = None, layer_latency_unit: str = "",
                 layer_latency_of: str = "",
                 history: pd.DataFrame | None = None, title: str = "hil-bench results",
                 comparison: Comparison | None = None,
                 layer_latencies: typing.Mapping[tuple[str, str], typing.Mapping[str, float]] | None = None,
                 boards: typing.Mapping[str, typing.Any] | None = None) -> list[Path]:
    """Write ``report.md`` with its PNGs, and ``report.html``, into ``out_dir``; return the paths, the
    Markdown first and the HTML last.

    Plots: ``accuracy_vs_flash.png`` (when any row has flash and accuracy), ``layer_latency.png``
    (when ``layer_latency``, layer -> latency in ``layer_latency_unit``, is given; ``layer_latency_of``
    names what it measured, e.g. "pcqat on corstone300", in its title and caption) and
    ``history.png`` (when a non-empty ``history`` DataFrame is given; points worse than the run
    before are ringed in red). The HTML page (:mod:`hil_bench.results.html`) inlines the same PNGs
    and adds per-board Pareto plots; ``comparison`` (a baseline check of ``frame``) highlights
    regressions in its table, ``layer_latencies`` ((board, recipe) -> layer -> latency in that row's
    latency unit) gives a per-layer table for every recipe. ``boards`` (name -> Board, from the caller)
    gives the HTML page each board's flash/RAM budget.
    """
    from hil_bench.results.html import html_report   # html builds on this module's table

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plots: list[tuple[str, str, bytes]] = []   # (caption, file name, PNG): drawn once, saved and inlined
    has_accuracy = frame["accuracy_device"].notna() | frame["accuracy_host"].notna()
    if (frame["flash_bytes"].notna() & has_accuracy).any():
        caption = "Accuracy vs flash" + (f" ({SYNTHETIC_NOTE})" if frame["dataset_synthetic"].any() else "")
        plots.append((caption, "accuracy_vs_flash.png", png_bytes(accuracy_figure(frame, "flash_bytes"))))
    if layer_latency:
        if not layer_latency_unit:
            raise ResultsError("layer_latency needs its layer_latency_unit (e.g. 'instructions')")
        of = f": {layer_latency_of}" if layer_latency_of else ""
        plots.append((f"Latency per layer{of}", "layer_latency.png",
                      png_bytes(layer_latency_figure(layer_latency, layer_latency_unit,
                                                     title=f"latency per layer{of}"))))
    regressions = history_regressions(history)
    if history is not None and not history.empty:
        marks = {(run, v.model, v.recipe, v.board, v.metric) for run, v in regressions}
        plots.append(("Nightly history", "history.png", png_bytes(history_figure(history, regressions=marks))))
    images = [(caption, write_png(png, out / name)) for caption, name, png in plots]
    report, page = out / "report.md", out / "report.html"
    with atomic_write(report, "w") as f:
        f.write(markdown_report(frame, images, title, base=out))
    with atomic_write(page, "w") as f:
        f.write(html_report(frame, title=title, plots={name: (caption, png) for caption, name, png in plots},
                            comparison=comparison, layer_latency=layer_latency, layer_latency_unit=layer_latency_unit,
                            layer_latencies=layer_latencies, regressions=regressions, boards=boards))
    return [report] + [p for _, p in images] + [page]
