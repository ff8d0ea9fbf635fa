"""The quality metrics a result can carry, defined once: name, which direction is better, its range.

A classifier is scored by accuracy (a fraction, higher is better); an autoencoder by the mean squared
error of its reconstruction (>= 0, lower is better). Rows, ``compare`` and reports read the direction
from here, so an autoencoder that improves is never reported as a regression.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    higher_is_better: bool
    fraction: bool          # a value in [0, 1], shown in percent
    label: str


METRICS = {m.name: m for m in (
    Metric("accuracy", higher_is_better=True, fraction=True, label="accuracy"),
    Metric("mse", higher_is_better=False, fraction=False, label="mean squared error"),
)}
TASK_METRIC = {"classification": "accuracy", "autoencoder": "mse"}   # data set task -> its metric
DEFAULT_METRIC = "accuracy"
