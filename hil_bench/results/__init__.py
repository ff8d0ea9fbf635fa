"""Benchmark results: one row schema, an atomic CSV store, baseline comparison, Markdown/PNG reports.

Board-independent: nothing here talks to a device or imports TensorFlow. The bench command builds
:class:`ResultRow` objects and appends them to a :class:`ResultsStore`; ``hil-bench compare`` calls
:func:`read_results` twice, :func:`load_tolerances` and :func:`compare`; reports come from
:func:`write_report`. The report and plot names load matplotlib on first use only, so storing and
comparing stay quick to start.
"""

import importlib

from hil_bench.results.compare import Comparison, Verdict, compare
from hil_bench.results.frame import frame_to_rows, rows_to_frame
from hil_bench.results.row import COLUMNS, ResultRow, git_revision, metadata, new_run_id, tool_versions
from hil_bench.results.store import ResultsStore, append_rows, read_results, read_rows, write_results
from hil_bench.results.tolerances import DEFAULT_TOLERANCES, Tolerance, load_tolerances, parse_tolerances

_LAZY = {"markdown_report": "report", "markdown_table": "report", "write_report": "report",
         "plot_accuracy_vs_flash": "plots", "plot_history": "plots", "plot_layer_latency": "plots"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"hil_bench.results.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'hil_bench.results' has no attribute {name!r}")


__all__ = ["COLUMNS", "Comparison", "DEFAULT_TOLERANCES", "ResultRow", "ResultsStore", "Tolerance", "Verdict",
           "append_rows", "compare", "frame_to_rows", "git_revision", "load_tolerances", "markdown_report",
           "markdown_table", "metadata", "new_run_id", "parse_tolerances", "plot_accuracy_vs_flash",
           "plot_history", "plot_layer_latency", "read_results", "read_rows", "rows_to_frame", "tool_versions",
           "write_report", "write_results"]
