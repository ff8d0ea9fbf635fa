"""Autoencoders are scored by MSE, where lower is better: rows name the metric, compare and reports
use its direction, so an autoencoder that improves is never called a regression (and one that gets
worse is). Regression test: on main the MSE sat unnamed in accuracy columns read as higher-is-better."""

from __future__ import annotations

import pandas as pd
import pytest

from hil_bench.errors import ResultsError
from hil_bench.results import compare, read_results, rows_to_frame, write_results
from hil_bench.results.report import markdown_table
from hil_bench.results.row import COLUMNS
from hil_bench.results.store import append_rows
from tests.results.conftest import make_row


def autoencoder(mse_host, mse_device, **extra):
    return rows_to_frame([make_row("ptq", model="ae", metric="mse", accuracy_host=mse_host,
                                   accuracy_device=mse_device, **extra)])


def statuses(result):
    return {v.metric: v.status for v in result.rows if v.metric.startswith("accuracy")}


def test_lower_mse_is_an_improvement_not_a_regression():
    result = compare(autoencoder(0.050, 0.052), autoencoder(0.020, 0.021))
    assert result.ok
    assert statuses(result) == {"accuracy_host": "improved", "accuracy_device": "improved"}


def test_higher_mse_past_the_tolerance_is_a_regression_shown_as_mse():
    result = compare(autoencoder(0.050, 0.052), autoencoder(0.050, 0.090))
    assert not result.ok and statuses(result)["accuracy_device"] == "regressed"
    line = next(l for l in result.to_table().splitlines() if "accuracy_device" in l)
    assert "[mse]" in line and "+0.01" in line


def test_accuracy_keeps_higher_is_better():
    base = rows_to_frame([make_row("ptq", accuracy_device=0.95)])
    assert statuses(compare(base, rows_to_frame([make_row("ptq", accuracy_device=0.90)])))["accuracy_device"] \
        == "regressed"
    assert statuses(compare(base, rows_to_frame([make_row("ptq", accuracy_device=0.97)])))["accuracy_device"] \
        == "improved"


def test_a_changed_metric_is_incomparable():
    base = rows_to_frame([make_row("ptq", model="ae")])
    result = compare(base, autoencoder(0.9, 0.9))
    assert statuses(result)["accuracy_device"] == "incomparable" and not result.ok


def test_rows_check_the_range_of_their_own_metric():
    assert make_row(metric="mse", accuracy_host=3.5, accuracy_device=3.5).metric == "mse"   # an error is not a fraction
    with pytest.raises(ResultsError, match="not a fraction"):
        make_row(accuracy_device=3.5)
    with pytest.raises(ResultsError, match="metric 'f1' is not one of accuracy, mse"):
        make_row(metric="f1")
    with pytest.raises(ResultsError, match="must be finite and >= 0"):
        make_row(metric="mse", accuracy_device=-1.0)


def test_report_shows_the_error_as_an_error():
    table = markdown_table(autoencoder(0.05, 0.0625))
    assert "mse 0.0625" in table and "6.2 %" not in table


def test_files_from_before_the_metric_column_read_as_accuracy_and_take_new_rows(tmp_path):
    old = tmp_path / "old.csv"
    write_results(old, [make_row("qat")])
    # the file as an older hil-bench wrote it: every column but metric
    pd.read_csv(old, dtype=str, keep_default_na=False).drop(columns=["metric"]).to_csv(old, index=False)
    assert old.read_text().splitlines()[0].split(",") == [c for c in COLUMNS if c != "metric"]
    assert list(read_results(old)["metric"]) == ["accuracy"]
    append_rows(old, [make_row("ptq", model="ae", metric="mse", accuracy_host=0.2, accuracy_device=0.2)])
    assert old.read_text().splitlines()[0].split(",") == list(COLUMNS)   # upgraded to the full schema
    assert list(read_results(old)["metric"]) == ["accuracy", "mse"]


def test_task_names_its_metric_and_direction():
    from hil_bench.datasets import AUTOENCODER, CLASSIFICATION
    from hil_bench.metrics import METRICS, TASK_METRIC

    assert TASK_METRIC[CLASSIFICATION] == "accuracy" and METRICS["accuracy"].higher_is_better
    assert TASK_METRIC[AUTOENCODER] == "mse" and not METRICS["mse"].higher_is_better
