"""The optimize pipeline end to end on digits_cnn, through the CLI the user types."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hil_bench.cli.main import main
from hil_bench.tflite import weight_tensors


@pytest.fixture(scope="module")
def pcqat_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("pcqat")
    assert main(["optimize", "--model", "digits_cnn", "--recipe", "pcqat", "--out", str(out), "-q"]) == 0
    return out


def test_optimize_writes_every_output(pcqat_dir):
    for name in ("model_int8.tflite", "model_data.c", "model_data.h", "audit.json", "metrics.json", "model_float.h5"):
        assert (pcqat_dir / name).is_file(), name
    metrics = json.loads((pcqat_dir / "metrics.json").read_text())
    assert metrics["sparsity_survived"] and metrics["clusters_survived"]
    assert metrics["int8_accuracy"] > 0.9 and abs(metrics["int8_accuracy"] - metrics["float_accuracy"]) <= 0.02
    assert [s["name"] for s in metrics["stages"]] == ["train", "prune", "cluster", "qat", "int8"]


def test_pcqat_keeps_what_the_recipe_asked_for_in_every_layer(pcqat_dir):
    tensors = weight_tensors(pcqat_dir / "model_int8.tflite")
    assert {t.op for t in tensors} == {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"}
    for t in tensors:
        channels = np.moveaxis(t.values, t.channel_axis, 0).reshape(t.values.shape[t.channel_axis], -1)
        assert np.mean(t.values == 0) >= 0.5, t.name
        assert max(len(np.unique(c)) for c in channels) <= 16, t.name


def test_audit_json_matches_a_direct_read_of_the_flatbuffer(pcqat_dir, capsys):
    assert main(["audit", str(pcqat_dir / "model_int8.tflite"), "--json"]) == 0
    reported = json.loads(capsys.readouterr().out)["tensors"]
    direct = weight_tensors(pcqat_dir / "model_int8.tflite")
    assert len(reported) == len(direct)
    for row, t in zip(reported, direct):
        channels = np.moveaxis(t.values, t.channel_axis, 0).reshape(t.values.shape[t.channel_axis], -1)
        assert row["name"] == t.name and row["shape"] == list(t.values.shape)
        assert row["sparsity"] == pytest.approx(float(np.mean(t.values == 0)))
        assert row["max_unique_per_channel"] == max(len(np.unique(c)) for c in channels)


def test_audit_against_the_clustered_stage(pcqat_dir, capsys):
    code = main(["audit", str(pcqat_dir / "model_int8.tflite"), "--against", str(pcqat_dir / "model_float.h5"),
                 "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["survived"] and len(out["survival"]) == 3


def test_plain_qat_fails_the_survival_check_and_names_the_tensor(pcqat_dir, tmp_path, capsys):
    assert main(["optimize", "--model", "digits_cnn", "--recipe", "qat", "--out", str(tmp_path), "-q"]) == 0
    capsys.readouterr()
    code = main(["audit", str(tmp_path / "model_int8.tflite"), "--against", str(tmp_path / "model_float.h5")])
    out = capsys.readouterr().out
    assert code == 1 and "FAIL" in out and "LOST" in out


def test_rerun_uses_the_cache_and_a_change_redoes_only_what_changed(pcqat_dir, tmp_path):
    assert main(["optimize", "--model", "digits_cnn", "--recipe", "pcqat", "--out", str(tmp_path / "a"), "-q"]) == 0
    stages = json.loads((tmp_path / "a" / "metrics.json").read_text())["stages"]
    assert all(s["cached"] for s in stages)
    recipe = tmp_path / "pcqat_more.toml"
    recipe.write_text('name = "pcqat"\n[prune]\n[cluster]\n[qat]\nmode = "pcqat"\nepochs = 1\n')
    assert main(["optimize", "--model", "digits_cnn", "--recipe", str(recipe), "--out", str(tmp_path / "b"), "-q"]) == 0
    stages = {s["name"]: s["cached"] for s in json.loads((tmp_path / "b" / "metrics.json").read_text())["stages"]}
    assert stages == {"train": True, "prune": True, "cluster": True, "qat": False, "int8": False}
