"""The sweep grid as data: parse ``--sparsity``/``--clusters`` lists and byte sizes, and turn each
(sparsity, clusters) point into a recipe.

A sparsity is a fraction of zeros (unstructured) or an N:M pattern such as ``2:4`` (at most N non-zeros
in every block of M along the reduction axis). A point with sparsity 0 has no prune step, with clusters 0
no cluster step; the QAT step preserves
what the point has (``--qat pcqat``: qat, pqat, cqat or pcqat), or is plain QAT / post-training
quantization everywhere (``--qat qat`` / ``none``) to show what those lose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hil_bench.errors import UsageError
from hil_bench.nm import NM_PATTERNS, nm_sparsity
from hil_bench.optimize.recipe import ClusterStep, PruneStep, QatStep, Recipe, TrainStep

QAT_CHOICES = ("pcqat", "qat", "none")
_UNITS = {"": 1, "b": 1, "kib": 1024, "mib": 1024 ** 2, "gib": 1024 ** 3}


def parse_size(text: str, option: str) -> int:
    """Bytes from ``65536``, ``0x10000``, ``64KiB``, ``1MiB`` (``B`` optional). KB/MB are refused:
    whether they mean 1000 or 1024 is exactly the doubt a budget must not carry."""
    raw = str(text).strip()
    match = re.fullmatch(r"(0x[0-9a-fA-F]+|\d+(?:\.\d+)?)\s*([A-Za-z]*)", raw)
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _UNITS or (match.group(1).startswith("0x") and unit):
        raise UsageError(f"{option} {text!r} is not a size; write bytes (65536 or 0x10000) or binary units "
                         "(64KiB, 1MiB)")
    number = int(match.group(1), 16) if match.group(1).startswith("0x") else float(match.group(1))
    value = number * _UNITS[unit]
    if value != int(value):
        raise UsageError(f"{option} {text!r} is not a whole number of bytes")
    return int(value)


def _split(text: str, option: str) -> list[str]:
    items = [t.strip() for t in str(text).split(",")]
    if not any(items):
        raise UsageError(f"{option} is empty: give a comma-separated list, e.g. {option} 0,0.5,0.75")
    if not all(items):
        raise UsageError(f"{option} {text!r} has an empty item; give a comma-separated list without gaps")
    return items


def sparsity_fraction(sparsity: float | str) -> float:
    """The share of zeros a sparsity stands for: itself, or 1 - N/M for an N:M pattern."""
    return nm_sparsity(sparsity) if isinstance(sparsity, str) else sparsity


def parse_sparsities(text: str, option: str = "--sparsity") -> list[float | str]:
    """Sorted by share of zeros (an N:M pattern after the fraction it equals), without repeats; each in
    [0, 1) (0: no pruning) or an N:M pattern ("2:4")."""
    values = []
    for item in _split(text, option):
        if ":" in item:
            if nm_sparsity(item) is None:
                raise UsageError(f"{option}: {item!r} is not a supported N:M pattern; use one of "
                                 f"{', '.join(NM_PATTERNS)}, e.g. 0,0.5,2:4,1:8")
            values.append(item)
            continue
        try:
            value = float(item)
        except ValueError:
            raise UsageError(f"{option}: {item!r} is not a number; give fractions of zero weights, "
                             "e.g. 0,0.5,0.75") from None
        if not 0.0 <= value < 1.0:   # also refuses NaN
            raise UsageError(f"{option}: {item} is out of range; a sparsity is a fraction from 0 (no pruning) "
                             "up to but excluding 1")
        values.append(value)
    return sorted(set(values), key=lambda s: (sparsity_fraction(s), isinstance(s, str)))


def parse_clusters(text: str, option: str = "--clusters") -> list[int]:
    """Sorted, without repeats; each 0 (no clustering) or 2..256."""
    values = []
    for item in _split(text, option):
        try:
            value = int(item)
        except ValueError:
            raise UsageError(f"{option}: {item!r} is not a whole number; give cluster counts, e.g. 0,8,16") from None
        if value != 0 and not 2 <= value <= 256:
            raise UsageError(f"{option}: {item} is out of range; give 0 (no clustering) or 2 to 256 "
                             "(int8 has 256 values)")
        values.append(value)
    return sorted(set(values))


def _fraction(value: float) -> str:
    short = f"{value:.2f}"
    return short if float(short) == value else repr(value)


@dataclass(frozen=True)
class Point:
    """One grid point; ``clusters == 0`` means no clustering, ``sparsity == 0`` no pruning, an N:M
    ``sparsity`` ("2:4") N:M pruning."""

    sparsity: float | str
    clusters: int

    @property
    def name(self) -> str:
        """s0.50-k16, or s2of4-k16 for N:M (no colon: names become file names)."""
        sparsity = self.sparsity.replace(":", "of") if isinstance(self.sparsity, str) else _fraction(self.sparsity)
        return f"s{sparsity}-k{self.clusters}"

    @property
    def pruned(self) -> bool:
        return sparsity_fraction(self.sparsity) > 0

    def compression_order(self) -> tuple:
        """Sorts from least to most compressed on each axis: clusters 0 (none) first, then many to few."""
        return (0 if self.clusters == 0 else 257 - self.clusters, sparsity_fraction(self.sparsity),
                isinstance(self.sparsity, str))

    def qat_mode(self, qat: str) -> str:
        if qat != "pcqat":
            return qat
        return {(False, False): "qat", (True, False): "pqat", (False, True): "cqat",
                (True, True): "pcqat"}[(self.pruned, self.clusters > 0)]

    def recipe(self, qat: str = "pcqat", *, train_epochs: int | None = None, tune_epochs: int | None = None,
               seed: int = 0) -> Recipe:
        """The recipe of this point. ``tune_epochs``: each prune, cluster and QAT fine-tuning step."""
        tune = {} if tune_epochs is None else {"epochs": tune_epochs}
        train = TrainStep() if train_epochs is None else TrainStep(epochs=train_epochs)
        if isinstance(self.sparsity, str):
            prune = PruneStep.nm(self.sparsity, **tune)
        else:
            prune = PruneStep(target_sparsity=self.sparsity, **tune) if self.pruned else None
        cluster = (ClusterStep(num_clusters=self.clusters, preserve_sparsity=prune is not None, **tune)
                   if self.clusters > 0 else None)
        return Recipe(name=self.name, train=train, prune=prune, cluster=cluster,
                      qat=QatStep(mode=self.qat_mode(qat), **tune), seed=seed)


def grid(sparsities: list[float], clusters: list[int]) -> list[Point]:
    """Every point, least compressed first (so the progress bar moves from big models to small ones)."""
    return sorted((Point(s, k) for s in sparsities for k in clusters), key=Point.compression_order)
