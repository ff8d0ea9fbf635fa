"""Weight quantizers that keep pruning zeros and weight clusters through quantization-aware training.

They keep TFMOT's Quantizer contract (``build`` returns the weights dict, ``__call__(inputs, training,
weights)``, ``get_config``/``from_config``) and fake-quantize exactly like TFMOT's default 8-bit weight
quantizer: symmetric, narrow range [-127, 127], last-value ranges, per output channel where
``per_axis`` (TFMOT sets it for Conv2D and DepthwiseConv2D, not for Dense).

The structure (zero mask, cluster indices) is read from the incoming weights when the layer is built
and kept in non-trainable variables, so it is saved with the model and cannot drift. Under the prune
quantizer the layer's kernel still trains, masked. Under the cluster quantizers the centroids train
instead and the kernel no longer drives the forward pass: it is multiplied by zero, so it gets a zero
gradient, keeps its pre-QAT values and triggers no "gradients do not exist" warnings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from hil_bench._keras import keras, tf, tfmot
from hil_bench.qat import structure

_Quantizer = tfmot.quantization.keras.quantizers.Quantizer
_LastValueQuantizer = tfmot.quantization.keras.quantizers.LastValueQuantizer


def _fake_quant(per_axis: bool) -> _LastValueQuantizer:
    """TFMOT's default 8-bit weight quantizer, which every preserve quantizer ends with."""
    return _LastValueQuantizer(num_bits=8, per_axis=per_axis, symmetric=True, narrow_range=True)


def _incoming_weights(layer, name: str) -> np.ndarray:
    return np.asarray(keras.backend.get_value(getattr(layer.layer, name)))


class _PreserveQuantizer(_Quantizer):
    """Shared plumbing: config from the dataclass fields, fake quant of :meth:`preserved_weights`.

    Subclasses define ``preserved_weights(inputs, weights)``: the float tensor, structure applied,
    that goes into fake quantization.
    """

    per_axis: bool

    def get_config(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def _build_ranges(self, tensor_shape, name, layer) -> dict:
        return _fake_quant(self.per_axis).build(tensor_shape, name, layer)

    def __call__(self, inputs, training, weights, **kwargs):
        return _fake_quant(self.per_axis)(self.preserved_weights(inputs, weights), training, weights, **kwargs)


@dataclass(frozen=True)
class PrunePreserveQuantizer(_PreserveQuantizer):
    """Keeps every weight that was zero when the layer was built at exactly zero, forever.

    The zero pattern becomes a fixed 0/1 mask; masked weights get zero gradient and zero value.
    """

    per_axis: bool = False

    def build(self, tensor_shape, name, layer) -> dict:
        mask = (_incoming_weights(layer, name) != 0).astype(np.float32)
        sparsity_mask = layer.add_weight(
            name + "_sparsity_mask", shape=tensor_shape, trainable=False,
            initializer=keras.initializers.Constant(mask),
        )
        return {"sparsity_mask": sparsity_mask, **self._build_ranges(tensor_shape, name, layer)}

    def preserved_weights(self, inputs, weights: dict):
        """The latent kernel with the zero mask applied (unlike the cluster quantizers, it trains)."""
        return inputs * weights["sparsity_mask"]


@dataclass(frozen=True)
class ClusterPreserveQuantizer(_PreserveQuantizer):
    """Keeps a clustered tensor on its clusters: fixed cluster index per weight, trainable centroids.

    ``num_clusters`` centroids per group, the group being the whole tensor or, with
    ``per_channel_clusters``, each output channel (``channel_axes`` trailing axes form the channel:
    2 for DepthwiseConv2D). Each centroid trains with the summed gradients of its members, so the
    number of distinct values can never grow.
    """

    per_axis: bool = False
    num_clusters: int = 16
    per_channel_clusters: bool = False
    channel_axes: int = 1

    # The zero cluster is free to move in plain cluster preservation.
    pin_zero = False

    @property
    def _structure(self) -> structure.ClusterStructure:
        return structure.ClusterStructure(self.per_channel_clusters, self.num_clusters)

    def build(self, tensor_shape, name, layer) -> dict:
        values = _incoming_weights(layer, name)
        groups = structure.channel_view(values, self.channel_axes).shape[1] if self.per_channel_clusters else 1
        found = structure.cluster_indices(values, self._structure, self.channel_axes)
        if found is None:
            # Only expected while a saved model is rebuilt: its saved variables overwrite these next.
            centroids = np.zeros((groups, self.num_clusters), np.float32)
            indices = np.zeros(values.shape, np.int32)
        else:
            centroids, indices = found
        result = {
            "cluster_centroids": layer.add_weight(
                name + "_cluster_centroids", shape=centroids.shape, trainable=True,
                initializer=keras.initializers.Constant(centroids)),
            "cluster_indices": layer.add_weight(
                name + "_cluster_indices", shape=indices.shape, trainable=False, dtype=tf.int32,
                initializer=keras.initializers.Constant(indices)),
        }
        if self.pin_zero:
            keep = (centroids != 0).astype(np.float32)
            result["centroid_keep"] = layer.add_weight(
                name + "_centroid_keep", shape=keep.shape, trainable=False,
                initializer=keras.initializers.Constant(keep))
        result.update(self._build_ranges(tensor_shape, name, layer))
        return result

    def preserved_weights(self, inputs, weights: dict):
        """Each weight's centroid; ``0 * inputs`` gives the unused latent kernel a zero gradient."""
        centroids = weights["cluster_centroids"]
        if self.pin_zero:
            centroids = centroids * weights["centroid_keep"]
        return tf.gather(tf.reshape(centroids, [-1]), weights["cluster_indices"]) + 0.0 * inputs


@dataclass(frozen=True)
class PruneClusterPreserveQuantizer(ClusterPreserveQuantizer):
    """Cluster preservation with the zero cluster pinned at exactly 0: sparsity and clusters both stay."""

    pin_zero = True
