"""The model zoo and the loader for user models.

A built-in model is a row of :data:`MODELS`: a name, the function that builds it, its input shape, its
class count, its task and the data set it is meant for. The MLPerf Tiny rows rebuild the published
reference architectures (same layers, shapes, initializers and L2 weight decay), so that a size or
latency measured here compares with MLPerf Tiny results; ``digits_cnn`` is a few-thousand-parameter
model that trains in seconds and exercises every layer kind the preserve quantizers handle
(Conv2D, DepthwiseConv2D, Dense).

User models come from a path: a tf_keras ``.h5`` file, a tf_keras SavedModel directory, or a ``.keras``
file. TFMOT optimizes Keras 2 (tf_keras) models only, so a Keras 3 model (a ``.keras`` or ``.h5`` file
written by Keras 3, or a ``keras.Model`` object) is converted to an equal tf_keras model by
:mod:`hil_bench.keras3`, which refuses what it cannot convert exactly.

TensorFlow is imported only when a model is built or loaded, so listing the zoo stays cheap.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

Notify = Callable[[str], None]

from hil_bench.datasets import AUTOENCODER, CLASSIFICATION, DATASETS, check_dataset_file, load_dataset
from hil_bench.errors import ModelFileError, UnsupportedModelError, UsageError
from hil_bench.keras3 import convert, is_keras3_model, load_file

# MLPerf Tiny trains every reference model with L2 weight decay 1e-4 on the kernels.
_WEIGHT_DECAY = 1e-4


@dataclass(frozen=True)
class ModelSpec:
    """What hil-bench knows about a model: enough to pick data for it and to report on it.

    ``classes`` is the number of output classes for classification and ``None`` for an autoencoder
    (whose output has the input's shape). ``dataset`` names the data set in :mod:`hil_bench.datasets`
    to use by default; ``builder`` is ``None`` for a user model.
    """

    name: str
    input_shape: tuple[int, ...]
    classes: int | None
    task: str
    dataset: str
    builder: Callable[[int], object] | None = None
    description: str = ""


class _Init:
    """Hands out seeded initializers, one fresh seed per layer, so a build is deterministic.

    Seeding each initializer (instead of setting TensorFlow's global seed) keeps ``build_model``
    free of side effects on the caller's random state.
    """

    def __init__(self, seed: int):
        self._next = seed * 1000

    def _seed(self) -> int:
        self._next += 1
        return self._next

    def he_normal(self):
        # start-up cost: pulls TensorFlow, loaded only when this runs
        from hil_bench._keras import keras

        return keras.initializers.HeNormal(seed=self._seed())

    def glorot(self):
        # start-up cost: pulls TensorFlow, loaded only when this runs
        from hil_bench._keras import keras

        return keras.initializers.GlorotUniform(seed=self._seed())

    def dropout(self, rate: float, name: str):
        # start-up cost: pulls TensorFlow, loaded only when this runs
        from hil_bench._keras import keras

        return keras.layers.Dropout(rate, seed=self._seed(), name=name)


def _l2():
    # start-up cost: pulls TensorFlow, loaded only when this runs
    from hil_bench._keras import keras

    return keras.regularizers.l2(_WEIGHT_DECAY)


def _bn_relu(x, name: str):
    """BatchNormalization then ReLU, as every MLPerf Tiny reference model follows a conv or dense."""
    # start-up cost: pulls TensorFlow, loaded only when this runs
    from hil_bench._keras import keras

    x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    return keras.layers.Activation("relu", name=f"{name}_relu")(x)


def _build_digits_cnn(seed: int):
    """Conv2D -> DepthwiseConv2D -> pool -> Dense on 8x8 digits: ~2.9k parameters, no BatchNorm.

    Without BatchNorm every weight tensor reaches the .tflite unfolded, so sparsity and clusters can
    be compared one to one between the Keras stages and the int8 model.
    """
    # start-up cost: pulls TensorFlow, loaded only when this runs
    from hil_bench._keras import keras

    init, layers = _Init(seed), keras.layers
    inputs = keras.Input((8, 8, 1), name="input")
    x = layers.Conv2D(16, 3, padding="same", activation="relu", kernel_initializer=init.glorot(), name="conv")(inputs)
    x = layers.DepthwiseConv2D(3, padding="same", activation="relu", depthwise_initializer=init.glorot(),
                               name="dwconv")(x)
    x = layers.MaxPooling2D(2, name="pool")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(10, activation="softmax", kernel_initializer=init.glorot(), name="dense")(x)
    return keras.Model(inputs, outputs, name="digits_cnn")


def _build_ds_cnn(seed: int):
    """MLPerf Tiny keyword spotting DS-CNN: a 10x4 stride-2 conv, four depthwise-separable blocks of
    64 channels, average pooling over the whole map, and a 12-way softmax."""
    # start-up cost: pulls TensorFlow, loaded only when this runs
    from hil_bench._keras import keras

    init, layers, filters = _Init(seed), keras.layers, 64
    inputs = keras.Input((49, 10, 1), name="input")
    x = layers.Conv2D(filters, (10, 4), strides=2, padding="same", kernel_regularizer=_l2(),
                      kernel_initializer=init.glorot(), name="conv0")(inputs)
    x = _bn_relu(x, "conv0")
    x = init.dropout(0.2, "dropout0")(x)
    for i in range(1, 5):
        x = layers.DepthwiseConv2D(3, padding="same", depthwise_regularizer=_l2(),
                                   depthwise_initializer=init.glorot(), name=f"dw{i}")(x)
        x = _bn_relu(x, f"dw{i}")
        x = layers.Conv2D(filters, 1, padding="same", kernel_regularizer=_l2(),
                          kernel_initializer=init.glorot(), name=f"pw{i}")(x)
        x = _bn_relu(x, f"pw{i}")
    x = init.dropout(0.4, "dropout1")(x)
    x = layers.AveragePooling2D(pool_size=(49 // 2, 10 // 2), name="pool")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(12, activation="softmax", kernel_initializer=init.glorot(), name="dense")(x)
    return keras.Model(inputs, outputs, name="ds_cnn")


def _build_resnet8(seed: int):
    """MLPerf Tiny image classification ResNet-8 (CIFAR-10): a 16-channel stem and three residual
    stacks of 16, 32 and 64 channels, the last two downsampling with a strided 1x1 conv shortcut."""
    # start-up cost: pulls TensorFlow, loaded only when this runs
    from hil_bench._keras import keras

    init, layers = _Init(seed), keras.layers

    def conv(x, filters, kernel, strides, name):
        return layers.Conv2D(filters, kernel, strides=strides, padding="same", kernel_initializer=init.he_normal(),
                             kernel_regularizer=_l2(), name=name)(x)

    inputs = keras.Input((32, 32, 3), name="input")
    x = _bn_relu(conv(inputs, 16, 3, 1, "stem"), "stem")
    for stack, filters in enumerate((16, 32, 64), start=1):
        strides = 1 if stack == 1 else 2
        y = _bn_relu(conv(x, filters, 3, strides, f"s{stack}_conv1"), f"s{stack}_conv1")
        y = layers.BatchNormalization(name=f"s{stack}_conv2_bn")(conv(y, filters, 3, 1, f"s{stack}_conv2"))
        shortcut = x if stack == 1 else conv(x, filters, 1, strides, f"s{stack}_shortcut")
        x = layers.Add(name=f"s{stack}_add")([shortcut, y])
        x = layers.Activation("relu", name=f"s{stack}_relu")(x)
    x = layers.AveragePooling2D(pool_size=8, name="pool")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(10, activation="softmax", kernel_initializer=init.he_normal(), name="dense")(x)
    return keras.Model(inputs, outputs, name="resnet8")


# MobileNetV1 depthwise-separable blocks as (pointwise filters, depthwise stride) at width 0.25.
_MOBILENET_BLOCKS = ((16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2),
                     (128, 1), (128, 1), (128, 1), (128, 1), (128, 1), (256, 2), (256, 1))


def _build_mobilenet_v1_025(seed: int):
    """MLPerf Tiny visual wake words MobileNetV1 (width 0.25, 96x96 RGB, person / no person)."""
    # start-up cost: pulls TensorFlow, loaded only when this runs
    from hil_bench._keras import keras

    init, layers = _Init(seed), keras.layers
    inputs = keras.Input((96, 96, 3), name="input")
    x = layers.Conv2D(8, 3, strides=2, padding="same", kernel_initializer=init.he_normal(),
                      kernel_regularizer=_l2(), name="conv0")(inputs)
    x = _bn_relu(x, "conv0")
    for i, (filters, strides) in enumerate(_MOBILENET_BLOCKS, start=1):
        x = layers.DepthwiseConv2D(3, strides=strides, padding="same", depthwise_initializer=init.he_normal(),
                                   depthwise_regularizer=_l2(), name=f"dw{i}")(x)
        x = _bn_relu(x, f"dw{i}")
        x = layers.Conv2D(filters, 1, padding="same", kernel_initializer=init.he_normal(),
                          kernel_regularizer=_l2(), name=f"pw{i}")(x)
        x = _bn_relu(x, f"pw{i}")
    x = layers.AveragePooling2D(pool_size=tuple(x.shape[1:3]), name="pool")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(2, activation="softmax", kernel_initializer=init.glorot(), name="dense")(x)
    return keras.Model(inputs, outputs, name="mobilenet_v1_025")


def _build_fc_autoencoder(seed: int):
    """MLPerf Tiny anomaly detection autoencoder: 640 -> 4x128 -> 8 -> 4x128 -> 640, all Dense."""
    # start-up cost: pulls TensorFlow, loaded only when this runs
    from hil_bench._keras import keras

    init, layers = _Init(seed), keras.layers
    inputs = keras.Input((640,), name="input")
    x = inputs
    for i, units in enumerate((128, 128, 128, 128, 8, 128, 128, 128, 128), start=1):
        x = layers.Dense(units, kernel_initializer=init.glorot(), name=f"dense{i}")(x)
        x = _bn_relu(x, f"dense{i}")
    outputs = layers.Dense(640, kernel_initializer=init.glorot(), name="output")(x)
    return keras.Model(inputs, outputs, name="fc_autoencoder")


MODELS: Mapping[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec("digits_cnn", (8, 8, 1), 10, CLASSIFICATION, "digits", _build_digits_cnn,
                  "Conv2D + DepthwiseConv2D + Dense for scikit-learn digits, ~2.9k parameters"),
        ModelSpec("ds_cnn", (49, 10, 1), 12, CLASSIFICATION, "synthetic", _build_ds_cnn,
                  "MLPerf Tiny keyword spotting DS-CNN (49x10 MFCC, 12 keywords)"),
        ModelSpec("resnet8", (32, 32, 3), 10, CLASSIFICATION, "synthetic", _build_resnet8,
                  "MLPerf Tiny image classification ResNet-8 (CIFAR-10)"),
        ModelSpec("mobilenet_v1_025", (96, 96, 3), 2, CLASSIFICATION, "synthetic", _build_mobilenet_v1_025,
                  "MLPerf Tiny visual wake words MobileNetV1 0.25"),
        ModelSpec("fc_autoencoder", (640,), None, AUTOENCODER, "synthetic", _build_fc_autoencoder,
                  "MLPerf Tiny anomaly detection fully connected autoencoder (640 in/out)"),
    )
}


def get_spec(name: str) -> ModelSpec:
    """The registry row of a built-in model; an unknown name raises a UsageError listing the names."""
    try:
        return MODELS[name]
    except KeyError:
        raise UsageError(f"unknown model {name!r}; built-in models are: {', '.join(MODELS)}. "
                         "To use your own, pass the path of a .keras or .h5 file (Keras 3 or tf_keras) or of a "
                         "tf_keras SavedModel directory.") from None


def build_model(name: str, seed: int = 0):
    """Build a fresh, untrained built-in model; the same ``name`` and ``seed`` give identical weights."""
    return get_spec(name).builder(seed)


def load_model(source, *, seed: int = 0, notify: Notify | None = None):
    """A tf_keras model from a built-in name, a model file or directory, or a model object.

    ``source`` is a name of :data:`MODELS` (built fresh with ``seed``), a path to an ``.h5`` file,
    SavedModel directory or ``.keras`` file, or a model already in memory (returned as is once checked).
    A Keras 3 model or file is converted to tf_keras and checked equal (:mod:`hil_bench.keras3`);
    ``notify`` gets the one-line summary with the largest difference found. What cannot be converted
    raises :class:`UnsupportedModelError`; unreadable files raise :class:`ModelFileError`; unknown names
    :class:`UsageError`. The result has one input with a fully known shape, which TFLite Micro needs.
    """
    if not isinstance(source, (str, Path)):
        # start-up cost: pulls TensorFlow, loaded only when this runs
        from hil_bench._keras import require_keras2_model

        if is_keras3_model(source):
            return _check_io(_converted(convert(source), notify), "the model passed in")
        return _check_io(require_keras2_model(source), "the model passed in")
    if isinstance(source, str) and source in MODELS:
        return build_model(source, seed=seed)
    path = Path(source)
    if not path.exists():
        if isinstance(source, str) and not path.suffix and "/" not in source and "\\" not in source:
            get_spec(source)  # raises the "unknown model" error with the list of names
        raise UsageError(f"{path}: no such model file or directory")
    return _check_io(_load_path(path, notify), str(path))


def _converted(conversion, notify: Notify | None):
    if notify is not None:
        notify(conversion.summary())
    return conversion.model


def _load_path(path: Path, notify: Notify | None = None):
    """Dispatch on the kind of model file; each loader checks its format before TensorFlow reads it."""
    if path.is_dir():
        return _load_saved_model(path)
    suffix = path.suffix.lower()
    if suffix in (".h5", ".hdf5", ".keras"):
        version = _keras_zip_version(path) if suffix == ".keras" else _h5_version(path)
        if version.startswith("3"):
            return _converted(load_file(path), notify)
        return _keras_load(path)
    if suffix == ".tflite":
        raise UsageError(f"{path}: a .tflite is already converted and cannot be optimized again; pass the Keras "
                         "model it came from, or use `hil-bench audit` / `hil-bench export` on the .tflite")
    raise UsageError(f"{path}: unsupported model file type {suffix or '(no suffix)'!r}; pass a .keras or .h5 file "
                     "(Keras 3 or tf_keras) or a tf_keras SavedModel directory")


def _h5_version(path: Path) -> str:
    """The Keras version that wrote an HDF5 model, after checking the file holds a whole model."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            version = _text(f.attrs.get("keras_version", ""))
            has_model = "model_config" in f.attrs
    except OSError as exc:
        raise ModelFileError(f"{path}: not a readable HDF5 file ({exc}); the file is corrupt, truncated or "
                             "not a Keras model. Re-save the model with model.save('model.h5').") from None
    if not has_model:
        raise ModelFileError(f"{path}: the HDF5 file holds no model architecture (weights only?). Save the whole "
                             "model with model.save('model.h5'), not save_weights().")
    return version


def _keras_zip_version(path: Path) -> str:
    """The Keras version that wrote a .keras archive (2.x: tf_keras, 3.x: Keras 3)."""
    try:
        with zipfile.ZipFile(path) as zf:
            meta = json.loads(zf.read("metadata.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ModelFileError(f"{path}: not a valid .keras archive ({type(exc).__name__}: {exc}); the file is "
                             "corrupt or truncated. Re-save the model with model.save('model.keras').") from None
    version = str(meta.get("keras_version", ""))
    if not version.startswith(("2", "3")):
        raise ModelFileError(f"{path}: written by Keras {version or '(unknown version)'}, which hil-bench does "
                             "not know; save the model with Keras 3 or tf_keras.")
    return version


def _load_saved_model(path: Path):
    if not (path / "saved_model.pb").is_file():
        raise UsageError(f"{path}: a directory but not a SavedModel (no saved_model.pb inside)")
    if not (path / "keras_metadata.pb").is_file():
        raise UnsupportedModelError(
            f"{path}: a SavedModel without Keras metadata (written by tf.saved_model.save or Keras 3 "
            "model.export()), so it has no layers to prune or cluster. Pass the model itself instead: a Keras 3 "
            "model saved with model.save('model.keras'), or a tf_keras one saved with model.save('model.h5').")
    return _keras_load(path)


def _keras_load(path: Path):
    """Load with tf_keras, without the training config, turning loader failures into one-line errors."""
    # start-up cost: pulls TensorFlow, loaded only when this runs
    from hil_bench._keras import keras, require_keras2_model

    try:
        model = keras.models.load_model(str(path), compile=False)
    except (ValueError, TypeError) as exc:
        raise UnsupportedModelError(
            f"{path}: tf_keras could not rebuild the model ({_first_line(exc)}). If it uses custom layers, load "
            "it yourself inside keras.utils.custom_object_scope and pass the model object.") from None
    except Exception as exc:  # tf_keras/h5py raise OSError, KeyError, ... on damaged files
        raise ModelFileError(f"{path}: could not read the model ({type(exc).__name__}: {_first_line(exc)}); the "
                             "file is corrupt or truncated. Re-save it with tf_keras model.save().") from None
    return require_keras2_model(model, what=f"model in {path}")


def _check_io(model, origin: str):
    """Refuse models the int8 pipeline cannot take: several inputs, or an input with unknown dimensions."""
    if len(model.inputs) != 1:
        raise UnsupportedModelError(f"{origin}: the model has {len(model.inputs)} inputs; hil-bench handles "
                                    "models with exactly one input")
    shape = tuple(model.inputs[0].shape)[1:]
    if any(d is None for d in shape):
        raise UnsupportedModelError(f"{origin}: input shape {shape} has unknown dimensions; TFLite Micro needs a "
                                    "fixed input shape, so rebuild the model with keras.Input(shape=(...)) fully given")
    return model


def infer_spec(model, name: str | None = None) -> ModelSpec:
    """The :class:`ModelSpec` of any loaded model: a built-in's registry row, or one read off its shapes.

    The registry row is used only when name and shapes both match, so a user model that happens to be
    called ``resnet8`` is not mistaken for ours.
    An output with the input's shape is taken as an autoencoder; any other output as classification
    with as many classes as the output's last dimension. User models get the synthetic data set by
    default, since hil-bench cannot know their data.
    """
    name = name or model.name
    input_shape = tuple(int(d) for d in model.inputs[0].shape[1:])
    output_shape = tuple(model.outputs[0].shape[1:])
    known = MODELS.get(name)
    if known is not None and known.input_shape == input_shape and output_shape == _expected_output(known):
        return known
    if output_shape == input_shape:
        return ModelSpec(name, input_shape, None, AUTOENCODER, "synthetic")
    return ModelSpec(name, input_shape, int(output_shape[-1]), CLASSIFICATION, "synthetic")


def _expected_output(spec: ModelSpec) -> tuple[int, ...]:
    return spec.input_shape if spec.task == AUTOENCODER else (spec.classes,)


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def save_h5(model, path: str | Path) -> Path:
    """Save a plain (float, pruned or clustered) tf_keras model as ``.h5``, atomically.

    HDF5 is what every tf_keras and TFMOT version reads back; the "legacy format" warning tf_keras
    prints for it is silenced because the choice is deliberate.
    """
    import os
    import tempfile
    import warnings

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".h5", dir=path.parent)
    os.close(fd)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="You are saving your model as an HDF5 file")
            model.save(tmp, save_format="h5", include_optimizer=False)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def check_model_source(source: str, option: str = "--model") -> None:
    """An unknown built-in name is refused before TensorFlow is imported (load_model would say the same
    after several seconds)."""
    if source not in MODELS and not Path(source).exists():
        if not Path(source).suffix and "/" not in source and "\\" not in source:
            get_spec(source)   # the "unknown model" error with the list of names
        raise UsageError(f"{option} {source}: no such file or folder (a .keras or .h5 file, a tf_keras "
                         "SavedModel directory, or a built-in model name)")
    if source not in MODELS and Path(source).is_file():
        from hil_bench.keras3.files import check_model_file

        check_model_file(Path(source))   # what the file alone decides: damage, layers hil-bench cannot run


def check_dataset_source(source: str | None, model: str | None = None) -> None:
    """An unknown data set name, a missing .npz or one that cannot work (keys, numbers, labels; against a
    built-in ``model``'s input and classes) is refused before TensorFlow is imported."""
    if source is None or source in DATASETS:
        return
    if not Path(source).exists():
        load_dataset(source)   # nothing to load: raises the "unknown data set" / "no such file" error at once
    spec = MODELS.get(model) if model else None
    if spec is None:
        check_dataset_file(source)
    else:
        check_dataset_file(source, spec.input_shape, classes=spec.classes, task=spec.task)
