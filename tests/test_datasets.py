"""Tests for hil_bench.datasets: the fixed digits split, user .npz files with clear errors, and
synthetic data that is deterministic, shaped for any model and always flagged as synthetic."""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path

import numpy as np
import pytest

from hil_bench.datasets import AUTOENCODER, DATASETS, Dataset, load_dataset, synthetic_dataset
from hil_bench.errors import UsageError


@pytest.fixture(scope="session")
def digits() -> Dataset:
    return load_dataset("digits")


# ---- digits -------------------------------------------------------------------------------------


def test_digits_split_sizes_shapes_and_range(digits):
    assert (len(digits.x_train), len(digits.x_val), len(digits.x_test)) == (1257, 180, 360)
    assert digits.input_shape == (8, 8, 1) and digits.x_train.dtype == np.float32
    assert digits.y_train.dtype == np.int64 and digits.classes == 10
    for x in (digits.x_train, digits.x_val, digits.x_test):
        assert x.min() == 0.0 and x.max() == 1.0
    assert not digits.synthetic and digits.caveat is None and digits.task == "classification"


def test_digits_split_is_stratified(digits):
    for y in (digits.y_train, digits.y_val, digits.y_test):
        counts = np.bincount(y, minlength=10)
        assert counts.min() >= 0.8 * counts.mean()


def test_digits_split_is_fixed_whatever_the_seed(digits):
    other = load_dataset("digits", seed=123)
    np.testing.assert_array_equal(other.x_test, digits.x_test)
    np.testing.assert_array_equal(other.y_train, digits.y_train)


def test_digits_reshapes_to_the_model_input_when_pixel_count_matches():
    flat = load_dataset("digits", model_input_shape=(64,))
    assert flat.x_train.shape == (1257, 64)


@pytest.mark.parametrize("kwargs, match", [
    ({"model_input_shape": (9, 9, 1)}, "64 pixels"),
    ({"classes": 12}, "10 classes"),
    ({"task": AUTOENCODER}, "10 classes"),
    ({"task": "regression"}, "unknown task"),
])
def test_digits_refuses_a_model_it_does_not_fit(kwargs, match):
    with pytest.raises(UsageError, match=match):
        load_dataset("digits", **kwargs)


def test_no_network_is_touched(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("hil_bench.datasets opened a socket")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert len(load_dataset("digits").x_test) == 360


def test_dataset_is_frozen_and_its_arrays_read_only(digits):
    with pytest.raises(dataclasses.FrozenInstanceError):
        digits.name = "other"
    with pytest.raises(ValueError):
        digits.x_train[0, 0, 0, 0] = 5.0


def test_dataset_checks_split_lengths():
    x = np.zeros((4, 2), np.float32)
    with pytest.raises(UsageError, match="x_val has 4 samples but y_val has 3"):
        Dataset("d", x, np.zeros(4, np.int64), x, np.zeros(3, np.int64), x, np.zeros(4, np.int64),
                synthetic=False, task="classification")


# ---- synthetic ----------------------------------------------------------------------------------


@pytest.mark.parametrize("shape, classes", [((8, 8, 1), 10), ((49, 10, 1), 12), ((32, 32, 3), 10), ((5,), 2)])
def test_synthetic_fits_any_shape(shape, classes):
    data = load_dataset("synthetic", model_input_shape=shape, classes=classes, samples=(40, 10, 20))
    assert data.input_shape == shape and data.x_train.dtype == np.float32
    assert (len(data.x_train), len(data.x_val), len(data.x_test)) == (40, 10, 20)
    assert 0.0 <= data.x_test.min() and data.x_test.max() < 1.0
    assert data.y_train.min() >= 0 and data.y_train.max() < classes
    assert data.synthetic and "means nothing" in data.caveat


def test_synthetic_is_deterministic_by_seed():
    a = synthetic_dataset((6, 6, 2), 4, seed=3)
    b = synthetic_dataset((6, 6, 2), 4, seed=3)
    c = synthetic_dataset((6, 6, 2), 4, seed=4)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)


def test_synthetic_splits_do_not_depend_on_each_others_size():
    small = synthetic_dataset((3, 3), 3, samples=(30, 5, 5))
    big = synthetic_dataset((3, 3), 3, samples=(30, 5, 50))
    np.testing.assert_array_equal(small.x_train, big.x_train)
    assert not np.array_equal(small.x_train[:5], small.x_test[:5])


def test_synthetic_classes_are_learnable_by_nearest_centroid():
    """Each class has a prototype, so calibration and fine-tuning see class structure, not pure noise."""
    data = synthetic_dataset((16,), 4, samples=(400, 10, 200))
    centroids = np.stack([data.x_train[data.y_train == k].mean(axis=0) for k in range(4)])
    predicted = np.argmin(((data.x_test[:, None, :] - centroids[None]) ** 2).sum(-1), axis=1)
    assert (predicted == data.y_test).mean() > 0.9


def test_synthetic_autoencoder_targets_are_the_inputs():
    data = load_dataset("synthetic", model_input_shape=(640,), task=AUTOENCODER, samples=(8, 2, 4))
    np.testing.assert_array_equal(data.x_train, data.y_train)
    assert data.classes is None and data.task == AUTOENCODER


@pytest.mark.parametrize("kwargs, match", [
    ({}, "input shape"),
    ({"model_input_shape": (8, 8, 1)}, "class count"),
    ({"model_input_shape": (8, 0, 1), "classes": 2}, "fully known"),
    ({"model_input_shape": (8,), "classes": 2, "samples": (10, 0, 5)}, "three positive"),
])
def test_synthetic_needs_shape_and_classes(kwargs, match):
    with pytest.raises(UsageError, match=match):
        load_dataset("synthetic", **kwargs)


# ---- user .npz ----------------------------------------------------------------------------------


def _arrays(n_train=50, n_test=20, shape=(8, 8, 1), classes=10, seed=0) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.random((n_train,) + shape), "y_train": rng.integers(0, classes, n_train),
        "x_test": rng.random((n_test,) + shape), "y_test": rng.integers(0, classes, n_test),
    }


def _npz(tmp_path, **arrays):
    path = tmp_path / "data.npz"
    np.savez(path, **arrays)
    return path


def test_npz_with_validation_split_is_used_as_given(tmp_path):
    arrays = _arrays()
    arrays.update(x_val=np.ones((7, 8, 8, 1)), y_val=np.arange(7))
    data = load_dataset(_npz(tmp_path, **arrays), model_input_shape=(8, 8, 1), classes=10)
    np.testing.assert_array_equal(data.y_val, np.arange(7))
    np.testing.assert_array_equal(data.x_train, arrays["x_train"].astype(np.float32))
    assert data.name == "data.npz" and not data.synthetic and data.x_train.dtype == np.float32


def test_npz_without_validation_splits_ten_percent_of_train_by_seed(tmp_path):
    arrays = _arrays(n_train=50)
    path = _npz(tmp_path, **arrays)
    a, b, c = load_dataset(path, seed=1), load_dataset(path, seed=1), load_dataset(path, seed=2)
    assert (len(a.x_train), len(a.x_val)) == (45, 5)
    np.testing.assert_array_equal(a.x_val, b.x_val)
    assert not np.array_equal(a.x_val, c.x_val)
    together = np.concatenate([a.x_train, a.x_val]).reshape(50, -1)
    original = arrays["x_train"].astype(np.float32).reshape(50, -1)
    assert sorted(map(bytes, together)) == sorted(map(bytes, original))  # a partition, nothing lost


def test_npz_missing_keys_are_named(tmp_path):
    arrays = _arrays()
    del arrays["y_test"], arrays["x_train"]
    with pytest.raises(UsageError, match="missing key\\(s\\) x_train, y_test") as err:
        load_dataset(_npz(tmp_path, **arrays))
    assert "\n" not in str(err.value)


def test_npz_with_half_a_validation_split_is_refused(tmp_path):
    with pytest.raises(UsageError, match="only one of x_val and y_val"):
        load_dataset(_npz(tmp_path, x_val=np.zeros((3, 8, 8, 1)), **_arrays()))


def test_npz_shape_mismatch_names_both_shapes(tmp_path):
    expected = r"x_train: samples have shape \(8, 8, 1\) but the model's input is \(32, 32, 3\)"
    with pytest.raises(UsageError, match=expected):
        load_dataset(_npz(tmp_path, **_arrays()), model_input_shape=(32, 32, 3))


def test_npz_splits_with_different_shapes_are_refused(tmp_path):
    arrays = _arrays()
    arrays["x_test"] = np.zeros((20, 4, 4, 1))
    with pytest.raises(UsageError, match="different sample shapes"):
        load_dataset(_npz(tmp_path, **arrays))


def test_npz_grayscale_without_channel_axis_gets_one(tmp_path):
    data = load_dataset(_npz(tmp_path, **_arrays(shape=(8, 8))), model_input_shape=(8, 8, 1))
    assert data.input_shape == (8, 8, 1)


def test_npz_one_hot_and_column_labels_become_indices(tmp_path):
    arrays = _arrays(classes=3)
    labels = arrays["y_train"]
    arrays["y_train"] = np.eye(3)[labels]
    arrays["y_test"] = arrays["y_test"][:, None]
    arrays.update(x_val=arrays["x_test"], y_val=arrays["y_test"])
    data = load_dataset(_npz(tmp_path, **arrays))
    np.testing.assert_array_equal(data.y_train, labels)
    assert data.y_test.ndim == 1 and data.classes <= 3


@pytest.mark.parametrize("change, match", [
    (lambda a: a.update(y_train=a["y_train"][:-1]), "49 entries for 50 input samples"),
    (lambda a: a.update(y_test=a["y_test"] + 10), "does not fit a model with 10 classes"),
    (lambda a: a.update(y_test=-a["y_test"] - 1), "negative class label"),
    (lambda a: a.update(y_test=a["y_test"] + 0.5), "whole numbers"),
    (lambda a: a["x_train"].__setitem__((0, 0, 0, 0), np.nan), "NaN"),
    (lambda a: a.update(x_test=np.array(["a"] * 20)), "non-empty array of samples|numbers"),
    (lambda a: a.update(x_test=np.zeros((0, 8, 8, 1)), y_test=np.zeros(0)), "non-empty"),
    (lambda a: a.update(x_train=a["x_train"][:1], y_train=a["y_train"][:1]), "too few"),
])
def test_npz_bad_contents_give_clear_errors(tmp_path, change, match):
    arrays = _arrays()
    change(arrays)
    with pytest.raises(UsageError, match=match):
        load_dataset(_npz(tmp_path, **arrays), classes=10)


def test_npz_autoencoder_targets(tmp_path):
    x = np.random.default_rng(0).random((30, 640))
    data = load_dataset(_npz(tmp_path, x_train=x, y_train=x, x_test=x[:5], y_test=x[:5]), task=AUTOENCODER)
    assert data.y_train.shape == data.x_train.shape and data.task == AUTOENCODER
    with pytest.raises(UsageError, match="autoencoder targets"):
        load_dataset(_npz(tmp_path, x_train=x, y_train=x[:, :10], x_test=x[:5], y_test=x[:5]), task=AUTOENCODER)


def test_npz_with_pickled_objects_is_refused(tmp_path):
    arrays = _arrays()
    arrays["x_train"] = np.array([object()] * 50, dtype=object)
    path = _npz(tmp_path, **arrays)
    with pytest.raises(UsageError, match="not a readable .npz"):
        load_dataset(path)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04garbage", b"\x93NUMPY"])
def test_corrupt_npz_is_a_usage_error(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(UsageError, match="not a readable .npz"):
        load_dataset(path)


def test_single_npy_array_is_refused(tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(UsageError, match="not a .npz archive"):
        load_dataset(path)


def test_missing_npz_and_unknown_name(tmp_path):
    with pytest.raises(UsageError, match="no such data set file"):
        load_dataset(tmp_path / "nope.npz")
    with pytest.raises(UsageError) as err:
        load_dataset("cifar10")
    assert all(name in str(err.value) for name in DATASETS)


def test_importing_datasets_and_listing_models_does_not_load_tensorflow():
    """The CLI lists models and data sets in its --help; that must not cost a TensorFlow import."""
    import subprocess
    import sys

    code = ("import sys, hil_bench.datasets, hil_bench.models as m; list(m.MODELS); "
            "sys.exit('tensorflow' in sys.modules)")
    repo = Path(__file__).resolve().parents[1]
    assert subprocess.run([sys.executable, "-c", code], cwd=repo).returncode == 0
