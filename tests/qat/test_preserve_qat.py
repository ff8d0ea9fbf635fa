"""Proof that preserve-QAT keeps zeros and clusters, in Keras and in the int8 .tflite — and that plain
QAT at the same learning rate does not (so the problem these tests guard against is real)."""

from __future__ import annotations

import numpy as np
import pytest

from hil_bench._keras import keras, tfmot
from hil_bench.audit import _KERAS_KERNELS, audit_keras, audit_tflite, survival
from hil_bench.errors import UsageError
from hil_bench.qat import preserve_quantize, preserved_kernels
from hil_bench.qat.scheme import PreserveQuantizeScheme
from hil_bench.tflite import to_int8_tflite, weight_tensors
from tests.qat.conftest import CLUSTERS, conv_dw_dense, fine_tune, impose_structure


def _tflite_layout(model, kernels: dict) -> list[np.ndarray]:
    """The imposed Keras kernels in TFLite layout, in graph order."""
    out = []
    for layer in model.layers:
        if layer.name in kernels:
            _, _, to_tflite, _ = _KERAS_KERNELS[type(layer).__name__]
            out.append(to_tflite(kernels[layer.name]))
    assert len(out) == len(kernels) == 3
    return out


def _max_unique_per_channel(values: np.ndarray, axis: int) -> int:
    return max(len(np.unique(np.take(values, c, axis=axis))) for c in range(values.shape[axis]))


@pytest.fixture(scope="module")
def trained(digits):
    """One structured model fine-tuned in each mode (and with plain TFMOT QAT), converted to int8."""
    x, y = digits
    results = {}
    for mode in ("prune", "cluster", "prune_cluster", "plain_qat"):
        keras.utils.set_random_seed(0)
        model = conv_dw_dense()
        kernels = impose_structure(model, seed=0)
        if mode == "plain_qat":
            qat = tfmot.quantization.keras.quantize_model(model)
        else:
            qat = preserve_quantize(model, preserve=mode)
        fine_tune(qat, x, y)
        results[mode] = (model, kernels, qat, to_int8_tflite(qat, x))
    return results


@pytest.mark.parametrize("mode", ["prune", "prune_cluster"])
def test_zeros_stay_exactly_zero(trained, mode):
    model, kernels, qat, tflite = trained[mode]
    keras_now = preserved_kernels(qat)
    for name, before in kernels.items():
        assert np.all(keras_now[name][before == 0] == 0), f"{mode}: a zero revived in {name} (Keras)"
    for before, tensor in zip(_tflite_layout(model, kernels), weight_tensors(tflite), strict=True):
        assert tensor.values.shape == before.shape
        assert np.all(tensor.values[before == 0] == 0), f"{mode}: a zero revived in {tensor.name} (int8)"


@pytest.mark.parametrize("mode", ["cluster", "prune_cluster"])
def test_unique_values_never_grow(trained, mode):
    _, kernels, qat, tflite = trained[mode]
    for name, values in preserved_kernels(qat).items():
        assert len(np.unique(values)) <= CLUSTERS, f"{mode}: {name} has more than {CLUSTERS} values (Keras)"
    for tensor in weight_tensors(tflite):
        assert _max_unique_per_channel(tensor.values, tensor.channel_axis) <= CLUSTERS, tensor.name


def test_cluster_mode_actually_trains_centroids(trained):
    _, kernels, qat, _ = trained["cluster"]
    moved = [not np.array_equal(preserved_kernels(qat)[name], before) for name, before in kernels.items()]
    assert all(moved), "centroids did not train"


def test_plain_qat_breaks_both(trained):
    model, kernels, qat, tflite = trained["plain_qat"]
    revived = grown = 0
    for before, tensor in zip(_tflite_layout(model, kernels), weight_tensors(tflite), strict=True):
        revived += int(np.sum(tensor.values[before == 0] != 0))
        grown += _max_unique_per_channel(tensor.values, tensor.channel_axis) > CLUSTERS
    assert revived > 0 and grown > 0


def test_audit_against_shows_survival(trained):
    model, _, _, tflite = trained["prune_cluster"]
    verdicts = survival(audit_keras(model), audit_tflite(tflite))
    assert len(verdicts) == 3 and all(v.survived for v in verdicts), [v.problem() for v in verdicts]
    plain_model, _, _, plain_tflite = trained["plain_qat"]
    assert not all(v.survived for v in survival(audit_keras(plain_model), audit_tflite(plain_tflite)))


@pytest.mark.parametrize("mode,factor", [("prune", 0.9), ("cluster", 0.99), ("prune_cluster", 0.99)])
def test_fine_tuning_learns_within_the_structure(trained, mode, factor):
    # Randomly imposed clusters leave only 8 trainable values per kernel: loss falls, but slowly.
    losses = trained[mode][2].history.history["loss"]
    assert losses[-1] < factor * losses[0] and losses == sorted(losses, reverse=True), losses


@pytest.mark.parametrize("depth_multiplier,batchnorm", [(2, False), (1, True)])
def test_depth_multiplier_and_conv_bn_relu_folding(digits, depth_multiplier, batchnorm):
    x, y = digits
    keras.utils.set_random_seed(1)
    model = conv_dw_dense(depth_multiplier=depth_multiplier, batchnorm=batchnorm)
    kernels = impose_structure(model, seed=1)
    qat = fine_tune(preserve_quantize(model, "prune_cluster"), x, y, epochs=2)
    tflite = to_int8_tflite(qat, x)
    from hil_bench.tflite import opcode_name, read_model

    ops = [opcode_name(read_model(tflite), op) for op in read_model(tflite).subgraphs[0].operators]
    if batchnorm:  # folded into the convolution, as TFMOT's default scheme does
        assert "MUL" not in ops and "ADD" not in ops, ops
    for before, tensor in zip(_tflite_layout(model, kernels), weight_tensors(tflite), strict=True):
        assert np.all(tensor.values[before == 0] == 0), tensor.name
        assert _max_unique_per_channel(tensor.values, tensor.channel_axis) <= CLUSTERS, tensor.name


def _random_architecture(seed: int) -> keras.Model:
    """A random small Sequential stack of Conv2D / DepthwiseConv2D / Dense: 'any model' of those layers."""
    rng = np.random.default_rng(seed)
    layers = [keras.Input((8, 8, 1))]
    for _ in range(int(rng.integers(1, 3))):
        layers.append(keras.layers.Conv2D(int(rng.choice([4, 8, 12])), int(rng.choice([1, 3])),
                                          padding=str(rng.choice(["same", "valid"])),
                                          activation=str(rng.choice(["relu", "linear"]))))
        layers.append(keras.layers.DepthwiseConv2D(3, padding="same", depth_multiplier=int(rng.choice([1, 2])),
                                                   strides=int(rng.choice([1, 2])), activation="relu"))
    layers += [keras.layers.Flatten(), keras.layers.Dense(int(rng.choice([16, 24])), activation="relu"),
               keras.layers.Dense(10)]
    return keras.Sequential(layers)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_any_conv_depthwise_dense_model_keeps_zeros_and_8_values(digits, seed):
    x, y = digits
    keras.utils.set_random_seed(seed)
    model = _random_architecture(seed)
    kernels = impose_structure(model, seed=seed)
    qat = fine_tune(preserve_quantize(model, "prune_cluster"), x, y, epochs=3, lr=1e-2)
    tensors = weight_tensors(to_int8_tflite(qat, x))
    befores = []
    for layer in model.layers:
        if layer.name in kernels:
            befores.append(_KERAS_KERNELS[type(layer).__name__][2](kernels[layer.name]))
    assert len(befores) == len(tensors) == len(kernels)
    for before, tensor in zip(befores, tensors, strict=True):
        assert np.all(tensor.values[before == 0] == 0), tensor.name
        assert _max_unique_per_channel(tensor.values, tensor.channel_axis) <= CLUSTERS, tensor.name


def test_an_unknown_preserve_mode_is_a_usage_error():
    with pytest.raises(UsageError, match="preserve must be one of"):
        PreserveQuantizeScheme("zeros")
