"""Preserve-QAT: quantization-aware training that keeps pruning zeros, weight clusters, or both.

Plugs into TFMOT's public QAT API: the quantizers and QuantizeConfigs here can be used with
``quantize_annotate_layer``/``quantize_apply`` directly, :class:`PreserveQuantizeScheme` with
``quantize_apply(..., scheme=...)``, and :func:`preserve_quantize` does it all for a whole model.
"""

from hil_bench.qat.api import (
    load_preserve_qat,
    preserve_qat_scope,
    preserve_quantize,
    preserved_kernels,
    save_preserve_qat,
)
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
from hil_bench.qat.scheme import PRESERVE_MODES, PreserveQuantizeScheme

__all__ = [
    "PrunePreserveQuantizer", "ClusterPreserveQuantizer", "PruneClusterPreserveQuantizer",
    "PrunePreserveQuantizeConfig", "ClusterPreserveQuantizeConfig", "PruneClusterPreserveQuantizeConfig",
    "PreserveQuantizeScheme", "PRESERVE_MODES",
    "preserve_quantize", "preserve_qat_scope", "preserved_kernels", "save_preserve_qat", "load_preserve_qat",
]
