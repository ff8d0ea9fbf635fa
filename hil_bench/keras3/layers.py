"""Which Keras 3 layers convert, and how each becomes tf_keras layers with the same settings and weights.

A row of :data:`LAYERS` lists the constructor arguments that carry over as they are. Initializers are
left out on purpose: the weights are copied, so they never run. Regularizers and constraints shape any
further training (prune, cluster, QAT fine-tune), so they carry over when tf_keras has the same class
and are refused otherwise, never dropped.

A ``SeparableConv2D`` becomes a ``DepthwiseConv2D`` (no bias) and a 1x1 ``Conv2D``: the same function,
the same two ops TFLite runs for it, and layers that pruning, clustering and preserve-QAT all handle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from hil_bench.errors import UnsupportedLayerError

_CONV = ("kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation", "use_bias")
_POOL = ("pool_size", "strides", "padding", "data_format")
_DEPTHWISE = ("kernel_size", "strides", "padding", "data_format", "dilation_rate", "depth_multiplier")

LAYERS: dict[str, tuple[str, ...]] = {
    "InputLayer": (),   # becomes keras.Input in the graph
    "Conv2D": ("filters", "groups", *_CONV),
    "DepthwiseConv2D": ("depth_multiplier", *_CONV),
    "SeparableConv2D": ("filters", "depth_multiplier", *_CONV),
    "Dense": ("units", "activation", "use_bias"),
    "BatchNormalization": ("axis", "momentum", "epsilon", "center", "scale"),
    "ReLU": ("max_value", "negative_slope", "threshold"),
    "Activation": ("activation",),
    "Softmax": ("axis",),
    "MaxPooling2D": _POOL,
    "AveragePooling2D": _POOL,
    "GlobalAveragePooling2D": ("data_format", "keepdims"),
    "Flatten": ("data_format",),
    "Reshape": ("target_shape",),
    "Dropout": ("rate", "noise_shape", "seed"),
    "Add": (),
    "Concatenate": ("axis",),
    "ZeroPadding2D": ("padding", "data_format"),
}
ACTIVATIONS = ("linear", "relu", "relu6", "softmax", "sigmoid", "tanh")
_TRAINING_ONLY = ("_regularizer", "_constraint")   # config keys ending so: carried over, see above
NESTED_MODELS = ("Functional", "Sequential", "Model")

CHANNELS_FIRST_WHY = "data_format 'channels_first'; TFLite Micro runs channels_last (NHWC) models, so rebuild it " \
                     "with channels_last"
OPS_WHY = ("a keras.ops operation, not a layer; use the layer that does the same (keras.layers.Add for +, "
           "keras.layers.Concatenate, keras.layers.Reshape, ...)")
WHAT_TO_DO = ("Rebuild that part from the layers hil-bench converts (" + ", ".join(LAYERS) +
              f"; activations {', '.join(ACTIVATIONS)}), or build the model with tf_keras "
              "(`import tf_keras as keras`) directly.")


def refuse_layer(name: str, class_name: str, why: str = "") -> UnsupportedLayerError:
    """The error for a layer hil-bench does not convert, naming it and saying what to do."""
    if class_name in NESTED_MODELS:
        why = why or "a model nested inside the model; build the model flat (call its layers directly)"
    why = why or "not a layer hil-bench converts from Keras 3"
    return UnsupportedLayerError(f"Keras 3 layer {name!r} ({class_name}): {why}. {WHAT_TO_DO}")


@dataclass
class Converted:
    """The tf_keras layers one Keras 3 layer became (applied in order) and how its weights split over them."""

    layers: list
    split_weights: Callable[[list], list[list]]

    def __call__(self, *args, **kwargs):
        out = self.layers[0](*args, **kwargs)
        for layer in self.layers[1:]:
            out = layer(out)
        return out


def convert_layer(layer, keras2) -> Converted:
    """tf_keras layers equivalent to the Keras 3 ``layer``; refuses what it cannot carry over exactly."""
    class_name, name = type(layer).__name__, layer.name
    config = layer.get_config()
    _check_common(layer, config, class_name)
    keys = LAYERS[class_name]
    args = {k: config[k] for k in keys if k in config}
    args.update(_training_only(config, name, class_name, keras2))
    if "activation" in args:
        _check_activation(args["activation"], name, class_name)
    args["trainable"] = config.get("trainable", True)
    if class_name == "SeparableConv2D":
        return _separable(args, name, keras2)
    return Converted([getattr(keras2.layers, class_name)(name=name, **args)], lambda w: [w])


def _check_common(layer, config: dict, class_name: str) -> None:
    name = layer.name
    policy = getattr(getattr(layer, "dtype_policy", None), "name", "float32")
    if policy != "float32":
        raise refuse_layer(name, class_name, f"dtype policy {policy!r}; hil-bench converts float32 models "
                                             "(set keras.config.set_dtype_policy('float32') and rebuild)")
    if config.get("data_format", "channels_last") != "channels_last":
        raise refuse_layer(name, class_name, CHANNELS_FIRST_WHY)


def _check_activation(activation, name: str, class_name: str) -> None:
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        shown = activation if isinstance(activation, str) else (activation or {}).get("class_name", activation)
        raise refuse_layer(name, class_name, f"activation {shown!r} is not one hil-bench converts")


def _training_only(config: dict, name: str, class_name: str, keras2) -> dict:
    """Regularizers and constraints as tf_keras objects (same class and settings), or a refusal."""
    out = {}
    for key, value in config.items():
        if not key.endswith(_TRAINING_ONLY) or value is None:
            continue
        kind = keras2.regularizers if key.endswith("_regularizer") else keras2.constraints
        spec = {"class_name": value.get("class_name"), "config": value.get("config", {})}
        try:
            out[key] = kind.deserialize(spec)
        except (ValueError, TypeError) as exc:
            raise refuse_layer(name, class_name, f"{key} {spec['class_name']!r} has no tf_keras equivalent "
                                                 f"({exc}); drop it or use L1/L2/L1L2") from None
    return out


def _separable(args: dict, name: str, keras2) -> Converted:
    depthwise = {k: args[k] for k in _DEPTHWISE if k in args}
    for key in ("depthwise_regularizer", "depthwise_constraint"):
        if key in args:
            depthwise[key] = args[key]
    pointwise = {"filters": args["filters"], "activation": args.get("activation", "linear"),
                 "use_bias": args.get("use_bias", True)}
    for ours, theirs in (("pointwise_regularizer", "kernel_regularizer"), ("pointwise_constraint", "kernel_constraint"),
                         ("bias_regularizer", "bias_regularizer"), ("bias_constraint", "bias_constraint"),
                         ("activity_regularizer", "activity_regularizer")):
        if ours in args:
            pointwise[theirs] = args[ours]
    trainable = args["trainable"]
    layers = [keras2.layers.DepthwiseConv2D(use_bias=False, name=f"{name}_depthwise", trainable=trainable, **depthwise),
              keras2.layers.Conv2D(kernel_size=1, name=f"{name}_pointwise", trainable=trainable, **pointwise)]
    return Converted(layers, lambda w: [w[:1], w[1:]])

