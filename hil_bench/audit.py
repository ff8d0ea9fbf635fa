"""Sparsity and cluster audit of every weight tensor, at any stage, and the survival check between two.

A stage is a tf_keras model (float, pruned, clustered), a QAT model (the kernels its quantizers feed to
fake quantization) or an int8 ``.tflite``. Every tensor is reported in one layout — TFLite's, output
channel known — so stages compare tensor by tensor: Keras Conv2D ``[H,W,I,O]`` becomes ``[O,H,W,I]``,
DepthwiseConv2D ``[H,W,I,M]`` becomes ``[1,H,W,I*M]`` and Dense ``[I,O]`` becomes ``[O,I]``.

Each tensor also carries its N:M pattern: the strictest pattern that every block of M weights along the
reduction axis holds (blocks as :mod:`hil_bench.qat.structure` defines them), and for every pattern the
share of blocks that hold it, so a later stage can say how much of an earlier stage's pattern is left.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from hil_bench.errors import ModelFileError, UsageError
from hil_bench.firmware.image import loaded_bytes
from hil_bench.weighted import WEIGHTED_LAYERS

# TFLite op -> function from the Keras kernel layout to TFLite's (which layers: hil_bench.weighted)
_TO_TFLITE = {
    "CONV_2D": lambda w: np.transpose(w, (3, 0, 1, 2)),
    "DEPTHWISE_CONV_2D": lambda w: w.reshape(1, w.shape[0], w.shape[1], w.shape[2] * w.shape[3]),
    "FULLY_CONNECTED": lambda w: np.transpose(w),
}
# Keras layer class name -> (tflite op, kernel attribute, function to TFLite layout, channel axis there)
_KERAS_KERNELS = {w.keras_class: (w.tflite_op, w.kernel_attr, _TO_TFLITE[w.tflite_op], w.tflite_channel_axis)
                  for w in WEIGHTED_LAYERS}


@dataclass(frozen=True)
class TensorAudit:
    """What one weight tensor carries: the numbers a firmware or ML engineer decides on."""

    name: str
    op: str
    shape: tuple[int, ...]
    dtype: str
    bytes: int
    sparsity: float
    min_channel_sparsity: float
    unique: int
    max_unique_per_channel: int
    channel_axis: int
    scales: tuple[float, ...] = ()
    zero_points: tuple[int, ...] = ()
    nm_pattern: str = ""      # strictest N:M pattern every block holds ("" none)
    nm_shares: dict[str, float] = field(default_factory=dict)  # pattern -> share of blocks holding it

    def to_json(self) -> dict:
        row = asdict(self)
        row["shape"] = list(self.shape)
        row["scales"] = list(self.scales)
        row["zero_points"] = list(self.zero_points)
        return row


def audit_tensor(name: str, op: str, values: np.ndarray, channel_axis: int,
                 scales=(), zero_points=()) -> TensorAudit:
    from hil_bench.nm import nm_shares, strictest_nm

    # [output channel, reduction] in TFLite order: OHWI rows for CONV_2D / FULLY_CONNECTED, and for
    # DEPTHWISE_CONV_2D [1,H,W,C] each channel's H*W filter: the rows N:M blocks run along
    channels = np.moveaxis(values, channel_axis, 0).reshape(values.shape[channel_axis], -1)
    shares = nm_shares(channels)
    return TensorAudit(
        name=name, op=op, shape=tuple(int(d) for d in values.shape), dtype=str(values.dtype),
        bytes=int(values.nbytes),
        sparsity=float(np.mean(values == 0)) if values.size else 0.0,
        min_channel_sparsity=float(min((np.mean(c == 0) for c in channels), default=0.0)),
        unique=int(len(np.unique(values))),
        max_unique_per_channel=int(max((len(np.unique(c)) for c in channels), default=0)),
        channel_axis=channel_axis, scales=tuple(scales), zero_points=tuple(zero_points),
        nm_pattern=strictest_nm(shares), nm_shares=shares,
    )


def audit_tflite(source) -> list[TensorAudit]:
    """Audit the weights of every CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED of a .tflite; the
    compressed tensors of a compressed model (DECODE op) are decoded first."""
    # start-up cost: pulls tflite_micro, loaded only when this runs
    from hil_bench.compress.find_in_image import weights_of
    from hil_bench.tflite import model_bytes, read_model

    read_model(source)  # a corrupt file is refused naming it
    data, origin = model_bytes(source)
    rows = []
    for w in weights_of(data):
        if w.problem:
            raise ModelFileError(f"{origin}: weight tensor {w.name!r} ({w.method}): {w.problem}")
        rows.append(audit_tensor(w.name, w.op, w.values, w.channel_axis, w.scales, w.zero_points))
    return rows


def audit_keras(model) -> list[TensorAudit]:
    """Audit a tf_keras model's kernels; for a QAT model, the kernels its quantizers actually use."""
    # start-up cost: pulls TensorFlow, loaded only when this runs
    from hil_bench._keras import keras, require_keras2_model
    from hil_bench.qat import preserved_kernels

    require_keras2_model(model)
    preserved = preserved_kernels(model)
    rows = []
    for layer in model.layers:
        inner = getattr(layer, "layer", layer)  # a TFMOT QuantizeWrapper holds the real layer
        entry = _KERAS_KERNELS.get(type(inner).__name__)
        if entry is None:
            continue
        op, attr, to_tflite, axis = entry
        values = preserved.get(inner.name)
        if values is None and inner is not layer:
            # TFMOT's QuantizeWrapper swaps the layer's kernel attribute for the fake-quantized tensor;
            # the trained (latent) variable is kept beside its quantizer.
            values = next((np.asarray(keras.backend.get_value(w)) for w, _, _ in getattr(layer, "_weight_vars", ())
                           if w.name.split("/")[-1].startswith(attr)), None)
        if values is None:
            values = np.asarray(keras.backend.get_value(getattr(inner, attr)))
        rows.append(audit_tensor(inner.name, op, to_tflite(values), axis))
    return rows


def audit(source) -> list[TensorAudit]:
    """Audit a .tflite (path or bytes) or a tf_keras model."""
    if isinstance(source, (str, Path, bytes, bytearray)):
        if isinstance(source, (str, Path)) and Path(source).suffix not in (".tflite", ""):
            raise UsageError(f"{source}: audit reads .tflite files (or Keras models from Python)")
        return audit_tflite(source)
    return audit_keras(source)


@dataclass(frozen=True)
class Survival:
    """The verdict of comparing one tensor between two stages."""

    name: str
    against: str
    sparsity_before: float
    sparsity_after: float
    unique_before: int
    unique_after: int
    nm_pattern: str = ""        # the N:M pattern of the earlier stage ("" none)
    nm_share_after: float = 1.0  # share of the later stage's blocks that still hold it

    @property
    def pattern_survived(self) -> bool:
        return self.nm_share_after == 1.0

    @property
    def sparsity_survived(self) -> bool:
        """Zeros kept: as sparse as before, and an N:M pattern unbroken (one block too many is lost
        structure: an N:M kernel cannot run it)."""
        return self.sparsity_after >= self.sparsity_before and self.pattern_survived

    @property
    def clusters_survived(self) -> bool:
        return self.unique_after <= self.unique_before

    @property
    def survived(self) -> bool:
        return self.sparsity_survived and self.clusters_survived

    def problem(self) -> str:
        parts = []
        if self.sparsity_after < self.sparsity_before:
            parts.append(f"sparsity dropped {self.sparsity_before:.3f} -> {self.sparsity_after:.3f}")
        if not self.pattern_survived:
            parts.append(f"N:M pattern {self.nm_pattern} broken: {100 * self.nm_share_after:.1f} % of blocks hold "
                         f"at most {self.nm_pattern.split(':')[0]} non-zeros")
        if not self.clusters_survived:
            parts.append(f"max unique values per channel grew {self.unique_before} -> {self.unique_after}")
        return f"{self.name}: " + "; ".join(parts) if parts else ""


def survival(before: list[TensorAudit], after: list[TensorAudit]) -> list[Survival]:
    """Pair tensors of two stages (by layer name in the TFLite tensor name, else by order) and compare."""
    pairs = _pair(before, after)
    return [Survival(a.name, b.name, a.sparsity, b.sparsity, a.max_unique_per_channel, b.max_unique_per_channel,
                     a.nm_pattern, b.nm_shares.get(a.nm_pattern, 0.0) if a.nm_pattern else 1.0)
            for a, b in pairs]


def _pair(before: list[TensorAudit], after: list[TensorAudit]) -> list[tuple[TensorAudit, TensorAudit]]:
    if len(before) != len(after):
        raise UsageError(f"the two stages have {len(before)} and {len(after)} weight tensors; "
                         "compare stages of the same model")
    by_name = {}
    for b in after:
        for part in re.split(r"[/;]", b.name):
            by_name.setdefault(part.removeprefix("quant_"), b)
    pairs = []
    for i, a in enumerate(before):
        match = by_name.get(a.name)
        pairs.append((a, match if match is not None and match.op == a.op else after[i]))
    for a, b in pairs:
        if a.op != b.op or a.shape != b.shape:
            raise UsageError(f"tensor {a.name} ({a.op} {list(a.shape)}) has no counterpart in the other stage "
                             f"(paired with {b.name}: {b.op} {list(b.shape)})")
    return pairs


# ---- the model inside a firmware image or a device's flash read-back ----

@dataclass(frozen=True)
class ImageTensor:
    name: str
    method: str                   # "raw", "lut" or "hb"
    audit: Optional[TensorAudit]  # None when the tensor could not be decoded
    problem: str = ""             # empty when decoded, checksum-clean and equal to the reference


def audit_image(flash: bytes, reference: bytes | None = None, *, strict: bool = True,
                offset: int | None = None, require_checksums: bool = False) -> list[ImageTensor]:
    """Audit every weight tensor of the model embedded in ``flash``.

    Each tensor is checked against the image's checksum table when it has one (``require_checksums``:
    an image without one is an error) and against ``reference`` when given. With ``strict`` the first
    problem raises :class:`CorruptTensorError` naming the tensor; otherwise problems are returned in
    :attr:`ImageTensor.problem`.
    """
    # start-up cost: pulls tflite_micro, loaded only when this runs
    from hil_bench.compress import checksums
    from hil_bench.compress.find_in_image import CorruptTensorError, find_models, weights_of

    flash = bytes(flash)
    if offset is None:
        found = find_models(flash)
        if not found:
            raise ModelFileError("no .tflite model (identifier 'TFL3' at offset 4) found in the image")
        if len(found) > 1:
            raise ModelFileError(f"{len(found)} models found in the image at offsets {found}; pass offset=")
        offset = found[0]
    table = checksums.find_table(flash, offset)
    if table is None and require_checksums:
        raise ModelFileError("the image carries no weight checksum table (built by an older hil-bench or "
                             "not through `hil-bench export`); rebuild it, or pass --against MODEL")
    reference_weights = weights_of(reference) if reference is not None else None
    expected = {w.name: w.values for w in reference_weights} if reference is not None else None
    sums = {(c.subgraph, c.tensor): c for c in table or []}
    rows = []
    for k, w in enumerate(weights_of(flash[offset:])):
        if not w.name and reference_weights is not None and k < len(reference_weights):
            # A model stored without names (--strip-names): the k-th weighted operand of the same graph
            # (stripping keeps every tensor and operator in place), named after the reference's.
            w = dataclasses.replace(w, name=reference_weights[k].name)
        problem = w.problem or _against_table(w, sums, table) or _against_reference(w, expected)
        audit = audit_tensor(w.name, w.op, w.values, w.channel_axis, w.scales, w.zero_points) \
            if w.values is not None else None
        rows.append(ImageTensor(w.name, w.method, audit, problem))
    if table is not None and len(table) != len(rows):
        problem = f"the checksum table lists {len(table)} weight tensors, the model has {len(rows)}"
        if strict:
            raise CorruptTensorError(f"the model in the image: {problem}")
    for row in rows:
        if row.problem and strict:
            raise CorruptTensorError(f"weight tensor {row.name!r} ({row.method}) in the image: {row.problem}")
    return rows


def audit_elf(elf_path: str | Path, reference: bytes | None = None) -> list[TensorAudit]:
    """Audit the model found in an image's flash bytes: every weight tensor, raw or compressed, decoded
    and checked against the image's checksum table and, given ``reference`` (a .tflite's bytes), compared
    value for value with it.

    Raises CorruptTensorError naming the tensor when one fails to decode, its checksum or the comparison.
    """
    return [t.audit for t in audit_image(loaded_bytes(elf_path), reference, require_checksums=True)]


def _against_table(w, sums: dict, table) -> str:
    """What is wrong with weight ``w`` (a find_in_image.Weight) against the image's checksum table."""
    # start-up cost: pulls tflite_micro, loaded only when this runs
    from hil_bench.compress import checksums

    if table is None:
        return ""
    c = sums.get((w.subgraph, w.tensor))
    if c is None:
        return "not in the image's checksum table"
    if checksums.crc(w.stored) != c.stored_crc:
        return f"stored bytes fail their CRC-32 (a flipped byte in the {w.method} data)"
    if w.values.nbytes != c.decoded_bytes or checksums.crc(w.values.tobytes()) != c.decoded_crc:
        return "decoded values fail their CRC-32"
    return ""


def _against_reference(w, expected: dict | None) -> str:
    if expected is None:
        return ""
    ref = expected.get(w.name)
    if ref is None:
        return "no tensor of that name in the reference model"
    if ref.shape != w.values.shape:
        return f"shape {list(w.values.shape)} differs from the reference's {list(ref.shape)}"
    if not np.array_equal(ref, w.values):
        return f"decoded values differ from the reference ({int(np.sum(ref != w.values))} values)"
    return ""
