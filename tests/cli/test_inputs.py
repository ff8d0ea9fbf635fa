"""Inputs checked against the model, ranges checked before any work, and no silent wrong answer:
every case issue 12 lists, through the CLI as a user types it (the host board: no build, no boot)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hil_bench.cli.main import main
from tests.cli.test_run import KWS   # input int8 1x49x10x1, 12 classes


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, " ".join(err.split())   # messages are wrapped to the terminal


def _run_inputs(capsys, tmp_path, array, *extra):
    path = tmp_path / "x.npy"
    np.save(path, array)
    return _cli(capsys, "run", KWS, "--board", "host", "--inputs", path, *extra)


@pytest.mark.parametrize("shape", [(2, 10, 49, 1), (2, 490), (10, 1), (2, 49, 10), (2, 1, 1, 49, 10, 1)])
def test_inputs_of_the_wrong_shape_are_refused_naming_the_right_one(capsys, tmp_path, shape):
    code, _, err = _run_inputs(capsys, tmp_path, np.zeros(shape, np.int8))
    assert code == 2 and f"shape {shape}" in err
    assert "(N, 49, 10, 1) for N samples, or (49, 10, 1) for one sample" in err


@pytest.mark.parametrize("shape, samples", [((49, 10, 1), 1), ((1, 49, 10, 1), 1), ((3, 49, 10, 1), 3),
                                            ((3, 1, 49, 10, 1), 3)])
def test_inputs_with_or_without_the_batch_axis(capsys, tmp_path, shape, samples):
    code, out, err = _run_inputs(capsys, tmp_path, np.ones(shape, np.int8), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["samples"] == samples


@pytest.mark.parametrize("array, says", [
    (np.zeros((2, 49, 10, 1), np.float32), "dtype float32"),
    (np.zeros((0, 49, 10, 1), np.int8), "0 samples"),
    (np.array(5, np.int8), "0-d array"),
])
def test_bad_arrays_are_refused(capsys, tmp_path, array, says):
    code, _, err = _run_inputs(capsys, tmp_path, array)
    assert code == 2 and says in err and "int8 shaped (N, 49, 10, 1)" in err


@pytest.mark.parametrize("name", ["x.npz", "archive.npy"])
def test_an_npz_given_to_inputs_is_refused(capsys, tmp_path, name):
    path = tmp_path / name
    with open(path, "wb") as fh:
        np.savez(fh, x=np.zeros((1, 49, 10, 1), np.int8))
    code, _, err = _cli(capsys, "run", KWS, "--board", "host", "--inputs", path)
    assert code == 2 and ".npz archive" in err and "--inputs takes one .npy array" in err


@pytest.mark.parametrize("argv, says", [
    (["--random", "100000000000"], "--random 100000000000 is out of range: give 1..100,000"),
    (["--random", "0"], "--random 0 is out of range"),
    (["--random", "2", "--seed", "-5"], "--seed -5 is out of range: give >= 0"),
    (["--random", "2", "--limit", "0"], "--limit 0 is out of range: give >= 1"),
    (["--random", "2", "--limit", "-1"], "--limit -1 is out of range"),
    (["--random", "2", "--runs", "0"], "--runs 0 is out of range: give 1..10,000"),
    (["--inputs", "x.npy", "--limit", "0"], "--limit 0 is out of range"),
    (["--dataset", "kws", "--limit", "0"], "--limit 0 is out of range"),
])
def test_ranges_are_checked_with_exit_2(capsys, argv, says):
    code, _, err = _cli(capsys, "run", KWS, "--board", "host", *argv)
    assert code == 2 and says in err


def test_limit_applies_to_random(capsys):
    code, out, _ = _cli(capsys, "run", KWS, "--board", "host", "--random", "5", "--limit", "2", "--json")
    assert code == 0 and json.loads(out)["samples"] == 2


def test_limit_applies_to_inputs(capsys, tmp_path):
    code, out, _ = _run_inputs(capsys, tmp_path, np.ones((4, 49, 10, 1), np.int8), "--limit", "3", "--json")
    assert code == 0 and json.loads(out)["samples"] == 3


def _dataset(tmp_path, labels) -> str:
    rng = np.random.default_rng(0)
    n = len(labels)
    path = tmp_path / "d.npz"
    x = rng.uniform(-1, 1, size=(n, 49, 10, 1)).astype(np.float32)
    np.savez(path, x_train=x, y_train=np.zeros(n, np.int64), x_test=x, y_test=np.asarray(labels, np.int64))
    return str(path)


def test_dataset_labels_outside_the_models_classes_are_refused(capsys, tmp_path):
    code, _, err = _cli(capsys, "run", KWS, "--board", "host", "--dataset", _dataset(tmp_path, [0, 3, 20, 40]))
    assert code == 2 and "test label 40 is not a class of the model" in err and "12 classes" in err


def test_dataset_labels_inside_the_classes_are_scored(capsys, tmp_path):
    code, out, _ = _cli(capsys, "run", KWS, "--board", "host", "--dataset", _dataset(tmp_path, [0, 3, 11]),
                        "--limit", "2", "--json")
    report = json.loads(out)
    assert code == 0 and report["samples"] == 2 and 0.0 <= report["accuracy"] <= 1.0


def test_json_says_null_for_what_was_not_measured(capsys):
    code, out, _ = _cli(capsys, "run", KWS, "--board", "host", "--random", "1", "--json")
    report = json.loads(out)
    assert code == 0 and report["latency"] is None
    for key in ("flash_bytes", "ram_bytes", "ram_reserved_bytes", "code_bytes", "arena_used_bytes"):
        assert report[key] is None, key
    assert report["model_bytes"] > 0


def test_run_takes_compress_like_bench(capsys):
    from hil_bench.cli.main import build_parser

    sub = build_parser().parse_args(["run", str(KWS), "--board", "host"])
    assert sub.compress == "auto"
    code, out, _ = _cli(capsys, "run", KWS, "--board", "host", "--random", "2", "--compress", "lut", "--json")
    assert code == 0 and json.loads(out)["samples"] == 2


@pytest.mark.parametrize("limit", ["0", "-1"])
def test_bench_limit_below_one_is_refused_before_any_work(capsys, tmp_path, limit):
    code, _, err = _cli(capsys, "bench", "--board", "host", "--limit", limit, "--results-dir", tmp_path, "-q")
    assert code == 2 and f"--limit {limit} is out of range: give >= 1" in err
    assert not list(tmp_path.iterdir())


def test_compare_missing_ok_with_nothing_in_common_fails(capsys, tmp_path):
    from hil_bench.results import write_results
    from tests.results.conftest import make_row

    base = write_results(tmp_path / "base.csv", [make_row("ptq")])
    other = write_results(tmp_path / "new.csv", [make_row("ptq", board="mps2-an386")])
    code, out, _ = _cli(capsys, "compare", base, other, "--missing-ok")
    assert code == 1 and "nothing was compared" in out and "OK" not in out
