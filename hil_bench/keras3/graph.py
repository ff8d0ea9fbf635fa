"""Rebuild a Keras 3 Sequential or functional model's graph in tf_keras, layer by layer, and copy weights.

The functional graph is read from the model's own config (every layer's inbound nodes name the tensors
they take as ``[layer, node, tensor]``), which is what Keras 3 itself saves and reloads, so branches,
merges and shared layers come out wired exactly as in the original.
"""

from __future__ import annotations

from hil_bench.errors import UnsupportedLayerError, UnsupportedModelError
from hil_bench.keras3.layers import LAYERS, OPS_WHY, Converted, convert_layer, refuse_layer

_TENSOR = "__keras_tensor__"


def check_layers(model, keras3) -> None:
    """Refuse the first operation of ``model`` that is not exactly one of the Keras 3 layers converted."""
    for op in operations(model):
        cls = type(op)
        if cls.__name__ in LAYERS and getattr(keras3.layers, cls.__name__, None) is cls:
            continue
        if not isinstance(op, keras3.layers.Layer):   # x + y or keras.ops.* on symbolic tensors
            raise refuse_layer(op.name, f"{cls.__module__}.{cls.__qualname__}", OPS_WHY)
        raise refuse_layer(op.name, cls.__name__)


def rebuild(model, keras3, keras2):
    """The tf_keras model equivalent to the Keras 3 ``model`` (Sequential or functional), weights copied."""
    kind = type(model).__name__
    if kind not in ("Sequential", "Functional"):
        raise UnsupportedModelError(
            f"the Keras 3 model {model.name!r} is a subclassed model ({kind}); hil-bench converts Sequential and "
            "functional models, whose layers it can see. Rebuild it with keras.Input and layer calls, or with "
            "tf_keras (`import tf_keras as keras`) directly.")
    check_layers(model, keras3)
    converted = {op.name: convert_layer(op, keras2) for op in operations(model) if type(op).__name__ != "InputLayer"}
    if kind == "Sequential":
        copy = _sequential(model, converted, keras2)
    else:
        copy = _functional(model.get_config(), converted, keras2)
    for op in operations(model):
        if op.name in converted:
            _copy_weights(op, converted[op.name])
    return copy


def operations(model) -> list:
    """Every layer of the Keras 3 model, InputLayer included for a functional one."""
    return list(model.layers if type(model).__name__ == "Sequential" else model.operations)


def _sequential(model, converted: dict[str, Converted], keras2):
    try:
        shape = tuple(model.inputs[0].shape)
    except (AttributeError, IndexError, ValueError):
        raise UnsupportedModelError(f"the Keras 3 Sequential model {model.name!r} has no input shape; start it "
                                    "with keras.Input(shape=(...)) so that it is built") from None
    first = model.get_config()["layers"][0]
    name = first["config"]["name"] if first["class_name"] == "InputLayer" else "input"
    x = inputs = keras2.Input(batch_shape=shape, name=name)
    for layer in model.layers:
        x = converted[layer.name](x)
    return keras2.Model(inputs, x, name=model.name)


def _functional(config: dict, converted: dict[str, Converted], keras2):
    """Wire the converted layers as the config's nodes say, each node once its input tensors exist."""
    tensors: dict[tuple, object] = {}
    pending = []
    for entry in config["layers"]:
        name = entry["config"]["name"]
        if entry["class_name"] == "InputLayer":
            cfg = entry["config"]
            if cfg.get("sparse") or cfg.get("ragged") or cfg.get("dtype", "float32") != "float32":
                raise refuse_layer(name, "InputLayer", "a sparse, ragged or non-float32 input")
            tensors[(name, 0, 0)] = keras2.Input(batch_shape=tuple(cfg["batch_shape"]), name=name)
            continue
        pending += [(name, index, node) for index, node in enumerate(entry["inbound_nodes"])]
    while pending:
        ready = [p for p in pending if _inputs_known(p[2], tensors)]
        if not ready:
            raise UnsupportedModelError(f"the Keras 3 model's graph could not be followed: layer "
                                        f"{pending[0][0]!r} waits for tensors no layer makes")
        for name, index, node in ready:
            args = _resolve(node.get("args", ()), tensors)
            kwargs = _resolve(node.get("kwargs", {}), tensors)
            out = converted[name](*args, **kwargs)
            for i, tensor in enumerate(out if isinstance(out, (list, tuple)) else [out]):
                tensors[(name, index, i)] = tensor
        pending = [p for p in pending if p not in ready]
    ends = [_refs(config["input_layers"]), _refs(config["output_layers"])]
    inputs, outputs = ([tensors[r] for r in refs] for refs in ends)
    return keras2.Model(inputs if len(inputs) > 1 else inputs[0], outputs if len(outputs) > 1 else outputs[0],
                        name=config["name"])


def _refs(value) -> list[tuple]:
    """``[name, node, tensor]`` or a list of them, as Keras 3 writes input_layers and output_layers."""
    if value and isinstance(value[0], str):
        return [tuple(value)]
    return [tuple(v) for v in value]


def _history(value) -> tuple | None:
    if isinstance(value, dict) and value.get("class_name") == _TENSOR:
        return tuple(value["config"]["keras_history"])
    return None


def _inputs_known(node, tensors) -> bool:
    def walk(value):
        ref = _history(value)
        if ref is not None:
            return ref in tensors
        if isinstance(value, (list, tuple)):
            return all(walk(v) for v in value)
        if isinstance(value, dict):
            return all(walk(v) for v in value.values())
        return True

    return walk(node.get("args", ())) and walk(node.get("kwargs", {}))


def _resolve(value, tensors):
    """The node's arguments with every serialized Keras tensor replaced by the tf_keras tensor it names."""
    ref = _history(value)
    if ref is not None:
        return tensors[ref]
    if isinstance(value, (list, tuple)):
        items = [_resolve(v, tensors) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, dict):
        return {k: _resolve(v, tensors) for k, v in value.items()}
    return value


def _copy_weights(layer, converted: Converted) -> None:
    """Copy the Keras 3 layer's weights into its tf_keras layers, refusing any count or shape mismatch."""
    weights = layer.get_weights()
    parts = converted.split_weights(weights)
    for target, part in zip(converted.layers, parts):
        expected = [tuple(w.shape) for w in target.weights]
        got = [tuple(w.shape) for w in part]
        if expected != got:
            raise UnsupportedLayerError(
                f"Keras 3 layer {layer.name!r} ({type(layer).__name__}): its weights {got} do not match the "
                f"tf_keras layer's {expected} (quantized, LoRA or renorm layers differ); rebuild it as a plain "
                "float32 layer, or build the model with tf_keras (`import tf_keras as keras`) directly.")
        target.set_weights(part)
