"""Keras 3 models in: converted to tf_keras exactly, through `optimize --recipe pcqat` and `run --board host`
with the same int8 model the tf_keras conversion gives, and refused clearly when they cannot be."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hil_bench.cli.main import main
from hil_bench.datasets import load_dataset
from hil_bench.errors import ModelFileError, UnsupportedLayerError, UnsupportedModelError
from hil_bench.evaluate import io_quantization, quantize, run_tflm
from hil_bench.keras3 import convert
from hil_bench.models import load_model, save_h5
from hil_bench.tensor_types import numpy_dtype
from hil_bench.tflite import read_model

keras3 = pytest.importorskip("keras")
if not keras3.__version__.startswith("3"):
    pytest.skip(f"keras {keras3.__version__} installed, not Keras 3", allow_module_level=True)

# One epoch per fine-tuning step and big batches: enough for the chain to run, cheap on 2 cores.
TINY_PCQAT = """name = "tiny_pcqat"
[train]
batch_size = 128
[prune]
epochs = 1
[cluster]
epochs = 1
[qat]
mode = "pcqat"
epochs = 1
"""


def _digits_net():
    """A functional digits model with an Add branch and a Concatenate, and the usual companion layers."""
    layers = keras3.layers
    inputs = keras3.Input((8, 8, 1), name="pixels")
    x = layers.ZeroPadding2D(1, name="pad")(inputs)
    x = layers.Conv2D(8, 3, kernel_regularizer=keras3.regularizers.L2(1e-4), name="conv")(x)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.ReLU(name="relu")(x)
    a = layers.SeparableConv2D(8, 3, padding="same", activation="relu", name="sep")(x)
    b = layers.DepthwiseConv2D(3, padding="same", name="dw")(x)
    b = layers.Activation("relu6", name="relu6")(b)
    x = layers.Add(name="add")([a, b])
    c = layers.Conv2D(4, 1, activation="relu", name="squeeze")(x)
    x = layers.Concatenate(name="concat")([x, c])
    x = layers.MaxPooling2D(2, name="pool")(x)
    x = layers.Dropout(0.1, name="drop")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(10, activation="softmax", name="dense")(x)
    model = keras3.Model(inputs, outputs, name="k3_digits")
    bn = model.get_layer("bn")   # BatchNorm statistics away from identity, so a mix-up would show
    rng = np.random.default_rng(1)
    bn.set_weights([rng.uniform(0.5, 2.0, w.shape).astype(np.float32) for w in bn.get_weights()])
    return model


@pytest.fixture(scope="module")
def k3_model():
    return _digits_net()


@pytest.fixture(scope="module")
def k3_file(k3_model, tmp_path_factory):
    path = tmp_path_factory.mktemp("keras3") / "k3_digits.keras"
    k3_model.save(path)
    return path


def _max_diff(model3, model2, x) -> float:
    return float(np.max(np.abs(np.asarray(model3(x, training=False)) - model2(x, training=False).numpy())))


def test_keras3_file_converts_to_an_equal_tf_keras_model(k3_model, k3_file):
    notes = []
    model = load_model(k3_file, notify=notes.append)
    digits = load_dataset("digits", (8, 8, 1)).x_test[:64]
    assert _max_diff(k3_model, model, digits) < 1e-5
    names = [layer.name for layer in model.layers]
    assert "sep_depthwise" in names and "sep_pointwise" in names and "sep" not in names
    assert model.get_layer("conv").kernel_regularizer.get_config()["l2"] == pytest.approx(1e-4)
    assert len(notes) == 1 and "max abs difference" in notes[0] and str(k3_file) in notes[0]


def test_sequential_with_the_other_layers_converts():
    layers = keras3.layers
    model = keras3.Sequential([
        keras3.Input((8, 8, 1)), layers.Conv2D(4, 3, padding="same", activation="tanh"),
        layers.AveragePooling2D(2), layers.ReLU(max_value=6.0), layers.Flatten(), layers.Dense(12, activation="sigmoid"),
        layers.Reshape((3, 4)), layers.Softmax(), layers.Flatten(), layers.Dense(3)], name="seq")
    conversion = convert(model)
    x = np.random.default_rng(2).standard_normal((8, 8, 8, 1)).astype(np.float32)
    assert conversion.max_abs_diff <= conversion.limit and _max_diff(model, conversion.model, x) < 1e-5
    assert conversion.layers == 9 and conversion.model.name == "seq"


def test_a_shared_layer_is_shared_in_the_conversion():
    layers = keras3.layers
    inputs = keras3.Input((6,))
    shared = layers.Dense(6, activation="relu", name="shared")
    outputs = layers.Add(name="sum")([shared(inputs), shared(layers.Dense(6, name="pre")(inputs))])
    model = keras3.Model(inputs, outputs)
    conversion = convert(model)
    x = np.random.default_rng(3).standard_normal((8, 6)).astype(np.float32)
    assert _max_diff(model, conversion.model, x) < 1e-5
    assert len(conversion.model.get_layer("shared")._inbound_nodes) == 2


def test_a_difference_above_the_limit_is_refused(k3_model, monkeypatch):
    import hil_bench.keras3 as k3

    baseline = convert(k3_model).max_abs_diff
    assert baseline > 0   # float32 round-off between the two Keras: the check compares real outputs
    monkeypatch.setattr(k3, "TOLERANCE", baseline / 10)
    with pytest.raises(UnsupportedModelError, match="differs from the Keras 3 model"):
        convert(k3_model)


@pytest.fixture(scope="module")
def optimized(k3_model, k3_file, tmp_path_factory):
    """`optimize --recipe pcqat` on the .keras file, and on the same model converted in Python and saved
    by tf_keras as .h5: the int8 models of both paths."""
    root = tmp_path_factory.mktemp("keras3-optimize")
    recipe = root / "tiny_pcqat.toml"
    recipe.write_text(TINY_PCQAT)
    h5 = save_h5(convert(k3_model).model, root / "converted.h5")
    out = {}
    for label, source in (("keras3", k3_file), ("tf_keras", h5)):
        out[label] = root / label
        args = ["optimize", "--model", str(source), "--recipe", str(recipe), "--dataset", "digits",
                "--out", str(out[label]), "-q"]
        assert main(args) == 0, label
    return out


def test_optimize_pcqat_gives_the_tf_keras_path_int8_model(optimized):
    """Both paths hand the pipeline the same model: the tf_keras one finds every stage the .keras run
    stored under the content key of its architecture and weights, and so the same int8 model."""
    tflite = (optimized["keras3"] / "model_int8.tflite").read_bytes()
    graph = read_model(tflite).subgraphs[0]
    io_types = [numpy_dtype(graph.tensors[i].type, "io") for i in (graph.inputs[0], graph.outputs[0])]
    assert io_types == [np.int8, np.int8]
    assert tflite == (optimized["tf_keras"] / "model_int8.tflite").read_bytes()
    metrics = json.loads((optimized["keras3"] / "metrics.json").read_text())
    assert metrics["sparsity_survived"] and metrics["clusters_survived"]
    assert [s["name"] for s in metrics["stages"]] == ["float", "prune", "cluster", "qat", "int8"]
    tf_keras_stages = json.loads((optimized["tf_keras"] / "metrics.json").read_text())["stages"]
    assert all(s["cached"] for s in tf_keras_stages[1:])


def test_the_int8_model_runs_on_the_host_board_as_tflite_micro_does(optimized, capsys):
    saved = {}
    for label, folder in optimized.items():
        saved[label] = folder / "y.npy"
        args = ["run", str(folder / "model_int8.tflite"), "--board", "host", "--dataset", "digits", "--limit", "40",
                "--save-outputs", str(saved[label]), "--json"]
        assert main(args) == 0, label
        capsys.readouterr()
    tflite = (optimized["keras3"] / "model_int8.tflite").read_bytes()
    q_in, _ = io_quantization(tflite)
    x = quantize(load_dataset("digits", (8, 8, 1)).x_test[:40], q_in)
    expected = run_tflm(tflite, x)
    device = np.load(saved["keras3"])
    assert np.array_equal(device.reshape(expected.shape), expected)
    assert np.array_equal(device, np.load(saved["tf_keras"]))


def _saved(model, path):
    model.save(path)
    return str(path)


def test_an_unsupported_layer_is_refused_by_name_with_exit_2(tmp_path, capsys):
    layers = keras3.layers
    lstm = keras3.Sequential([keras3.Input((8, 8)), layers.LSTM(4, name="my_lstm"), layers.Dense(10)])
    code = main(["optimize", "--model", _saved(lstm, tmp_path / "lstm.keras"), "--recipe", "pcqat",
                 "--dataset", "digits", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "'my_lstm' (LSTM)" in err and "tf_keras" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()

    inputs = keras3.Input((4,))
    lam = keras3.Model(inputs, layers.Lambda(lambda t: t * 2.0, name="double")(inputs))
    with pytest.raises(UnsupportedLayerError, match=r"'double' \(Lambda\)"):
        load_model(_saved(lam, tmp_path / "lam.keras"))   # refused from the config, never deserialized
    with pytest.raises(UnsupportedLayerError, match=r"'double' \(Lambda\)"):
        load_model(lam)
    gelu = keras3.Model(inputs, layers.Dense(3, activation="gelu", name="fc")(inputs))
    with pytest.raises(UnsupportedLayerError, match=r"'fc' \(Dense\): activation 'gelu'"):
        load_model(gelu)
    with pytest.raises(UnsupportedLayerError, match=r"keras\.ops operation.*keras\.layers\.Add"):
        load_model(keras3.Model(inputs, keras3.ops.add(inputs, inputs)))


def test_subclassed_models_and_exported_saved_models_are_refused(tmp_path):
    class Doubler(keras3.Model):
        def call(self, x):
            return x * 2.0

    with pytest.raises(UnsupportedModelError, match="subclassed"):
        load_model(Doubler())
    inputs = keras3.Input((4,))
    keras3.Model(inputs, keras3.layers.Dense(2)(inputs)).export(str(tmp_path / "exported"), verbose=False)
    with pytest.raises(UnsupportedModelError, match=r"model.export\(\).*model.save\('model.keras'\)"):
        load_model(tmp_path / "exported")


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_corrupt_keras_file_is_a_clear_error(k3_file, tmp_path, capsys, damage):
    data = k3_file.read_bytes()
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8 if damage == "garbage" else data[: len(data) * 2 // 3])
    with pytest.raises(ModelFileError, match="corrupt or truncated"):
        load_model(bad)
    code = main(["optimize", "--model", str(bad), "--recipe", "pcqat", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1 and "bad.keras" in err and "Traceback" not in err
