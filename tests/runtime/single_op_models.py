"""Generated single-op models for the runtime's bit-exactness tests, cached on disk.

Each spec names a tiny tf_keras model whose int8 conversion exercises one TFLite op in one
configuration (shape, stride, padding, dilation, activation, depth multiplier ...). Conversion is
the slow part (~1 s per model), so the .tflite bytes are cached under the hil-bench cache keyed by
the spec, the builder version and the TensorFlow version.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

import numpy as np

from hil_bench.runtime.build import cache_dir

BUILDER_VERSION = "9"  # bump when a builder changes, so cached models are rebuilt


def _conv(shape, filters, kernel, strides=1, padding="same", dilation=1, act=None, groups=1):
    def build(keras):
        inp = keras.Input(shape)
        out = keras.layers.Conv2D(filters, kernel, strides=strides, padding=padding, dilation_rate=dilation,
                                  activation=act, groups=groups, bias_initializer="random_normal")(inp)
        return keras.Model(inp, out)
    return build


def _dilated(shape, kernel, dilation, padding="SAME", filters=0, mult=1, act=None):
    """Dilated (depthwise) convolution through tf.nn directly: Keras layers with dilation lower
    to SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND, tf.nn.conv2d keeps one CONV_2D with dilation."""
    def build(keras):
        from hil_bench._keras import tf
        rng = np.random.default_rng(len(shape) * 31 + kernel * 7 + dilation)
        cin = shape[-1]
        inp = keras.Input(shape)
        if filters:
            w = tf.constant(rng.normal(0, 0.4, (kernel, kernel, cin, filters)).astype(np.float32))
            b = tf.constant(rng.normal(0, 0.5, (filters,)).astype(np.float32))
            f = lambda t: tf.nn.bias_add(tf.nn.conv2d(t, w, 1, padding, dilations=dilation), b)  # noqa: E731
        else:
            w = tf.constant(rng.normal(0, 0.4, (kernel, kernel, cin, mult)).astype(np.float32))
            b = tf.constant(rng.normal(0, 0.5, (cin * mult,)).astype(np.float32))
            # tf.nn.depthwise_conv2d lowers dilation to SPACE_TO_BATCH_ND; the raw op keeps it.
            f = lambda t: tf.nn.bias_add(tf.raw_ops.DepthwiseConv2dNative(  # noqa: E731
                input=t, filter=w, strides=[1, 1, 1, 1], padding=padding, dilations=[1, dilation, dilation, 1]), b)
        x = keras.layers.Lambda(f)(inp)
        if act:
            x = keras.layers.Activation(act)(x)
        return keras.Model(inp, x)
    return build


def _dw(shape, kernel, mult=1, strides=1, padding="same", dilation=1, act=None):
    def build(keras):
        inp = keras.Input(shape)
        out = keras.layers.DepthwiseConv2D(kernel, strides=strides, padding=padding, depth_multiplier=mult,
                                           dilation_rate=dilation, activation=act,
                                           bias_initializer="random_normal")(inp)
        return keras.Model(inp, out)
    return build


def _dense(shape, units, act=None):
    def build(keras):
        inp = keras.Input(shape)
        x = keras.layers.Flatten()(inp) if len(shape) > 1 else inp
        out = keras.layers.Dense(units, activation=act, bias_initializer="random_normal")(x)
        return keras.Model(inp, out)
    return build


def _pool(kind, shape, size, strides=None, padding="valid"):
    def build(keras):
        inp = keras.Input(shape)
        layer = keras.layers.AveragePooling2D if kind == "avg" else keras.layers.MaxPooling2D
        return keras.Model(inp, layer(size, strides=strides, padding=padding)(inp))
    return build


def _binary(kind, shape_a, shape_b, act=None):
    """ADD or MUL of two graph inputs of one shape, or (shape_b given and different) of an input
    and a constant that broadcasts. A second input of another shape is avoided on purpose: the
    converter may order graph inputs differently from Keras, and calibration then fails."""
    def build(keras):
        from hil_bench._keras import tf
        op = tf.add if kind == "add" else tf.multiply
        a = keras.Input(shape_a, name="in_a")
        if tuple(shape_b) == tuple(shape_a):
            b = keras.Input(shape_b, name="in_b")
            x = keras.layers.Lambda(lambda t: op(t[0], t[1]))([a, b])
            inputs = [a, b]
        else:
            c = tf.constant(np.random.default_rng(3).normal(0.0, 1.0, (1, *shape_b)).astype(np.float32))
            x = keras.layers.Lambda(lambda t: op(t, c))(a)
            inputs = a
        if act:
            x = keras.layers.Activation(act)(x)
        return keras.Model(inputs, x)
    return build


def _conv_add(shape):
    """A residual pair: one input, two convolutions, ADD (scales differ on both sides)."""
    def build(keras):
        inp = keras.Input(shape)
        a = keras.layers.Conv2D(4, 3, padding="same", bias_initializer="random_normal")(inp)
        b = keras.layers.Conv2D(4, 1, padding="same", activation="relu")(inp)
        return keras.Model(inp, keras.layers.Add()([a, b]))
    return build


def _softmax(shape, beta_scale=1.0):
    def build(keras):
        inp = keras.Input(shape)
        x = keras.layers.Dense(shape[-1] * 2, bias_initializer="random_normal")(inp)
        if beta_scale != 1.0:
            x = keras.layers.Lambda(lambda t: t * beta_scale)(x)
        return keras.Model(inp, keras.layers.Softmax()(x))
    return build


def _act(shape, act):
    def build(keras):
        inp = keras.Input(shape)
        x = keras.layers.Dense(shape[-1], bias_initializer="random_normal")(inp)
        return keras.Model(inp, keras.layers.Activation(act)(x))
    return build


def _standalone_act(shape, act):
    """An activation straight on the graph input, so the converter cannot fuse it (RELU, RELU6)."""
    def build(keras):
        inp = keras.Input(shape)
        return keras.Model(inp, keras.layers.Activation(act)(inp))
    return build


def _pad(shape, padding):
    def build(keras):
        inp = keras.Input(shape)
        x = keras.layers.Conv2D(3, 1)(inp)
        return keras.Model(inp, keras.layers.ZeroPadding2D(padding)(x))
    return build


def _concat(shape, axis):
    def build(keras):
        inp = keras.Input(shape)
        a = keras.layers.Conv2D(3, 1, bias_initializer="random_normal")(inp)
        b = keras.layers.Conv2D(2, 3, padding="same", activation="relu")(inp)
        if axis != -1:
            b = keras.layers.Conv2D(3, 3, padding="same", activation="relu")(inp)
        return keras.Model(inp, keras.layers.Concatenate(axis=axis)([a, b]))
    return build


def _mean(shape, axes, keepdims):
    def build(keras):
        from hil_bench._keras import tf
        inp = keras.Input(shape)
        x = keras.layers.Conv2D(4, 1, bias_initializer="random_normal")(inp)
        return keras.Model(inp, keras.layers.Lambda(lambda t: tf.reduce_mean(t, axis=axes, keepdims=keepdims))(x))
    return build


def _gap(shape):
    def build(keras):
        inp = keras.Input(shape)
        x = keras.layers.Conv2D(6, 3, bias_initializer="random_normal")(inp)
        return keras.Model(inp, keras.layers.GlobalAveragePooling2D()(x))
    return build


def _reshape(shape, target):
    def build(keras):
        inp = keras.Input(shape)
        x = keras.layers.Conv2D(4, 1)(inp)
        from hil_bench._keras import tf
        # A constant target shape (Keras' Reshape layer computes it at run time with SHAPE ops).
        x = keras.layers.Lambda(lambda t: tf.reshape(t, (-1, *target)))(x)
        return keras.Model(inp, keras.layers.Conv2D(3, 1)(x))
    return build


# Models kept with float32 input and output, so the converter adds QUANTIZE and DEQUANTIZE.
FLOAT_IO = {"quantize_dequantize_float_io"}


def _float_io(shape):
    def build(keras):
        inp = keras.Input(shape)
        x = keras.layers.Conv2D(3, 3, padding="same", bias_initializer="random_normal")(inp)
        return keras.Model(inp, keras.layers.Activation("sigmoid")(x))
    return build


def _convert_float_io(model, representative) -> bytes:
    from hil_bench._keras import tf

    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = representative
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    return bytes(conv.convert())


SPECS: dict[str, Callable] = {
    # CONV_2D: kernel, stride, padding, dilation, activation, odd shapes
    "conv_k3_s1_same": _conv((9, 9, 3), 4, 3),
    "conv_k3_s2_same_relu": _conv((9, 8, 3), 5, 3, strides=2, act="relu"),
    "conv_k3_s2_valid_relu6": _conv((10, 9, 2), 3, 3, strides=2, padding="valid", act="relu6"),
    "conv_k1_s1_valid": _conv((6, 6, 8), 7, 1, padding="valid"),
    "conv_k5x3_s1_same": _conv((11, 7, 3), 4, (5, 3)),
    "conv_k3_d2_same": _dilated((11, 13, 2), 3, 2, filters=4),
    "conv_k3_d2_valid_relu": _dilated((11, 9, 3), 3, 2, padding="VALID", filters=3, act="relu"),
    "conv_k2_d3_same": _dilated((9, 11, 2), 2, 3, filters=3),
    "conv_k4_s3_same": _conv((13, 13, 1), 2, 4, strides=3),
    "conv_k2_s2x1_same": _conv((8, 9, 4), 3, 2, strides=(2, 1)),
    "conv_groups2_k3_same": _conv((7, 7, 4), 6, 3, groups=2),
    # DEPTHWISE_CONV_2D: depth multipliers, strides, padding, dilation
    "dw_k3_m1_same": _dw((9, 9, 4), 3),
    "dw_k3_m2_s2_same_relu": _dw((9, 8, 3), 3, mult=2, strides=2, act="relu"),
    "dw_k3_m3_valid_relu6": _dw((8, 8, 2), 3, mult=3, padding="valid", act="relu6"),
    "dw_k5_m1_s2_valid": _dw((12, 11, 5), 5, strides=2, padding="valid"),
    "dw_k3_d2_same": _dilated((13, 11, 3), 3, 2),
    "dw_k3_d2_m2_valid_relu": _dilated((11, 13, 2), 3, 2, padding="VALID", mult=2, act="relu"),
    "dw_k3x1_m4_same": _dw((7, 7, 1), (3, 1), mult=4),
    # FULLY_CONNECTED
    "fc_16_8": _dense((16,), 8),
    "fc_flatten_relu": _dense((4, 3, 2), 10, act="relu"),
    "fc_64_3_relu6": _dense((64,), 3, act="relu6"),
    # ADD / MUL, same shape and broadcast
    "add_two_inputs": _binary("add", (5, 5, 3), (5, 5, 3)),
    "add_broadcast_relu": _binary("add", (4, 6, 3), (1, 1, 3), act="relu"),
    "add_residual": _conv_add((8, 8, 3)),
    "mul_two_inputs": _binary("mul", (6, 4, 2), (6, 4, 2)),
    "mul_broadcast": _binary("mul", (3, 5, 4), (1, 5, 1)),
    # pooling
    "avgpool_2_valid": _pool("avg", (8, 8, 3), 2),
    "avgpool_3_s2_same": _pool("avg", (9, 7, 4), 3, strides=2, padding="same"),
    "avgpool_3_s1_same": _pool("avg", (5, 6, 2), 3, strides=1, padding="same"),
    "maxpool_2_valid": _pool("max", (8, 8, 3), 2),
    "maxpool_3_s2_same": _pool("max", (9, 7, 4), 3, strides=2, padding="same"),
    # shape and activation ops
    "reshape_conv": _reshape((4, 4, 2), (2, 8, 4)),
    "softmax_10": _softmax((10,)),
    "softmax_big_logits": _softmax((7,), beta_scale=8.0),
    "logistic": _act((12,), "sigmoid"),
    "relu_standalone": _standalone_act((6, 5, 3), "relu"),
    "relu6_standalone": _standalone_act((7, 4, 2), "relu6"),
    "pad_1": _pad((5, 5, 2), 1),
    "pad_asym": _pad((4, 6, 1), ((1, 2), (0, 3))),
    "concat_channels": _concat((6, 6, 2), -1),
    "concat_rows": _concat((5, 4, 2), 1),
    # MEAN
    "mean_gap": _gap((7, 7, 3)),
    "mean_axis2_keep": _mean((6, 5, 3), [2], True),
    "mean_axes12": _mean((4, 6, 3), [1, 2], False),
    # QUANTIZE (float -> int8, int8 -> int8) and DEQUANTIZE
    "quantize_dequantize_float_io": _float_io((6, 5, 2)),
}


def _representative(shapes: list[tuple[int, ...]], rng: np.random.Generator):
    samples = [[rng.normal(0.0, 1.0, size=(1, *s)).astype(np.float32) for s in shapes] for _ in range(64)]

    def gen():
        yield from samples

    return gen


def build_model(name: str) -> bytes:
    """The int8 .tflite of spec ``name``, from the cache or freshly converted."""
    from hil_bench._keras import keras, tf
    from hil_bench.tflite import to_int8_tflite

    path = _path(name, tf.__version__)
    if path.exists():
        return path.read_bytes()
    keras.utils.set_random_seed(int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) % 2**31)
    model = SPECS[name](keras)
    shapes = [tuple(int(d) for d in t.shape[1:]) for t in model.inputs]
    rep = _representative(shapes, np.random.default_rng(0))
    data = _convert_float_io(model, rep) if name in FLOAT_IO else to_int8_tflite(model, rep)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return data


def _path(name: str, tf_version: str) -> Path:
    key = hashlib.sha256(f"{name}|{BUILDER_VERSION}|{tf_version}".encode()).hexdigest()[:16]
    return cache_dir() / "single_op_models" / f"{name}-{key}.tflite"
