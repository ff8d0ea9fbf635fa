"""Which layers get which preserve QuantizeConfig: a support table and a TFMOT QuantizeScheme.

The scheme is TFMOT's default 8-bit scheme (same layout transforms, same handling of every other
layer) with one method overridden: the registry, which looks at each supported layer's kernel and
picks the preserve config its structure calls for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hil_bench._keras import keras, tfmot
from hil_bench.errors import UsageError
from hil_bench.qat import structure
from hil_bench.weighted import WEIGHTED_LAYERS
from hil_bench.qat.configs import (
    ClusterPreserveQuantizeConfig,
    PruneClusterPreserveQuantizeConfig,
    PrunePreserveQuantizeConfig,
)
from hil_bench.qat.quantizers import (
    ClusterPreserveQuantizer,
    PruneClusterPreserveQuantizer,
    PrunePreserveQuantizer,
)

PRESERVE_MODES = ("prune", "cluster", "prune_cluster")

# Weight attributes that mark a layer as one whose weights matter for preservation.
KERNEL_ATTRS = ("kernel", "depthwise_kernel", "pointwise_kernel", "recurrent_kernel", "embeddings")


@dataclass(frozen=True)
class _Supported:
    weight_attr: str
    channel_axes: int  # trailing kernel axes that form the output channel
    per_axis: bool     # TFMOT's default 8-bit scheme quantizes this kernel per channel


SUPPORTED_LAYERS = {getattr(keras.layers, w.keras_class): _Supported(w.kernel_attr, w.keras_channel_axes, w.per_axis)
                    for w in WEIGHTED_LAYERS}


def supported(layer) -> _Supported | None:
    """The table entry for exactly this layer class (subclasses such as Conv2DTranspose are not)."""
    return SUPPORTED_LAYERS.get(type(layer))


def unsupported_weighted_layers(layers) -> list[str]:
    """'name (Class)' for layers that carry a kernel that preserve-QAT cannot handle."""
    return [f"{layer.name} ({type(layer).__name__})" for layer in layers
            if supported(layer) is None and any(hasattr(layer, a) for a in KERNEL_ATTRS)]


def preserve_config_for(layer, preserve: str):
    """The preserve QuantizeConfig the layer's kernel calls for, or None (TFMOT's default applies)."""
    entry = supported(layer)
    if entry is None:
        return None
    values = np.asarray(keras.backend.get_value(getattr(layer, entry.weight_attr)))
    has_zeros = bool(np.any(values == 0))
    clusters = structure.detect_clusters(values, entry.channel_axes) if preserve != "prune" else None
    if clusters is not None:
        quantizer_cls, config_cls = {
            "cluster": (ClusterPreserveQuantizer, ClusterPreserveQuantizeConfig),
            "prune_cluster": (PruneClusterPreserveQuantizer, PruneClusterPreserveQuantizeConfig),
        }[preserve]
        quantizer = quantizer_cls(per_axis=entry.per_axis, num_clusters=clusters.num_clusters,
                                  per_channel_clusters=clusters.per_channel, channel_axes=entry.channel_axes)
        return config_cls(weight_attr=entry.weight_attr, quantizer=quantizer)
    if has_zeros and preserve in ("prune", "prune_cluster"):
        return PrunePreserveQuantizeConfig(entry.weight_attr, PrunePreserveQuantizer(per_axis=entry.per_axis))
    return None


class PreserveQuantizeRegistry:
    """TFMOT's default 8-bit registry, but with preserve configs for clustered or pruned kernels."""

    def __init__(self, preserve: str):
        self.preserve = preserve
        self._default = tfmot.quantization.keras.default_8bit.Default8BitQuantizeRegistry()

    def supports(self, layer) -> bool:
        return supported(layer) is not None or self._default.supports(layer)

    def get_quantize_config(self, layer):
        config = preserve_config_for(layer, self.preserve)
        return config if config is not None else self._default.get_quantize_config(layer)


class PreserveQuantizeScheme(tfmot.quantization.keras.default_8bit.Default8BitQuantizeScheme):
    """TFMOT's default 8-bit scheme whose registry preserves zeros, clusters or both."""

    def __init__(self, preserve: str = "prune_cluster"):
        if preserve not in PRESERVE_MODES:
            raise UsageError(f"preserve must be one of {PRESERVE_MODES}, not {preserve!r}")
        self.preserve = preserve

    def get_quantize_registry(self):
        return PreserveQuantizeRegistry(self.preserve)
