"""Tiny models with imposed structure (50 % zeros, 8 values per tensor) and a small digits set."""

from __future__ import annotations

import numpy as np
import pytest

from hil_bench._keras import keras

CLUSTERS = 8
HIGH_LR = 1e-2  # deliberately high: plain QAT at this rate visibly destroys the structure


@pytest.fixture(scope="session")
def digits():
    from sklearn.datasets import load_digits

    data = load_digits()
    x = (data.images / 16.0).astype(np.float32)[..., None]
    return x[:600], data.target[:600].astype(np.int32)


def conv_dw_dense(depth_multiplier: int = 1, batchnorm: bool = False) -> keras.Model:
    """Conv2D + DepthwiseConv2D + Dense on 8x8x1, optionally with Conv + BatchNorm + ReLU."""
    inputs = keras.Input((8, 8, 1))
    if batchnorm:
        x = keras.layers.Conv2D(8, 3, use_bias=False)(inputs)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.ReLU()(x)
    else:
        x = keras.layers.Conv2D(8, 3, activation="relu")(inputs)
    x = keras.layers.DepthwiseConv2D(3, depth_multiplier=depth_multiplier, activation="relu")(x)
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(10)(x)
    return keras.Model(inputs, outputs)


def impose_structure(model: keras.Model, seed: int = 0, zeros: float = 0.5, clusters: int = CLUSTERS) -> dict:
    """Give every kernel exactly ``clusters`` values, one of them 0, with ``zeros`` of the weights 0.

    Returns the kernels by layer name (Keras layout) for later comparison.
    """
    rng = np.random.default_rng(seed)
    kernels = {}
    for layer in model.layers:
        if not isinstance(layer, (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.Dense)):
            continue
        attr = "depthwise_kernel" if isinstance(layer, keras.layers.DepthwiseConv2D) else "kernel"
        var = getattr(layer, attr)
        scale = float(np.std(var.numpy())) * 2
        nonzero = np.linspace(-scale, scale, clusters - 1)
        values = rng.choice(nonzero, size=var.shape)
        values[rng.random(var.shape) < zeros] = 0.0
        var.assign(values.astype(np.float32))
        kernels[layer.name] = values.astype(np.float32)
    return kernels


def fine_tune(model: keras.Model, x, y, epochs: int = 3, lr: float = HIGH_LR) -> keras.Model:
    model.compile(keras.optimizers.Adam(lr), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    return model
