"""What a sweep or a search measures with, besides the grid: one frozen value, also the sweep state's key."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path

from hil_bench.compress import defaults
from hil_bench.errors import UsageError
from hil_bench.sizing.grid import QAT_CHOICES, Point


@dataclass(frozen=True)
class Settings:
    model: str                      # a built-in model (hil_bench.models) or the path of the user's model
    dataset: str | None = None      # None: the model's own (synthetic for a user's model)
    qat: str = "pcqat"
    compress: str = defaults.COMPRESS
    kernels: str = "opt"
    limit: int | None = None        # test samples run on the board
    train_epochs: int | None = None  # None: the recipe default (a user's model arrives trained: never trained)
    tune_epochs: int | None = None   # each prune/cluster/QAT step; None: the recipe default
    seed: int = 0
    strip_names: bool = False       # the image stores the model without tensor and signature names

    def __post_init__(self):
        from hil_bench.models import check_model_source   # start-up cost: models is loaded only when a sweep or fit runs

        check_model_source(self.model)   # a built-in name, or the user's file or SavedModel folder
        if self.qat not in QAT_CHOICES:
            raise UsageError(f"--qat {self.qat!r} is not one of {', '.join(QAT_CHOICES)}")
        for option, value, low in (("--limit", self.limit, 1), ("--train-epochs", self.train_epochs, 0),
                                   ("--tune-epochs", self.tune_epochs, 1)):
            if value is not None and value < low:
                raise UsageError(f"{option} {value} is out of range: give >= {low}")

    @property
    def builtin(self) -> bool:
        from hil_bench.models import MODELS

        return self.model in MODELS

    def suite(self):
        # start-up cost: every `hil-bench` call loads this module; this waits until used
        from hil_bench.bench import Suite
        from hil_bench.models import get_spec

        dataset = self.dataset or (get_spec(self.model).dataset if self.builtin else None)
        suite = Suite(self.model, dataset, (), "")
        return dataclasses.replace(suite, description=f"{suite.label} on {dataset or 'synthetic data'}, "
                                                      "sweep of sparsity x clusters")

    def recipe(self, point: Point):
        return point.recipe(self.qat, train_epochs=self.train_epochs, tune_epochs=self.tune_epochs, seed=self.seed)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def key(self) -> dict:
        """What the rows measure: the settings, with the user's model and data files by content, so a
        changed file is a new sweep and a moved one the same."""
        d = self.as_dict()
        for name in ("model", "dataset"):
            path = None if d[name] is None else Path(d[name])
            if path is not None and path.exists():
                d[name] = {"file": path.name, "sha256": _digest(path)}
        return d


def _digest(path: Path) -> str:
    """A file's content hash; a folder's (a SavedModel) over its files' relative names and contents."""
    h = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for f in files:
        h.update(str(f.relative_to(path) if f != path else f.name).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]
