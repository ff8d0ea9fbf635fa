"""PNG plots of results, drawn on bare matplotlib ``Figure`` objects with the Agg canvas.

No pyplot: it keeps global state and picks a GUI backend, which a CLI, a pytest run or a headless CI
worker must not have changed under it. Each ``*_figure`` function draws one figure; :func:`png_bytes`
renders it once, and the same bytes become the ``.png`` file (:func:`write_png`) and the HTML
report's inline image. Each ``plot_*`` function writes one PNG and returns its path.
"""

from __future__ import annotations

import io
import typing
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from hil_bench.errors import ResultsError
from hil_bench.results.tolerances import SCORE_COLUMNS
from hil_bench.results.frame import require_columns, value
from hil_bench.paths import write_bytes_atomic

SYNTHETIC_NOTE = "synthetic data: accuracy is meaningless"


def png_bytes(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def write_png(data: bytes, path: Path | str) -> Path:
    write_bytes_atomic(path, data)   # never a truncated PNG beside the report
    return Path(path)


def _series_label(record: dict, frame: pd.DataFrame, columns: typing.Sequence[str]) -> str:
    """Name a series only by the columns that vary in ``frame`` (one board -> no board in the legend)."""
    varying = [c for c in columns if frame[c].nunique(dropna=False) > 1]
    return "/".join(str(record[c]) for c in varying) or str(record[columns[0]])


X_AXES = {"flash_bytes": ("flash", "firmware flash [KiB]", 1 / 1024), "latency": ("latency", "latency", 1.0)}
"""Columns an accuracy can be plotted against: name, axis label, scale (flash in KiB; latency in its unit)."""


OFF_SCALE = 3.0
"""A budget further out than this many times the largest point is named, not drawn to scale."""


class Point(typing.NamedTuple):
    record: dict
    x: float          # in the column's own unit (bytes, instructions...)
    accuracy: float   # a fraction
    on_device: bool   # False: the host's accuracy stands in (no device run)


def accuracy_points(frame: pd.DataFrame, x: str = "flash_bytes") -> list[Point]:
    """Rows with an accuracy (device, else host) and ``x``; rows scored by another metric (mse) are left out."""
    points = []
    for record in frame.to_dict("records"):
        if (value(record.get("metric")) or "accuracy") != "accuracy":
            continue   # an error (mse) is not an accuracy: it has no place on this axis
        cost, device = value(record[x]), value(record["accuracy_device"])
        accuracy = device if device is not None else value(record["accuracy_host"])
        if cost is not None and accuracy is not None:
            points.append(Point(record, float(cost), float(accuracy), device is not None))
    return points


def pareto_front(points: typing.Sequence[Point]) -> list[Point]:
    """The points no other point beats: none costs as little or less and is more accurate; cheapest first."""
    front, best = [], float("-inf")
    for point in sorted(points, key=lambda p: (p.x, -p.accuracy)):
        if point.accuracy > best:
            front.append(point)
            best = point.accuracy
    return front


def accuracy_figure(frame: pd.DataFrame, x: str = "flash_bytes", *, title: str | None = None,
                    budget: float | None = None, budget_label: str = "", pareto: bool = False) -> Figure:
    """Accuracy (device, else host: hollow marker) against ``x`` (a key of :data:`X_AXES`), one point per row.

    ``pareto``: draw each model's Pareto front. ``budget`` (in ``x``'s unit): a vertical line there, or,
    when it is over :data:`OFF_SCALE` times the largest point, a note saying so. A ``fits`` column, when
    present, crosses out in red every row whose value is False (it does not fit the board).
    """
    require_columns(frame, ("model", "recipe", "board", x, "accuracy_host", "accuracy_device",
                            "dataset_synthetic"), f"accuracy vs {x} plot input")
    name, label, scale = X_AXES[x]
    fig = Figure(figsize=(9, 4.5))
    ax = fig.add_subplot()
    groups = list(frame.groupby(["model", "board"], sort=False))
    plotted = []
    for index, ((model, board), group) in enumerate(groups):
        color, points = f"C{index % 10}", accuracy_points(group, x)
        for n, point in enumerate(points):
            px, py = scale * point.x, 100 * point.accuracy
            ax.scatter([px], [py], s=40, edgecolors=color, facecolors=color if point.on_device else "none",
                       label=f"{model}/{board}" if n == 0 and len(groups) > 1 else None)
            if value(point.record.get("fits")) is False:
                ax.scatter([px], [py], s=120, marker="x", color="red", zorder=3)
            ax.annotate(str(point.record["recipe"]), (px, py), textcoords="offset points", xytext=(4, 4), fontsize=8)
        if pareto and points:
            front = pareto_front(points)
            ax.plot([scale * p.x for p in front], [100 * p.accuracy for p in front], drawstyle="steps-post",
                    linestyle="--", color=color, alpha=0.6, label=f"Pareto front {model}" if len(front) > 1 else None)
        plotted += points
    if not plotted:
        raise ResultsError(f"no result row has both {x} and an accuracy; nothing to plot")
    if budget is not None:
        largest = max(p.x for p in plotted)
        if budget <= OFF_SCALE * largest:
            ax.axvline(scale * budget, color="red", linestyle=":", label=budget_label or "budget")
        else:   # a MiB budget beside KiB images: drawn to scale, the points would merge into one
            ax.plot([], [], color="red", linestyle=":",
                    label=f"{budget_label or 'budget'} (off scale: {budget / largest:,.0f}× the largest)")
    if any(value(p.record.get("fits")) is False for p in plotted):
        ax.scatter([], [], s=120, marker="x", color="red", label="does not fit the board")
    if ax.get_legend_handles_labels()[0]:
        # Beside the axes, never over them: a note or legend inside could hide a point.
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    units = sorted({str(p.record["latency_unit"]) for p in plotted}) if x == "latency" else []
    ax.set_xlabel(label + (f" [{', '.join(units)}]" if units else ""))
    ax.set_ylabel("int8 accuracy [%] (device; hollow: host)")
    synthetic = bool(frame["dataset_synthetic"].fillna(False).any())
    ax.set_title((title or f"accuracy vs {name}")
                 + (f" — {SYNTHETIC_NOTE}" if synthetic else ""), color="red" if synthetic else "black",
                 fontsize=10)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_accuracy_vs_flash(frame: pd.DataFrame, path: Path | str) -> Path:
    """Accuracy against firmware flash bytes, every model and board in one plot (the Markdown report's)."""
    return write_png(png_bytes(accuracy_figure(frame, "flash_bytes")), path)


def layer_latency_figure(layers: typing.Mapping[str, float], unit: str, title: str = "latency per layer") -> Figure:
    """Horizontal bars, layers top to bottom in execution order (the mapping's order), in ``unit``."""
    if not layers:
        raise ResultsError("no per-layer latencies to plot (the run reported no layers)")
    names, values = list(layers), [float(v) for v in layers.values()]
    fig = Figure(figsize=(7, 1.2 + 0.35 * len(names)))
    ax = fig.add_subplot()
    ax.barh(range(len(names)), values, color="C1")
    ax.set_yticks(range(len(names)), labels=names, fontsize=8)
    ax.invert_yaxis()
    total = sum(values)
    for i, v in enumerate(values):
        ax.annotate(f"{v:,.0f} ({100 * v / total:.0f}%)" if total else f"{v:,.0f}", (v, i),
                    xytext=(3, 0), textcoords="offset points", va="center", fontsize=7)
    ax.set_xlabel(f"latency [{unit}]")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_layer_latency(layers: typing.Mapping[str, float], unit: str, path: Path | str,
                       title: str = "latency per layer") -> Path:
    return write_png(png_bytes(layer_latency_figure(layers, unit, title)), path)


HISTORY_METRICS = ("latency", "flash_bytes", "accuracy_device")


Regression = tuple[str, str, str, str, str]
"""(run_id, model, recipe, board, metric): a metric of a row that got worse than in the run before."""


def history_figure(history: pd.DataFrame, metrics: typing.Sequence[str] = HISTORY_METRICS,
                   regressions: typing.Collection[Regression] = ()) -> Figure:
    """One panel per metric over time, one line per model/recipe/board (latency also split by unit);
    the points named in ``regressions`` are ringed in red."""
    require_columns(history, ("model", "recipe", "board", "run_id", "timestamp", "latency_unit", *metrics),
                    "history plot input")
    if history.empty:
        raise ResultsError("the history has no rows yet; run the nightly job (ResultsStore(..., history=True))")
    regressions = frozenset(regressions)
    frame = history.assign(when=pd.to_datetime(history["timestamp"], utc=True, format="ISO8601"))
    fig = Figure(figsize=(8, 2.6 * len(metrics)))
    axes = fig.subplots(len(metrics), 1, sharex=True, squeeze=False)[:, 0]
    series = ["model", "recipe", "board"]
    for ax, metric in zip(axes, metrics):
        keys = series + (["latency_unit"] if metric == "latency" else [])
        data = frame.dropna(subset=[metric])
        scale, ringed = 1.0, False
        if metric in SCORE_COLUMNS:
            kinds = set(data["metric"].fillna("accuracy")) if "metric" in data.columns else {"accuracy"}
            scale = 100.0 if kinds == {"accuracy"} else 1.0   # accuracies are fractions; people read percent
        for _, group in data.groupby(keys, sort=True):
            group = group.sort_values("when")
            ax.plot(group["when"], scale * group[metric].astype(float), marker="o", markersize=3,
                    label=_series_label(group.iloc[0].to_dict(), data, keys))
            bad = group[[(r, m, rc, b, metric) in regressions for r, m, rc, b in
                         zip(group["run_id"], group["model"], group["recipe"], group["board"])]]
            ax.scatter(bad["when"], scale * bad[metric].astype(float), s=90, facecolors="none", edgecolors="red",
                       linewidths=1.5, zorder=3, label=None)
            ringed = ringed or not bad.empty
        if ringed:
            ax.scatter([], [], s=90, facecolors="none", edgecolors="red", label="worse than the run before")
        if data.empty:
            ax.text(0.5, 0.5, "not measured", transform=ax.transAxes, ha="center", va="center")
        else:
            ax.legend(fontsize=7, loc="best")
        units = list(data["latency_unit"].dropna().unique()) if metric == "latency" else \
            ["%"] if scale != 1.0 else ["B"] if metric.endswith("_bytes") else []
        label = metric if metric not in SCORE_COLUMNS or scale != 1.0 or data.empty else \
            f"{metric} ({', '.join(sorted(set(data['metric'].fillna('accuracy'))))})"
        ax.set_ylabel(label + (f" [{units[0]}]" if len(units) == 1 else ""))
        ax.grid(alpha=0.3)
    axes[0].set_title("nightly history")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def plot_history(history: pd.DataFrame, path: Path | str, metrics: typing.Sequence[str] = HISTORY_METRICS,
                 regressions: typing.Collection[Regression] = ()) -> Path:
    return write_png(png_bytes(history_figure(history, metrics, regressions)), path)
