"""PNG plots of results, drawn on bare matplotlib ``Figure`` objects with the Agg canvas.

No pyplot: it keeps global state and picks a GUI backend, which a CLI, a pytest run or a headless CI
worker must not have changed under it. Each function writes one PNG and returns its path.
"""

from __future__ import annotations

import typing
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from hil_bench.errors import ResultsError
from hil_bench.results.tolerances import SCORE_COLUMNS
from hil_bench.results.frame import require_columns, value

SYNTHETIC_NOTE = "synthetic data: accuracy is meaningless"


def _save(fig: Figure, path: Path | str) -> Path:
    from hil_bench.paths import atomic_write

    path = Path(path)
    FigureCanvasAgg(fig)
    with atomic_write(path) as f:   # never a truncated PNG beside the report
        fig.savefig(f, format="png", dpi=100)
    return path


def _series_label(record: dict, frame: pd.DataFrame, columns: typing.Sequence[str]) -> str:
    """Name a series only by the columns that vary in ``frame`` (one board -> no board in the legend)."""
    varying = [c for c in columns if frame[c].nunique(dropna=False) > 1]
    return "/".join(str(record[c]) for c in varying) or str(record[columns[0]])


def plot_accuracy_vs_flash(frame: pd.DataFrame, path: Path | str) -> Path:
    """Accuracy (device, else host: hollow marker) against firmware flash bytes, one point per recipe."""
    require_columns(frame, ("model", "recipe", "board", "flash_bytes", "accuracy_host", "accuracy_device",
                            "dataset_synthetic"), "accuracy vs flash plot input")
    fig = Figure(figsize=(7, 4.5))
    ax = fig.add_subplot()
    plotted = 0
    groups = list(frame.groupby(["model", "board"], sort=False))
    for index, ((model, board), group) in enumerate(groups):
        color, labelled = f"C{index % 10}", len(groups) == 1  # a legend only when there is more than one group
        for record in group.to_dict("records"):
            if (value(record.get("metric")) or "accuracy") != "accuracy":
                continue   # an error (mse) is not an accuracy: it has no place on this axis
            flash, device = value(record["flash_bytes"]), value(record["accuracy_device"])
            accuracy = device if device is not None else value(record["accuracy_host"])
            if flash is None or accuracy is None:
                continue
            x, y = flash / 1024, 100 * accuracy
            ax.scatter([x], [y], s=40, edgecolors=color, facecolors=color if device is not None else "none",
                       label=None if labelled else f"{model}/{board}")
            labelled = True
            ax.annotate(str(record["recipe"]), (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
            plotted += 1
    if len(groups) > 1 and plotted:
        ax.legend(fontsize=8)
    if not plotted:
        raise ResultsError("no result row has both flash_bytes and an accuracy; nothing to plot")
    ax.set_xlabel("firmware flash [KiB]")
    ax.set_ylabel("int8 accuracy [%] (device; hollow: host)")
    synthetic = bool(frame["dataset_synthetic"].fillna(False).any())
    ax.set_title("accuracy vs flash" + (f" — {SYNTHETIC_NOTE}" if synthetic else ""),
                 color="red" if synthetic else "black")
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_layer_latency(layers: typing.Mapping[str, float], unit: str, path: Path | str,
                       title: str = "latency per layer") -> Path:
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
    return _save(fig, path)


HISTORY_METRICS = ("latency", "flash_bytes", "accuracy_device")


def plot_history(history: pd.DataFrame, path: Path | str, metrics: typing.Sequence[str] = HISTORY_METRICS) -> Path:
    """One panel per metric over time, one line per model/recipe/board (latency also split by unit)."""
    require_columns(history, ("model", "recipe", "board", "timestamp", "latency_unit", *metrics), "history plot input")
    if history.empty:
        raise ResultsError("the history has no rows yet; run the nightly job (ResultsStore(..., history=True))")
    frame = history.assign(when=pd.to_datetime(history["timestamp"], utc=True, format="ISO8601"))
    fig = Figure(figsize=(8, 2.6 * len(metrics)))
    axes = fig.subplots(len(metrics), 1, sharex=True, squeeze=False)[:, 0]
    series = ["model", "recipe", "board"]
    for ax, metric in zip(axes, metrics):
        keys = series + (["latency_unit"] if metric == "latency" else [])
        data = frame.dropna(subset=[metric])
        scale = 1.0
        if metric in SCORE_COLUMNS:
            kinds = set(data["metric"].fillna("accuracy")) if "metric" in data.columns else {"accuracy"}
            scale = 100.0 if kinds == {"accuracy"} else 1.0   # accuracies are fractions; people read percent
        for _, group in data.groupby(keys, sort=True):
            group = group.sort_values("when")
            ax.plot(group["when"], scale * group[metric].astype(float), marker="o", markersize=3,
                    label=_series_label(group.iloc[0].to_dict(), data, keys))
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
    return _save(fig, path)
