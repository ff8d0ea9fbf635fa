"""Synthetic pruned and clustered weights, built the way TFMOT's pruning and clustering leave them.

Used by the tests and ``benchmarks/compression.py``: float weights with a per-channel gain, magnitude
pruning over the whole layer (so weak channels lose more), k-means clustering of the survivors onto
``clusters`` shared centroids (zero stays zero), then symmetric per-channel int8 quantization as
TFLiteConverter does it (``scale = max|w| / 127``). ``clusters >= 256`` means "not clustered".
"""

from __future__ import annotations

import numpy as np

from hil_bench.tflite import to_int8_tflite


def pruned_clustered(shape: tuple[int, ...], channel_axis: int, sparsity: float, clusters: int,
                     rng: np.random.Generator) -> np.ndarray:
    """Float weights of ``shape`` with ``sparsity`` zeros and at most ``clusters`` non-zero values."""
    if not 0.0 <= sparsity < 1.0:
        raise ValueError(f"sparsity must be in [0, 1), got {sparsity}")
    gain_shape = [1] * len(shape)
    gain_shape[channel_axis] = shape[channel_axis]
    w = rng.standard_normal(shape) * rng.lognormal(0.0, 0.3, gain_shape)
    if sparsity > 0:
        threshold = np.quantile(np.abs(w), sparsity)
        w[np.abs(w) <= threshold] = 0.0
    if clusters < 256:
        nz = w != 0
        w[nz] = _kmeans_1d(w[nz], clusters)
    return w.astype(np.float32)


def _kmeans_1d(values: np.ndarray, k: int, iterations: int = 12) -> np.ndarray:
    """Lloyd's k-means in one dimension from a linear initialisation (TFMOT's LINEAR init)."""
    centroids = np.linspace(values.min(), values.max(), k)
    for _ in range(iterations):
        edges = (centroids[1:] + centroids[:-1]) / 2
        label = np.searchsorted(edges, values)
        sums = np.bincount(label, weights=values, minlength=k)
        counts = np.bincount(label, minlength=k)
        centroids = np.where(counts > 0, sums / np.maximum(counts, 1), centroids)
    edges = (centroids[1:] + centroids[:-1]) / 2
    return centroids[np.searchsorted(edges, values)]


def quantize_per_channel(w: np.ndarray, channel_axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric per-channel int8 quantization: returns (int8 values, float scales)."""
    moved = np.moveaxis(w, channel_axis, 0).reshape(w.shape[channel_axis], -1)
    scales = np.max(np.abs(moved), axis=1) / 127.0
    scales = np.where(scales > 0, scales, 1.0)
    shape = [1] * w.ndim
    shape[channel_axis] = -1
    q = np.clip(np.round(w / scales.reshape(shape)), -127, 127).astype(np.int8)
    return q, scales


def synthetic_int8(shape: tuple[int, ...], channel_axis: int, sparsity: float, clusters: int,
                   seed: int = 0) -> np.ndarray:
    """Per-channel quantized int8 weights, pruned and clustered (see module docstring)."""
    rng = np.random.default_rng(seed)
    return quantize_per_channel(pruned_clustered(shape, channel_axis, sparsity, clusters, rng), channel_axis)[0]


# Layers of the benchmark model: 78,336 int8 weights in conv and dense layers, like ANCHORS.md's.
ANCHOR_LAYERS = (("conv", 3, 8, 32), ("conv", 3, 32, 64), ("conv", 3, 64, 64), ("dense", 0, 64, 324))


def synthetic_keras_model(sparsity: float, clusters: int, seed: int = 0, layers=ANCHOR_LAYERS,
                          input_hw: int = 16):
    """A tf_keras model whose conv/dense kernels are pruned and clustered (float); convert it to int8."""
    # start-up cost: pulls TensorFlow, loaded only when this runs
    from hil_bench._keras import keras

    rng = np.random.default_rng(seed)
    in_ch = layers[0][2]
    inputs = keras.Input((input_hw, input_hw, in_ch))
    x = inputs
    kernels = []
    for kind, k, cin, cout in layers:
        if kind == "conv":
            layer = keras.layers.Conv2D(cout, k, padding="same", activation="relu")
            x = layer(x)
            kernels.append((layer, (k, k, cin, cout), 3))
        else:
            if len(x.shape) > 2:
                x = keras.layers.GlobalAveragePooling2D()(x)
            layer = keras.layers.Dense(cout)
            x = layer(x)
            kernels.append((layer, (cin, cout), 1))
    model = keras.Model(inputs, x)
    for layer, shape, axis in kernels:
        w = pruned_clustered(shape, axis, sparsity, clusters, rng) * 0.1
        b = rng.standard_normal(shape[-1]).astype(np.float32) * 0.01
        layer.set_weights([w, b])
    return model


def synthetic_tflite(sparsity: float, clusters: int, seed: int = 0, layers=ANCHOR_LAYERS,
                     input_hw: int = 16) -> bytes:
    """The full-int8 .tflite of :func:`synthetic_keras_model` (random calibration data)."""
    model = synthetic_keras_model(sparsity, clusters, seed, layers, input_hw)
    rng = np.random.default_rng(seed + 1)
    data = rng.standard_normal((32, input_hw, input_hw, layers[0][2])).astype(np.float32)
    return to_int8_tflite(model, data, samples=32)


def restructure_int8(values: np.ndarray, reduction_axes: tuple[int, ...], channel_axis: int, *,
                     clusters: int = 0, nm: tuple[int, int] | None = None, sparsity: float = 0.0) -> np.ndarray:
    """Int8 weights given structure after quantization (tests and benchmarks of the in-place formats):
    magnitude pruning to ``sparsity`` per channel, or to N:M along the reduction (flattened in the
    tensor's row-major order, channel first), then per-channel 1-D k-means of the survivors onto at
    most ``clusters`` values (0: no clustering). Pruned zeros stay zero."""
    moved = np.moveaxis(values, channel_axis, 0)
    rows = moved.reshape(moved.shape[0], -1).astype(np.int32).copy()
    if nm is not None:
        n, m = nm
        k = rows.shape[1]
        padded = np.zeros((rows.shape[0], -(-k // m) * m), np.int32)
        padded[:, :k] = rows
        groups = padded.reshape(rows.shape[0], -1, m)
        order = np.argsort(-np.abs(groups), axis=2, kind="stable")
        mask = np.zeros_like(groups, bool)
        np.put_along_axis(mask, order[:, :, :n], True, axis=2)
        rows = np.where(mask, groups, 0).reshape(rows.shape[0], -1)[:, :k]
    elif sparsity > 0:
        for r in rows:
            cut = np.quantile(np.abs(r), sparsity)
            r[np.abs(r) <= cut] = 0
    if clusters:
        pruned = nm is not None or sparsity > 0
        for r in rows:
            nz = r != 0 if pruned else np.ones(r.shape, bool)  # unpruned: zero is just another value
            if nz.any():
                r[nz] = np.clip(np.round(_kmeans_1d(r[nz].astype(np.float64), clusters)), -127, 127)
    return np.moveaxis(rows.reshape(moved.shape), 0, channel_axis).astype(np.int8)


def restructure_tflite(model: bytes, *, clusters: int = 0, nm: tuple[int, int] | None = None,
                       sparsity: float = 0.0) -> bytes:
    """A copy of an int8 .tflite whose CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED weights are
    pruned and clustered by :func:`restructure_int8` (N:M only where the reduction is the channel's
    own row: not on depthwise filters)."""
    from hil_bench.compress.lut import _aligned, weight_refs
    from hil_bench.tflite import edit_model, with_builtin_codes

    model = with_builtin_codes(model)
    editor = edit_model(model)
    for ref in weight_refs(model):
        if not ref.is_int8:
            continue
        tensor = editor.subgraphs[ref.subgraph].tensors[ref.tensor]
        values = tensor.array
        depthwise = ref.op == "DEPTHWISE_CONV_2D"
        axis = values.ndim - 1 if depthwise else 0
        new = restructure_int8(values, (), axis, clusters=clusters, nm=None if depthwise else nm,
                               sparsity=sparsity if not depthwise or nm is None else 0.0)
        tensor.array = new
    return _aligned(editor.build())
