"""A factory of realistic result rows: one digits_cnn recipe on corstone300 under QEMU."""

from __future__ import annotations

import json

import pytest

from hil_bench.results import ResultRow

VERSIONS = json.dumps({"hil-bench": "0.1.0", "tensorflow": "2.21.0", "tflite-micro": "0.dev1"})


def make_row(recipe: str = "pcqat", **overrides) -> ResultRow:
    values = dict(
        model="digits_cnn", recipe=recipe, board="corstone300", runner="qemu",
        timing_source="qemu-icount-instructions", latency=123456.0, latency_unit="instructions",
        latency_spread=0.0, accuracy_host=0.953, accuracy_device=0.951, dataset_synthetic=False,
        flash_bytes=61234, ram_bytes=20480, model_bytes_raw=9800, model_bytes=4100,
        sparsity_trained=0.5, sparsity_binary=0.5, max_unique_trained=16, max_unique_binary=16,
        sparsity_survived=True, clusters_survived=True, seed=7, git_revision="b517b9a",
        tool_versions=VERSIONS, timestamp="2026-11-26T11:00:00+00:00", run_id="20261126T110000Z-aaaaaa",
    )
    values.update(overrides)
    return ResultRow(**values)


@pytest.fixture
def row_factory():
    return make_row
