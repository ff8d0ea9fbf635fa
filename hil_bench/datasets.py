"""Data for training, calibration and accuracy: scikit-learn digits, user ``.npz`` files, synthetic data.

Every data set is a :class:`Dataset` with fixed train/val/test splits, so a result row can always say
exactly what it was measured on. Synthetic data exists because most MLPerf Tiny models have no data set
that ships with a Python package and hil-bench never downloads anything: it is good enough to calibrate
int8 ranges and to exercise the pipeline, but accuracy measured on it means nothing, which is why every
synthetic data set carries ``synthetic=True`` and a :attr:`Dataset.caveat` that reports must show.

This module needs only numpy and scikit-learn; it never imports TensorFlow.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from hil_bench.errors import UsageError

CLASSIFICATION = "classification"
AUTOENCODER = "autoencoder"
TASKS = (CLASSIFICATION, AUTOENCODER)

# Built-in data sets (anything else is taken as the path of a .npz file).
DATASETS = {
    "digits": "scikit-learn 8x8 handwritten digits, scaled to [0, 1], fixed stratified split 1257/180/360",
    "synthetic": "random data shaped for the model, deterministic by seed; accuracy on it means nothing",
}

NPZ_REQUIRED_KEYS = ("x_train", "y_train", "x_test", "y_test")
SYNTHETIC_SAMPLES = (512, 128, 256)  # train, val, test
_VAL_FRACTION = 0.1  # of the training set, when a .npz brings no validation split


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train, validation and test splits of one data set, as float32 inputs and labels or targets.

    For ``task == "classification"`` the ``y_*`` arrays are int64 class indices; for
    ``"autoencoder"`` they are the reconstruction targets, shaped like the inputs. The arrays are made
    read-only so that a data set shared between pipeline stages cannot be changed by one of them.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    synthetic: bool
    task: str

    def __post_init__(self):
        if self.task not in TASKS:
            raise UsageError(f"data set {self.name!r}: unknown task {self.task!r}; expected one of {', '.join(TASKS)}")
        for split in ("train", "val", "test"):
            x, y = getattr(self, f"x_{split}"), getattr(self, f"y_{split}")
            if len(x) != len(y):
                raise UsageError(f"data set {self.name!r}: x_{split} has {len(x)} samples but y_{split} has {len(y)}")
            x.setflags(write=False)
            y.setflags(write=False)

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape of one sample, without the batch dimension."""
        return tuple(self.x_train.shape[1:])

    @property
    def classes(self) -> int | None:
        """The number of classes seen in the labels (``None`` for an autoencoder data set)."""
        if self.task != CLASSIFICATION:
            return None
        return int(max(self.y_train.max(initial=0), self.y_val.max(initial=0), self.y_test.max(initial=0))) + 1

    @property
    def caveat(self) -> str | None:
        """What a report must print next to any accuracy measured on this data, or ``None``."""
        if self.synthetic:
            return f"data set {self.name!r} is synthetic: accuracy on it means nothing"
        return None


def load_dataset(
    source: str | Path,
    model_input_shape: Sequence[int] | None = None,
    seed: int = 0,
    *,
    classes: int | None = None,
    task: str = CLASSIFICATION,
    samples: tuple[int, int, int] = SYNTHETIC_SAMPLES,
) -> Dataset:
    """Load a built-in data set by name or a user ``.npz`` by path, checked against the model.

    ``model_input_shape`` (one sample, no batch dimension) is required for ``synthetic`` and checked
    for the others; ``classes`` and ``task`` describe the model's output. ``seed`` drives the synthetic
    generator and the validation split carved out of a ``.npz`` training set; the digits split is
    fixed. ``samples`` gives the train/val/test sizes of synthetic data.
    """
    if task not in TASKS:
        raise UsageError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")
    shape = None if model_input_shape is None else tuple(int(d) for d in model_input_shape)
    name = str(source)
    if name == "digits":
        return _digits(shape, classes, task)
    if name == "synthetic":
        return synthetic_dataset(shape, classes, task=task, seed=seed, samples=samples)
    path = Path(source)
    if path.suffix.lower() == ".npz" or path.exists():
        return _npz(path, shape, seed, classes, task)
    raise UsageError(f"unknown data set {name!r}; built-in data sets are: {', '.join(DATASETS)}. "
                     "To use your own data, pass the path of a .npz file with x_train, y_train, x_test, y_test.")


def check_dataset_file(path: str | Path, model_input_shape: Sequence[int] | None = None, *,
                       classes: int | None = None, task: str | None = None) -> None:
    """Check a user's ``.npz`` before any work (it is read again, the same way, when training starts):
    keys, numbers, sample counts, labels, and the model's input shape and classes when known. ``task``
    None (a user model, unknown before TensorFlow loads it): autoencoder data when every target has its
    inputs' shape, else classification."""
    path = Path(path)
    if task is None:
        arrays = _read_npz(path)
        pairs = [(arrays.get(f"x_{s}"), arrays.get(f"y_{s}")) for s in ("train", "val", "test")]
        task = AUTOENCODER if all(x is not None and y is not None and x.shape == y.shape
                                  for x, y in pairs if x is not None or y is not None) else CLASSIFICATION
    _npz(path, None if model_input_shape is None else tuple(int(d) for d in model_input_shape), 0, classes, task)


def _digits(shape: tuple[int, ...] | None, classes: int | None, task: str) -> Dataset:
    """scikit-learn's 1797 digits (bundled with scikit-learn, no download), stratified 70/10/20."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if task != CLASSIFICATION or classes not in (None, 10):
        raise UsageError(f"the digits data set has 10 classes; it does not fit a model for {task} "
                         f"with {classes} outputs")
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)
    if shape is None:
        shape = (8, 8, 1)
    if int(np.prod(shape)) != 64:
        raise UsageError(f"the digits data set has 8x8 = 64 pixels per sample; it does not fit a model with "
                         f"input shape {shape}")
    x = x.reshape((len(x),) + shape)
    y = digits.target.astype(np.int64)
    # Fixed random_state: the split is part of the data set's definition, not of the experiment's seed.
    x_rest, x_test, y_rest, y_test = train_test_split(x, y, test_size=0.2, stratify=y, random_state=0)
    x_train, x_val, y_train, y_val = train_test_split(x_rest, y_rest, test_size=0.125, stratify=y_rest, random_state=0)
    return Dataset("digits", x_train, y_train, x_val, y_val, x_test, y_test, synthetic=False, task=CLASSIFICATION)


def synthetic_dataset(
    shape: Sequence[int] | None,
    classes: int | None,
    *,
    task: str = CLASSIFICATION,
    seed: int = 0,
    samples: tuple[int, int, int] = SYNTHETIC_SAMPLES,
) -> Dataset:
    """Random data in [0, 1) for any input shape, deterministic by ``seed``.

    For classification each class has a fixed random prototype and a sample is half prototype, half
    noise, so a model can learn something and calibration sees realistic ranges; for an autoencoder the
    target is the input. Each split has its own generator, so changing one split's size leaves the
    others unchanged.
    """
    if shape is None:
        raise UsageError("synthetic data needs the model's input shape (pass model_input_shape)")
    shape = tuple(int(d) for d in shape)
    if not shape or any(d <= 0 for d in shape):
        raise UsageError(f"synthetic data needs a fully known input shape, got {shape}")
    if len(samples) != 3 or any(int(n) <= 0 for n in samples):
        raise UsageError(f"synthetic sample counts must be three positive numbers (train, val, test), got {samples}")
    if task == CLASSIFICATION and (classes is None or classes < 2):
        raise UsageError(f"synthetic classification data needs a class count of at least 2, got {classes}")
    prototypes = np.random.default_rng([seed, 0]).random((classes or 1,) + shape, dtype=np.float32)
    splits = []
    for index, count in enumerate(samples, start=1):
        rng = np.random.default_rng([seed, index])
        noise = rng.random((int(count),) + shape, dtype=np.float32)
        if task == CLASSIFICATION:
            y = rng.integers(0, classes, size=int(count), dtype=np.int64)
            x = 0.5 * prototypes[y] + 0.5 * noise
        else:
            x = noise
            y = x
        splits += [x, y]
    return Dataset("synthetic", *splits, synthetic=True, task=task)


def _npz(path: Path, shape: tuple[int, ...] | None, seed: int, classes: int | None, task: str) -> Dataset:
    """A user's ``.npz``: required keys x_train, y_train, x_test, y_test; optional x_val and y_val."""
    arrays = _read_npz(path)
    missing = [k for k in NPZ_REQUIRED_KEYS if k not in arrays]
    if missing:
        raise UsageError(f"{path}: missing key(s) {', '.join(missing)}; a data set .npz needs "
                         f"{', '.join(NPZ_REQUIRED_KEYS)} (and optionally x_val, y_val). Found: "
                         f"{', '.join(sorted(arrays)) or 'nothing'}")
    if ("x_val" in arrays) != ("y_val" in arrays):
        raise UsageError(f"{path}: has only one of x_val and y_val; give both or neither")
    origin = str(path)
    splits = {}
    for split in ("train", "val", "test"):
        if f"x_{split}" in arrays:
            x = _inputs(arrays[f"x_{split}"], f"{origin}: x_{split}", shape)
            y = _targets(arrays[f"y_{split}"], f"{origin}: y_{split}", task, x, classes)
            splits[split] = (x, y)
    _check_same_sample_shape(splits, origin)
    if "val" not in splits:
        splits["train"], splits["val"] = _split_validation(*splits["train"], seed, origin)
    return Dataset(path.name, *splits["train"], *splits["val"], *splits["test"], synthetic=False, task=task)


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        npz = np.load(path, allow_pickle=False)
        if not isinstance(npz, np.lib.npyio.NpzFile):
            raise UsageError(f"{path}: a single .npy array, not a .npz archive of named arrays")
        with npz:
            return {key: npz[key] for key in npz.files}
    except FileNotFoundError:
        raise UsageError(f"{path}: no such data set file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, expected a .npz file") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise UsageError(f"{path}: not a readable .npz file ({type(exc).__name__}: {exc}). Write it with "
                         "numpy.savez(path, x_train=..., y_train=..., x_test=..., y_test=...); object arrays "
                         "(pickles) are refused.") from None


def _inputs(x: np.ndarray, what: str, shape: tuple[int, ...] | None) -> np.ndarray:
    """Float32 inputs with the model's sample shape; a missing trailing channel of 1 is added."""
    if x.ndim < 2 or len(x) == 0:
        raise UsageError(f"{what}: expected a non-empty array of samples, got shape {x.shape}")
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_):
        raise UsageError(f"{what}: expected numbers, got dtype {x.dtype}")
    x = x.astype(np.float32)
    if not np.isfinite(x).all():
        raise UsageError(f"{what}: contains NaN or infinite values")
    if shape is not None and x.shape[1:] != shape:
        if x.shape[1:] + (1,) == shape:
            x = x[..., None]
        else:
            raise UsageError(f"{what}: samples have shape {x.shape[1:]} but the model's input is {shape}")
    return x


def _targets(y: np.ndarray, what: str, task: str, x: np.ndarray, classes: int | None) -> np.ndarray:
    if len(y) != len(x):
        raise UsageError(f"{what}: {len(y)} entries for {len(x)} input samples")
    if task == AUTOENCODER:
        if y.size != x.size:
            raise UsageError(f"{what}: autoencoder targets have shape {y.shape[1:]}, the inputs {x.shape[1:]}")
        return y.astype(np.float32).reshape(x.shape)
    return _labels(y, what, classes)


def _labels(y: np.ndarray, what: str, classes: int | None) -> np.ndarray:
    """Integer class indices from class indices, a (N, 1) column or one-hot rows."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    elif y.ndim == 2 and np.isin(y, (0, 1)).all() and (y.sum(axis=1) == 1).all():
        y = y.argmax(axis=1)
    if y.ndim != 1:
        raise UsageError(f"{what}: expected class indices of shape (N,) or one-hot rows, got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.number) or (y != np.round(y)).any():
        raise UsageError(f"{what}: class labels must be whole numbers, got dtype {y.dtype}")
    y = y.astype(np.int64)
    if y.size and y.min() < 0:
        raise UsageError(f"{what}: negative class label {int(y.min())}")
    if classes is not None and y.size and y.max() >= classes:
        raise UsageError(f"{what}: label {int(y.max())} does not fit a model with {classes} classes")
    return y


def _check_same_sample_shape(splits: dict, origin: str) -> None:
    shapes = {split: x.shape[1:] for split, (x, _) in splits.items()}
    if len(set(shapes.values())) > 1:
        listed = ", ".join(f"x_{split} {shape}" for split, shape in shapes.items())
        raise UsageError(f"{origin}: the splits have different sample shapes ({listed})")


def _split_validation(x: np.ndarray, y: np.ndarray, seed: int, origin: str):
    """Carve a seeded, random 10 % validation split out of the training set."""
    n_val = max(1, int(round(len(x) * _VAL_FRACTION)))
    if len(x) - n_val < 1:
        raise UsageError(f"{origin}: x_train has {len(x)} sample(s), too few to split off a validation set; "
                         "add x_val and y_val to the file")
    order = np.random.default_rng(seed).permutation(len(x))
    train, val = order[n_val:], order[:n_val]
    return (x[train], y[train]), (x[val], y[val])
