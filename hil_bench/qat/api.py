"""``preserve_quantize``: annotate and apply preserve-QAT to a whole model; save and reload it.

Saved format: a TensorFlow SavedModel directory, written by :func:`save_preserve_qat` and read back by
:func:`load_preserve_qat`. The zero masks and cluster indices are model variables, so a reloaded model
keeps its structure and gives identical outputs.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from hil_bench._keras import keras, require_keras2_model, tfmot
from hil_bench.errors import ModelFileError, PreserveError, UnsupportedModelError, UsageError
from hil_bench.weighted import keras_names
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
from hil_bench.qat.scheme import (
    PRESERVE_MODES,
    PreserveQuantizeScheme,
    preserve_config_for,
    supported,
    unsupported_weighted_layers,
)

log = logging.getLogger(__name__)

_CUSTOM_OBJECTS = {
    cls.__name__: cls for cls in (
        PrunePreserveQuantizer, ClusterPreserveQuantizer, PruneClusterPreserveQuantizer,
        PrunePreserveQuantizeConfig, ClusterPreserveQuantizeConfig, PruneClusterPreserveQuantizeConfig,
    )
}

_NO_STRUCTURE = {
    "prune": f"no {keras_names('or')} kernel has any zero weights; prune the model first "
             "(tfmot.sparsity.keras.prune_low_magnitude, then strip_pruning) or use preserve='cluster'",
    "cluster": f"no {keras_names('or')} kernel is clustered (few distinct values per tensor or "
               "per channel); cluster the model first (tfmot.clustering.keras.cluster_weights, then "
               "strip_clustering) or use preserve='prune'",
    "prune_cluster": f"no {keras_names('or')} kernel is pruned or clustered; prune and cluster "
                     "the model first",
}


def preserve_qat_scope():
    """Custom-object scope that knows TFMOT's and hil-bench's QAT classes (for loading and cloning)."""
    return tfmot.quantization.keras.quantize_scope(_CUSTOM_OBJECTS)


def preserve_quantize(model, preserve: str = "prune_cluster"):
    """Return a QAT model of ``model`` whose fine-tuning keeps its zeros, clusters, or both.

    ``preserve`` is ``"prune"`` (zeros stay exactly zero), ``"cluster"`` (each weight stays on its
    cluster; centroids train) or ``"prune_cluster"`` (both; the zero cluster is pinned at 0). Conv2D,
    DepthwiseConv2D and Dense kernels that carry the structure get the preserve quantizers; every
    other layer is quantized exactly as TFMOT's default 8-bit scheme does.
    """
    require_keras2_model(model)
    if preserve not in PRESERVE_MODES:
        raise UsageError(f"preserve={preserve!r} is not a preserve mode; use one of {', '.join(PRESERVE_MODES)}")
    layers = _flat_layers(model)
    bad = unsupported_weighted_layers(layers)
    if bad:
        raise UnsupportedModelError(
            f"preserve-QAT cannot handle the weighted layer(s) {', '.join(bad)}; it supports {keras_names()}. "
            "Replace those layers, or quantize the model with plain TFMOT QAT."
        )
    plan = {layer.name: preserve_config_for(layer, preserve) for layer in layers}
    if not any(plan.values()):
        raise PreserveError(f"preserve={preserve!r}: {_NO_STRUCTURE[preserve]}.")
    for layer in layers:
        if plan[layer.name] is None and supported(layer) is not None:
            log.info("layer %s: no %s structure, quantized with TFMOT's default 8-bit quantizer", layer.name, preserve)

    try:
        annotated = tfmot.quantization.keras.quantize_annotate_model(model)
        with preserve_qat_scope():
            qat_model = tfmot.quantization.keras.quantize_apply(annotated, scheme=PreserveQuantizeScheme(preserve))
    except (ValueError, RuntimeError) as exc:
        raise UnsupportedModelError(f"TFMOT could not quantize this model: {exc}") from None
    _check_structure_carried_over(model, qat_model)
    return qat_model


def _flat_layers(model) -> list:
    layers = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            raise UnsupportedModelError(
                f"layer {layer.name!r} is a nested model; TFMOT's QAT needs a flat model. Build the model "
                "without nesting (call the inner model's layers directly)."
            )
        layers.append(layer)
    return layers


def _preserve_kernels(qat_model):
    """(inner layer, weight attr, preserved float kernel) for every kernel under a preserve quantizer."""
    for layer in qat_model.layers:
        config = getattr(layer, "quantize_config", None)
        if type(config).__name__ in _CUSTOM_OBJECTS:
            for weight, quantizer, qvars in layer._weight_vars:  # TFMOT's wrapper keeps them here
                yield layer.layer, config.weight_attr, np.asarray(quantizer.preserved_weights(weight, qvars))


def preserved_kernels(qat_model) -> dict[str, np.ndarray]:
    """Float kernels as the preserve quantizers feed them to fake quantization, by inner layer name."""
    return {layer.name: kernel for layer, _, kernel in _preserve_kernels(qat_model)}


def _check_structure_carried_over(model, qat_model) -> None:
    """The quantizers must start from exactly the incoming weights; anything else is a bug, said loudly."""
    originals = {layer.name: layer for layer in model.layers}
    for layer, attr, kernel in _preserve_kernels(qat_model):
        want = np.asarray(keras.backend.get_value(getattr(originals[layer.name], attr)))
        if not np.array_equal(kernel, want):
            raise PreserveError(
                f"layer {layer.name!r}: the preserve quantizer did not start from the layer's weights "
                "(this is a bug in hil-bench; please report it with the model)"
            )


def save_preserve_qat(model, path: str | os.PathLike) -> Path:
    """Save a preserve-QAT model as a TensorFlow SavedModel directory, atomically.

    SavedModel matches variables by their place in the model, so the zero masks, cluster indices and
    centroids come back exactly (tf_keras .h5 and .keras match weights by creation order, which differs
    between a fresh and a rebuilt QAT wrapper, and fail to reload — as they do for TFMOT's own CQAT).
    """
    path = Path(path)
    if path.suffix in (".h5", ".keras", ".hdf5"):
        raise UsageError(f"{path}: preserve-QAT models are saved as a SavedModel directory; use a name "
                         "without a .h5/.keras suffix")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        model.save(str(tmp), save_format="tf")
        if path.exists():
            old = path.with_name(f".{path.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def load_preserve_qat(path: str | os.PathLike):
    """Load a model written by :func:`save_preserve_qat` (zero masks and cluster indices included)."""
    path = Path(path)
    if not (path / "saved_model.pb").is_file():
        raise UsageError(f"{path}: not a SavedModel directory (no saved_model.pb); save it with save_preserve_qat")
    try:
        with preserve_qat_scope():
            return keras.models.load_model(str(path))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ModelFileError(f"{path}: cannot load as a preserve-QAT model ({type(exc).__name__}: {exc})") from None
