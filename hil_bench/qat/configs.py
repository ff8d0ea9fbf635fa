"""QuantizeConfigs that put a preserve quantizer on a layer's kernel.

Activations are quantized exactly as in TFMOT's default 8-bit scheme (moving-average, asymmetric,
8 bit, on the layer's ``activation``), outputs are not quantized by the layer itself, so TFMOT's layout
transforms (Conv + BatchNorm + ReLU folding) work unchanged.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import ClassVar

from hil_bench._keras import tfmot
from hil_bench.qat.quantizers import (
    ClusterPreserveQuantizer,
    PruneClusterPreserveQuantizer,
    PrunePreserveQuantizer,
)

_QuantizeConfig = tfmot.quantization.keras.QuantizeConfig
_MovingAverageQuantizer = tfmot.quantization.keras.quantizers.MovingAverageQuantizer


def _activation_quantizer() -> _MovingAverageQuantizer:
    return _MovingAverageQuantizer(num_bits=8, per_axis=False, symmetric=False, narrow_range=False)


class _PreserveQuantizeConfig(_QuantizeConfig):
    """One weight attribute with a preserve quantizer, the ``activation`` with TFMOT's default one."""

    quantizer_type: ClassVar[type]
    weight_attr: str
    quantizer: object

    def __post_init__(self):
        if type(self.quantizer) is not self.quantizer_type:
            raise TypeError(f"{type(self).__name__} needs a {self.quantizer_type.__name__}, "
                            f"got {type(self.quantizer).__name__}")

    def get_weights_and_quantizers(self, layer):
        return [(getattr(layer, self.weight_attr), self.quantizer)]

    def get_activations_and_quantizers(self, layer):
        return [(layer.activation, _activation_quantizer())]

    def set_quantize_weights(self, layer, quantize_weights):
        (weight,) = quantize_weights
        setattr(layer, self.weight_attr, weight)

    def set_quantize_activations(self, layer, quantize_activations):
        (layer.activation,) = quantize_activations

    def get_output_quantizers(self, layer):
        return []

    def get_config(self) -> dict:
        return {"weight_attr": self.weight_attr, "quantizer": dataclasses.asdict(self.quantizer)}

    @classmethod
    def from_config(cls, config: dict):
        return cls(weight_attr=config["weight_attr"], quantizer=cls.quantizer_type(**config["quantizer"]))


@dataclass
class PrunePreserveQuantizeConfig(_PreserveQuantizeConfig):
    quantizer_type: ClassVar[type] = PrunePreserveQuantizer
    weight_attr: str = "kernel"
    quantizer: PrunePreserveQuantizer = field(default_factory=PrunePreserveQuantizer)


@dataclass
class ClusterPreserveQuantizeConfig(_PreserveQuantizeConfig):
    quantizer_type: ClassVar[type] = ClusterPreserveQuantizer
    weight_attr: str = "kernel"
    quantizer: ClusterPreserveQuantizer = field(default_factory=ClusterPreserveQuantizer)


@dataclass
class PruneClusterPreserveQuantizeConfig(_PreserveQuantizeConfig):
    quantizer_type: ClassVar[type] = PruneClusterPreserveQuantizer
    weight_attr: str = "kernel"
    quantizer: PruneClusterPreserveQuantizer = field(default_factory=PruneClusterPreserveQuantizer)
