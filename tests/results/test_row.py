from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timezone
from importlib import metadata as importlib_metadata
from pathlib import Path

import numpy as np
import pytest

from hil_bench.errors import ResultsError
from hil_bench.results import COLUMNS, ResultRow, git_revision, metadata, new_run_id, tool_versions
from tests.results.conftest import make_row

REPO = Path(__file__).resolve().parents[2]

REQUIRED = ["model", "recipe", "board", "runner", "timing_source", "latency", "latency_unit", "latency_spread",
            "accuracy_host", "accuracy_device", "dataset_synthetic", "flash_bytes", "ram_bytes", "model_bytes_raw",
            "model_bytes", "sparsity_trained", "sparsity_binary", "max_unique_trained",
            "max_unique_binary", "sparsity_survived", "clusters_survived", "seed", "git_revision", "tool_versions",
            "timestamp", "run_id", "metric", "kernels", "compiler_flags", "ram_reserved_bytes", "arena_used_bytes",
            "code_bytes", "model_digest", "samples", "clock_hz", "instructions", "cycles", "ms", "cycles_est", "ms_est",
            "cycle_model", "decoded_weight_bytes", "harness_ram_bytes", "stack_used_bytes", "compress", "decode",
            "names_stripped", "weight_formats"]


def test_schema_has_the_agreed_columns_in_order():
    assert list(COLUMNS) == REQUIRED


def test_numpy_scalars_become_plain_python_and_nan_means_not_measured():
    row = make_row(latency=np.float32(1500.0), flash_bytes=np.int64(4096), sparsity_survived=np.bool_(True),
                   accuracy_device=float("nan"))
    assert type(row.latency) is float and row.latency == 1500.0
    assert type(row.flash_bytes) is int and row.flash_bytes == 4096
    assert row.sparsity_survived is True
    assert row.accuracy_device is None


@pytest.mark.parametrize("overrides, expected", [
    ({"accuracy_device": 95.1}, "fraction"),
    ({"sparsity_binary": -0.1}, "fraction"),
    ({"flash_bytes": -1}, "flash_bytes"),
    ({"latency": float("inf")}, "latency"),
    ({"latency_unit": ""}, "latency_unit"),
    ({"run_id": "../escape"}, "run_id"),
    ({"tool_versions": "tensorflow 2.21"}, "tool_versions"),
    ({"tool_versions": "[1, 2]"}, "tool_versions"),
    ({"timestamp": "yesterday"}, "timestamp"),
    ({"flash_bytes": 12.5}, "flash_bytes must be int"),
    ({"flash_bytes": True}, "flash_bytes must be int"),
    ({"dataset_synthetic": None}, "dataset_synthetic is required"),
    ({"sparsity_survived": "yes"}, "sparsity_survived must be bool"),
    ({"model": None}, "model is required"),
])
def test_invalid_values_are_refused_with_the_column_named(overrides, expected):
    with pytest.raises(ResultsError, match=re.escape(expected)):
        make_row(**overrides)


def test_latency_may_be_missing_without_unit():
    row = make_row(latency=None, latency_unit="", latency_spread=None)
    assert row.latency is None


def test_from_dict_rejects_typos_instead_of_dropping_them():
    values = make_row().to_dict()
    values["flash_byte"] = values.pop("flash_bytes")
    with pytest.raises(ResultsError, match=r"unknown column\(s\) \['flash_byte'\] and lacks \['flash_bytes'\]"):
        ResultRow.from_dict(values)
    assert ResultRow.from_dict(make_row().to_dict()) == make_row()


def test_rows_are_frozen():
    with pytest.raises(AttributeError):
        make_row().latency = 1.0
    assert replace(make_row(), latency=2.0).latency == 2.0


def test_metadata_fields_fit_a_row():
    meta = metadata(extra_versions={"arm-none-eabi-gcc": "12.2.1"})
    assert set(meta) == {"git_revision", "tool_versions", "timestamp"}
    versions = json.loads(meta["tool_versions"])
    assert versions["arm-none-eabi-gcc"] == "12.2.1"
    assert versions["tensorflow"] == importlib_metadata.version("tensorflow")
    assert versions["python"] == ".".join(map(str, sys.version_info[:3]))
    stamp = datetime.fromisoformat(meta["timestamp"])
    assert stamp.utcoffset().total_seconds() == 0
    assert abs((datetime.now(timezone.utc) - stamp).total_seconds()) < 60
    row = make_row(**meta)
    assert row.git_revision == meta["git_revision"]


def test_tool_versions_reports_absent_packages_as_none():
    assert tool_versions()["hil-bench"] is not None
    assert "no-such-dist" not in tool_versions()


def test_metadata_does_not_import_tensorflow():
    code = ("import sys; from hil_bench.results import metadata; metadata(); "
            "print('tensorflow' in sys.modules, 'tflite_micro' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert out.stdout.split() == ["False", "False"], out.stderr


def test_git_revision_of_this_repo_is_a_commit():
    assert re.fullmatch(r"[0-9a-f]{40}(-dirty)?", git_revision(REPO))


def test_git_revision_outside_a_repo_is_unknown(tmp_path):
    assert git_revision(tmp_path) == "unknown"


def test_git_revision_gives_up_on_a_hanging_git(tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexec sleep 30\n")  # exec: the timeout kills sleep itself
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    started = datetime.now()
    assert git_revision(REPO, timeout=0.5) == "unknown"
    assert (datetime.now() - started).total_seconds() < 5


def test_run_ids_sort_by_time_and_name_files():
    early = new_run_id(datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    late = new_run_id(datetime(2026, 11, 2, 3, 4, 5, tzinfo=timezone.utc))
    assert re.fullmatch(r"20260102T030405Z-[0-9a-f]{6}", early)
    assert early < late
    assert new_run_id() != new_run_id()
    make_row(run_id=early)  # accepted as a row's run id


def test_a_cycle_estimate_names_its_model():
    with pytest.raises(ResultsError, match="cycles_est is given without cycle_model"):
        make_row(cycles_est=1_776_025, ms_est=55.5)
    row = make_row(instructions=1_352_092, cycles_est=1_776_025, ms_est=55.5, clock_hz=32_000_000,
                   cycle_model="hil-bench cm55-v1 (estimate)")
    assert row.cycles is None and row.ms is None   # an estimate never fills the measured columns
