"""A user's float model from a file goes through the whole pipeline: MLPerf Tiny's ResNet-8 (.h5)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from hil_bench.cli.main import main

RESNET8 = Path(__file__).resolve().parents[1] / "fixtures" / "mlperf_tiny" / "ic_resnet8_float.h5"


def test_resnet8_float_h5_through_pcqat_with_synthetic_calibration(tmp_path, capsys):
    assert main(["optimize", "--model", str(RESNET8), "--recipe", "pcqat", "--out", str(tmp_path), "-q"]) == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["dataset"] == "synthetic" and metrics["dataset_synthetic"]
    assert metrics["stages"][0]["name"] == "float"  # a user's model arrives trained: no baseline training
    capsys.readouterr()
    code = main(["audit", str(tmp_path / "model_int8.tflite"), "--against", str(tmp_path / "model_float.h5"),
                 "--json"])
    audit = json.loads(capsys.readouterr().out)
    assert code == 0 and audit["survived"]
    assert len(audit["tensors"]) == 10  # 9 convolutions + the classifier
    for tensor in audit["tensors"]:
        assert tensor["sparsity"] >= 0.5 - 1e-9, tensor["name"]
        assert tensor["max_unique_per_channel"] <= 16, tensor["name"]
    assert np.isclose(metrics["float_accuracy"], metrics["int8_accuracy"], atol=0.05)
