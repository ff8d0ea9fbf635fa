import numpy as np
import pytest


@pytest.fixture(scope="session")
def anchor_model():
    """The ANCHORS-like synthetic model: 78,336 int8 weights, 50 % zeros, 16 clusters per layer."""
    from hil_bench.compress.synthetic import synthetic_tflite

    return synthetic_tflite(0.5, 16, seed=0)


@pytest.fixture(scope="session")
def small_model():
    """A small pruned + clustered int8 conv/depthwise/dense model."""
    from hil_bench.compress.synthetic import pruned_clustered
    from hil_bench._keras import keras
    from hil_bench.tflite import to_int8_tflite

    rng = np.random.default_rng(7)
    inputs = keras.Input((8, 8, 3))
    conv = keras.layers.Conv2D(8, 3, padding="same", activation="relu")
    dw = keras.layers.DepthwiseConv2D(3, padding="same", activation="relu")
    dense = keras.layers.Dense(10)
    x = dense(keras.layers.Flatten()(dw(conv(inputs))))
    model = keras.Model(inputs, x)
    conv.set_weights([pruned_clustered((3, 3, 3, 8), 3, 0.5, 8, rng) * 0.3, np.zeros(8, np.float32)])
    dw.set_weights([pruned_clustered((3, 3, 8, 1), 2, 0.5, 8, rng) * 0.3, np.zeros(8, np.float32)])
    dense.set_weights([pruned_clustered((512, 10), 1, 0.5, 16, rng) * 0.1, np.zeros(10, np.float32)])
    data = rng.standard_normal((16, 8, 8, 3)).astype(np.float32)
    return to_int8_tflite(model, data, samples=16)
