"""Tests for hil_bench.models: the zoo matches the published MLPerf Tiny architectures, digits_cnn
trains, builds are deterministic, and user model files load or fail with one clear paragraph."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from hil_bench._keras import keras, tf
from hil_bench.datasets import AUTOENCODER, CLASSIFICATION, load_dataset
from hil_bench.errors import ModelFileError, UnsupportedModelError, UsageError
from hil_bench.models import MODELS, build_model, get_spec, infer_spec, load_model

MLPERF = Path(__file__).resolve().parent / "fixtures" / "mlperf_tiny"


@pytest.fixture(scope="session")
def zoo() -> dict:
    return {name: build_model(name) for name in MODELS}


def _one_paragraph(err: pytest.ExceptionInfo) -> str:
    text = str(err.value)
    assert "\n" not in text and len(text) > 20
    return text


def _kernels(model, layer_type) -> list[tuple[int, ...]]:
    return [tuple(layer.get_weights()[0].shape) for layer in model.layers if type(layer) is layer_type]


@pytest.mark.parametrize("name", list(MODELS))
def test_zoo_shapes_match_the_registry(zoo, name):
    model, spec = zoo[name], MODELS[name]
    assert isinstance(model, keras.Model) and model.name == name
    assert tuple(model.input_shape[1:]) == spec.input_shape
    expected_out = spec.input_shape if spec.task == AUTOENCODER else (spec.classes,)
    assert tuple(model.output_shape[1:]) == expected_out
    assert infer_spec(model) is spec


def test_digits_cnn_is_small_and_has_every_preserved_layer_kind(zoo):
    model = zoo["digits_cnn"]
    assert 1000 < model.count_params() < 10000
    kinds = {type(layer) for layer in model.layers}
    assert {keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.Dense} <= kinds


def test_resnet8_has_the_reference_weights_layout(zoo):
    """Same weights, in the same order and shapes, as MLPerf Tiny's pretrained ResNet-8."""
    reference = load_model(MLPERF / "ic_resnet8_float.h5")
    ours = zoo["resnet8"]
    assert ours.count_params() == reference.count_params() == 78666
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in reference.weights]


def _as_tflite_layout(shape: tuple[int, ...], layer_type) -> tuple[int, ...]:
    if layer_type is keras.layers.DepthwiseConv2D:  # Keras [H, W, C, 1] -> TFLite [1, H, W, C]
        return (1, shape[0], shape[1], shape[2])
    if layer_type is keras.layers.Dense:  # [I, O] -> [O, I]
        return (shape[1], shape[0])
    return (shape[3], shape[0], shape[1], shape[2])  # Conv2D [H, W, I, O] -> [O, H, W, I]


def test_ds_cnn_has_the_reference_kws_weight_shapes(zoo):
    """Every conv/dense weight of the MLPerf Tiny KWS reference .tflite, in graph order."""
    from hil_bench.tflite import weight_tensors

    reference = [t.values.shape for t in weight_tensors(MLPERF / "kws_ref_model.tflite")]
    weighted = (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.Dense)
    ours = [_as_tflite_layout(layer.get_weights()[0].shape, type(layer))
            for layer in zoo["ds_cnn"].layers if type(layer) in weighted]
    assert ours == reference


def test_mobilenet_v1_025_follows_the_vww_reference(zoo):
    model = zoo["mobilenet_v1_025"]
    assert _kernels(model, keras.layers.DepthwiseConv2D) == [(3, 3, c, 1) for c in
                                                           (8, 16, 32, 32, 64, 64, 128, 128, 128, 128, 128, 128, 256)]
    pointwise = [s[-1] for s in _kernels(model, keras.layers.Conv2D)]
    assert pointwise == [8, 16, 32, 32, 64, 64, 128, 128, 128, 128, 128, 128, 256, 256]
    assert tuple(model.get_layer("pool").input_shape[1:]) == (3, 3, 256)


def test_fc_autoencoder_follows_the_ad_reference(zoo):
    units = [s[-1] for s in _kernels(zoo["fc_autoencoder"], keras.layers.Dense)]
    assert units == [128, 128, 128, 128, 8, 128, 128, 128, 128, 640]
    assert MODELS["fc_autoencoder"].classes is None


def test_build_is_deterministic_by_seed():
    a, b, c = build_model("digits_cnn", seed=1), build_model("digits_cnn", seed=1), build_model("digits_cnn", seed=2)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_digits_cnn_trains_to_95_percent():
    data = load_dataset("digits")
    model = build_model("digits_cnn", seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(data.x_train, data.y_train, epochs=8, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(data.x_test, data.y_test, verbose=0)
    assert accuracy >= 0.95


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(UsageError) as err:
        load_model("resnet9")
    text = _one_paragraph(err)
    assert all(name in text for name in MODELS)
    with pytest.raises(UsageError):
        get_spec("resnet9")


def test_load_model_by_name_builds_it():
    assert load_model("fc_autoencoder").name == "fc_autoencoder"


# ---- user model files ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def small_model():
    inputs = keras.Input((4, 4, 1))
    x = keras.layers.Conv2D(2, 3, name="c")(inputs)
    outputs = keras.layers.Dense(3, name="d")(keras.layers.Flatten()(x))
    return keras.Model(inputs, outputs, name="small")


def _same_weights(a, b) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights()))


def test_h5_round_trip(tmp_path, small_model):
    path = tmp_path / "m.h5"
    small_model.save(path)
    loaded = load_model(path)
    assert isinstance(loaded, keras.Model) and _same_weights(loaded, small_model)
    assert load_model(str(path)).name == "small"


def test_tf_keras_dot_keras_file_loads(tmp_path, small_model):
    path = tmp_path / "m.keras"
    small_model.save(path)
    assert _same_weights(load_model(path), small_model)


def test_saved_model_directory_loads(tmp_path, small_model):
    small_model.save(tmp_path / "sm", save_format="tf")
    assert _same_weights(load_model(tmp_path / "sm"), small_model)


def test_plain_tf_saved_model_is_refused(tmp_path):
    module = tf.Module()
    module.v = tf.Variable(1.0)
    tf.saved_model.save(module, str(tmp_path / "plain"))
    with pytest.raises(UnsupportedModelError, match="without Keras metadata") as err:
        load_model(tmp_path / "plain")
    _one_paragraph(err)


def test_mlperf_resnet8_h5_loads_with_its_spec():
    model = load_model(MLPERF / "ic_resnet8_float.h5")
    spec = infer_spec(model)
    assert (spec.input_shape, spec.classes, spec.task, spec.dataset) == ((32, 32, 3), 10, CLASSIFICATION, "synthetic")


@pytest.fixture(scope="session")
def keras3():
    keras3 = pytest.importorskip("keras")
    if not keras3.__version__.startswith("3"):
        pytest.skip(f"keras {keras3.__version__} installed, not Keras 3")
    return keras3


@pytest.fixture(scope="session")
def keras3_model(keras3):
    return keras3.Sequential([keras3.Input((4,)), keras3.layers.Dense(2)])


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_keras3_files_load_converted_to_tf_keras(tmp_path, keras3_model, suffix):
    path = tmp_path / f"m{suffix}"
    keras3_model.save(path)
    notes = []
    model = load_model(path, notify=notes.append)
    assert isinstance(model, keras.Model) and _same_weights(model, keras3_model)
    assert len(notes) == 1 and "max abs difference" in notes[0]


def test_keras3_model_object_is_converted(keras3_model):
    model = load_model(keras3_model)
    assert isinstance(model, keras.Model) and _same_weights(model, keras3_model)


def test_corrupt_h5_is_a_model_file_error(tmp_path):
    path = tmp_path / "m.h5"
    path.write_bytes(os.urandom(2048))
    with pytest.raises(ModelFileError) as err:
        load_model(path)
    _one_paragraph(err)


def test_truncated_h5_is_a_model_file_error(tmp_path, small_model):
    good = tmp_path / "good.h5"
    small_model.save(good)
    cut = tmp_path / "cut.h5"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ModelFileError):
        load_model(cut)


def test_weights_only_h5_is_refused(tmp_path, small_model):
    path = tmp_path / "w.h5"
    small_model.save_weights(path)
    with pytest.raises(ModelFileError, match="save_weights"):
        load_model(path)


def test_corrupt_keras_archive_is_a_model_file_error(tmp_path):
    path = tmp_path / "m.keras"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ModelFileError):
        load_model(path)


def _file(path, suffix):
    path = path.with_suffix(suffix)
    path.write_bytes(b"x")
    return path


def _directory(path):
    path.mkdir()
    return path


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda p: p.with_suffix(".h5"), "no such model"),
        (_directory, "not a SavedModel"),
        (lambda p: _file(p, ".tflite"), "already converted"),
        (lambda p: _file(p, ".onnx"), "unsupported model file"),
    ],
    ids=["missing", "plain-directory", "tflite", "onnx"],
)
def test_path_errors_are_usage_errors(tmp_path, make, match):
    with pytest.raises(UsageError, match=match) as err:
        load_model(make(tmp_path / "thing"))
    _one_paragraph(err)


def test_multi_input_and_unknown_shape_models_are_refused():
    a, b = keras.Input((3,)), keras.Input((3,))
    two_inputs = keras.Model([a, b], keras.layers.Add()([a, b]))
    with pytest.raises(UnsupportedModelError, match="2 inputs"):
        load_model(two_inputs)
    free = keras.Input((None, None, 1))
    open_shape = keras.Model(free, keras.layers.Conv2D(1, 1)(free))
    with pytest.raises(UnsupportedModelError, match="unknown dimensions"):
        load_model(open_shape)


def test_not_a_model_object_is_refused():
    with pytest.raises(UnsupportedModelError):
        load_model(42)


def test_infer_spec_reads_user_models(small_model):
    spec = infer_spec(small_model)
    assert (spec.input_shape, spec.classes, spec.task, spec.builder) == ((4, 4, 1), 3, CLASSIFICATION, None)
    inputs = keras.Input((16,))
    auto = keras.Model(inputs, keras.layers.Dense(16)(inputs), name="resnet8")  # borrowed name, other shape
    spec = infer_spec(auto)
    assert spec is not MODELS["resnet8"] and (spec.task, spec.classes) == (AUTOENCODER, None)

