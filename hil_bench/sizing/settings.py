"""What a sweep or a search measures with, besides the grid: one frozen value, also the sweep state's key."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from hil_bench.errors import UsageError
from hil_bench.sizing.grid import QAT_CHOICES, Point


@dataclass(frozen=True)
class Settings:
    model: str                      # a built-in model (hil_bench.models)
    dataset: str | None = None      # None: the model's own
    qat: str = "pcqat"
    compress: str = "auto"
    kernels: str = "opt"
    limit: int | None = None        # test samples run on the board
    train_epochs: int | None = None  # None: the recipe default
    tune_epochs: int | None = None   # each prune/cluster/QAT step; None: the recipe default
    seed: int = 0

    def __post_init__(self):
        # start-up cost: every `hil-bench` call loads this module; this waits until used
        from hil_bench.models import get_spec

        get_spec(self.model)   # the "unknown model" error with the list of names
        if self.qat not in QAT_CHOICES:
            raise UsageError(f"--qat {self.qat!r} is not one of {', '.join(QAT_CHOICES)}")
        for option, value, low in (("--limit", self.limit, 1), ("--train-epochs", self.train_epochs, 0),
                                   ("--tune-epochs", self.tune_epochs, 1)):
            if value is not None and value < low:
                raise UsageError(f"{option} {value} is out of range: give >= {low}")

    def suite(self):
        # start-up cost: every `hil-bench` call loads this module; this waits until used
        from hil_bench.bench import Suite
        from hil_bench.models import get_spec

        dataset = self.dataset or get_spec(self.model).dataset
        return Suite(self.model, dataset, (), f"{self.model} on {dataset}, sweep of sparsity x clusters")

    def recipe(self, point: Point):
        return point.recipe(self.qat, train_epochs=self.train_epochs, tune_epochs=self.tune_epochs, seed=self.seed)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)
