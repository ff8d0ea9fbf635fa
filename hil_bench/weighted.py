"""Which layers carry the weights hil-bench prunes, clusters, preserves and audits -- defined once.

One row per weighted layer kind, naming it on both sides: the tf_keras layer (class, kernel attribute,
how many trailing kernel axes form the output channel, whether TFMOT quantizes it per channel) and the
TFLite operator it becomes (builtin name, input index of the weights, output-channel axis there).
Pure data: no TensorFlow import.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WeightedLayer:
    keras_class: str          # tf_keras.layers class name
    kernel_attr: str          # the weight attribute on that layer
    keras_channel_axes: int   # trailing kernel axes that form the output channel
    per_axis: bool            # TFMOT's default 8-bit scheme quantizes this kernel per channel
    tflite_op: str            # TFLite builtin operator name
    tflite_weight_input: int  # which input of the operator is the weight tensor
    tflite_channel_axis: int  # output-channel axis of the weight tensor in TFLite's layout


# Keras kernels keep the output channel last: Conv2D [H,W,I,O], DepthwiseConv2D [H,W,I,M], Dense [I,O].
# TFLite: CONV_2D [O,H,W,I], DEPTHWISE_CONV_2D [1,H,W,I*M], FULLY_CONNECTED [O,I].
WEIGHTED_LAYERS = (
    WeightedLayer("Conv2D", "kernel", 1, True, "CONV_2D", 1, 0),
    WeightedLayer("DepthwiseConv2D", "depthwise_kernel", 2, True, "DEPTHWISE_CONV_2D", 1, 3),
    WeightedLayer("Dense", "kernel", 1, False, "FULLY_CONNECTED", 1, 0),
)
BY_KERAS_CLASS = {w.keras_class: w for w in WEIGHTED_LAYERS}
BY_TFLITE_OP = {w.tflite_op: w for w in WEIGHTED_LAYERS}


def keras_names(last: str = "and") -> str:
    """'Conv2D, DepthwiseConv2D and Dense' (or 'or') for messages."""
    names = [w.keras_class for w in WEIGHTED_LAYERS]
    return f"{', '.join(names[:-1])} {last} {names[-1]}" if len(names) > 1 else names[0]
