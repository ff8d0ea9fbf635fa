"""Recipes: what to do to a model, as data.

A recipe is a frozen dataclass, built in (:data:`BUILTIN_RECIPES`) or loaded from TOML. Every step's
options are typed fields: a misspelt key is an error, never silently ignored, and settings that
contradict each other (PCQAT without pruning, say) are refused before any training starts.

TOML layout (every table and key optional except where a step needs it)::

    name = "my_pcqat"
    seed = 0
    [train]    epochs = 10, learning_rate = 0.01, batch_size = 32
    [prune]    target_sparsity = 0.5, schedule = "constant", epochs = 2, learning_rate = 0.001
               (or pattern = "2:4": N:M structured, target_sparsity then follows from it)
    [cluster]  num_clusters = 16, per_channel = false, init = "kmeans_plus_plus", preserve_sparsity = true,
               epochs = 2, learning_rate = 0.001
    [qat]      mode = "pcqat", backend = "hil_bench", epochs = 2, learning_rate = 0.001
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from hil_bench.errors import UsageError
from hil_bench.nm import NM_PATTERNS, nm_sparsity

QAT_MODES = ("none", "qat", "pqat", "cqat", "pcqat")
BACKENDS = ("hil_bench", "tfmot")
PRUNE_SCHEDULES = ("constant", "polynomial")
CENTROID_INITS = ("kmeans_plus_plus", "linear", "density", "random")


@dataclass(frozen=True)
class TrainStep:
    """Baseline float training (0 epochs keeps a pre-trained model as it is)."""

    epochs: int = 10
    learning_rate: float = 1e-2
    batch_size: int = 32


@dataclass(frozen=True)
class PruneStep:
    """Magnitude pruning to ``target_sparsity`` zeros in every prunable kernel, anywhere in it, or with
    ``pattern`` "N:M" (1:4, 2:4, 1:8...) at most N non-zeros in every block of M weights along the
    reduction axis (where, exactly: :mod:`hil_bench.qat.structure`); ``target_sparsity`` is then 1 - N/M."""

    target_sparsity: float = 0.5
    schedule: str = "constant"
    epochs: int = 2
    learning_rate: float = 1e-3
    pattern: str = ""

    @classmethod
    def nm(cls, pattern: str, **options) -> "PruneStep":
        """N:M pruning, ``target_sparsity`` filled in from the pattern (an unknown pattern keeps 0.5 and
        fails validation with the list of patterns)."""
        return cls(target_sparsity=nm_sparsity(pattern) or cls.target_sparsity, pattern=pattern, **options)


@dataclass(frozen=True)
class ClusterStep:
    """Weight clustering to ``num_clusters`` values per kernel (or per output channel)."""

    num_clusters: int = 16
    per_channel: bool = False
    init: str = "kmeans_plus_plus"
    preserve_sparsity: bool = True
    epochs: int = 2
    learning_rate: float = 1e-3


@dataclass(frozen=True)
class QatStep:
    """The quantization step: ``none`` is post-training quantization, the rest fine-tune with QAT."""

    mode: str = "none"
    backend: str = "hil_bench"
    epochs: int = 2
    learning_rate: float = 1e-3


@dataclass(frozen=True)
class Recipe:
    name: str
    train: TrainStep = field(default_factory=TrainStep)
    prune: PruneStep | None = None
    cluster: ClusterStep | None = None
    qat: QatStep = field(default_factory=QatStep)
    seed: int = 0

    def __post_init__(self):
        validate(self)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def validate(recipe: Recipe) -> None:
    """Refuse contradictory or out-of-range settings, saying which and how to fix them."""
    problems = []
    q = recipe.qat
    if q.mode not in QAT_MODES:
        problems.append(f"qat.mode {q.mode!r} is not one of {', '.join(QAT_MODES)}")
    if q.backend not in BACKENDS:
        problems.append(f"qat.backend {q.backend!r} is not one of {', '.join(BACKENDS)}")
    if q.mode in ("pqat", "pcqat") and recipe.prune is None:
        problems.append(f"qat.mode {q.mode!r} preserves sparsity but the recipe has no [prune] step")
    if q.mode in ("cqat", "pcqat") and recipe.cluster is None:
        problems.append(f"qat.mode {q.mode!r} preserves clusters but the recipe has no [cluster] step")
    if recipe.prune is not None:
        p = recipe.prune
        if not 0.0 < p.target_sparsity < 1.0:
            problems.append(f"prune.target_sparsity {p.target_sparsity} must be between 0 and 1 (exclusive)")
        if p.schedule not in PRUNE_SCHEDULES:
            problems.append(f"prune.schedule {p.schedule!r} is not one of {', '.join(PRUNE_SCHEDULES)}")
        if p.epochs < 1:
            problems.append("prune.epochs must be at least 1 (pruning happens while fine-tuning)")
        if p.pattern:
            problems.extend(_pattern_problems(p))
    if recipe.cluster is not None:
        c = recipe.cluster
        if not 2 <= c.num_clusters <= 256:
            problems.append(f"cluster.num_clusters {c.num_clusters} must be between 2 and 256 (int8 has 256 values)")
        if c.init not in CENTROID_INITS:
            problems.append(f"cluster.init {c.init!r} is not one of {', '.join(CENTROID_INITS)}")
        if c.preserve_sparsity and recipe.prune is None:
            problems.append("cluster.preserve_sparsity is true but the recipe has no [prune] step; "
                            "set preserve_sparsity = false or add [prune]")
    steps = [("train", recipe.train), ("prune", recipe.prune), ("cluster", recipe.cluster), ("qat", recipe.qat)]
    for name, step in steps:
        if step is None:
            continue
        if step.epochs < 0:
            problems.append(f"{name}.epochs must not be negative")
        if not step.learning_rate > 0:  # also refuses NaN
            problems.append(f"{name}.learning_rate must be positive")
    if recipe.train.batch_size < 1:
        problems.append(f"train.batch_size {recipe.train.batch_size} must be at least 1")
    if recipe.qat.mode != "none" and recipe.qat.epochs < 1:
        problems.append(f"qat.epochs must be at least 1 for qat.mode {recipe.qat.mode!r}")
    if problems:
        raise UsageError(f"recipe {recipe.name!r} is inconsistent: " + "; ".join(problems) + ".")


def _pattern_problems(p: PruneStep) -> list[str]:
    sparsity = nm_sparsity(p.pattern)
    if sparsity is None:
        return [f"prune.pattern {p.pattern!r} is not a supported N:M pattern; use one of {', '.join(NM_PATTERNS)} "
                "(or leave it out for unstructured pruning)"]
    problems = []
    if abs(p.target_sparsity - sparsity) > 1e-9:
        problems.append(f"prune.target_sparsity {p.target_sparsity} contradicts prune.pattern {p.pattern!r} "
                        f"(which keeps N of every M weights: sparsity {sparsity:g}); leave target_sparsity out")
    if p.schedule != "constant":
        problems.append(f"prune.schedule {p.schedule!r} does not apply to N:M pruning, which masks every block "
                        "from the first step; use schedule = \"constant\"")
    return problems


def _collaborative(name: str, mode: str, prune: PruneStep | None = None) -> Recipe:
    """Train, prune (50 % by default), cluster to 16 keeping the zeros, then the given quantization step."""
    return Recipe(name=name, prune=prune or PruneStep(), cluster=ClusterStep(), qat=QatStep(mode=mode))


BUILTIN_RECIPES = {
    "ptq": _collaborative("ptq", "none"),
    "qat": _collaborative("qat", "qat"),
    "pqat": _collaborative("pqat", "pqat"),
    "cqat": _collaborative("cqat", "cqat"),
    "pcqat": _collaborative("pcqat", "pcqat"),
    # N:M structured: the pattern the in-place sparse kernels execute, kept exactly through PCQAT
    "pcqat24": _collaborative("pcqat24", "pcqat", PruneStep.nm("2:4")),
}

_STEP_TYPES = {"train": TrainStep, "prune": PruneStep, "cluster": ClusterStep, "qat": QatStep}


def load_recipe(source: str | Path) -> Recipe:
    """A built-in recipe by name, or a recipe from a ``.toml`` file."""
    if isinstance(source, str) and source in BUILTIN_RECIPES:
        return BUILTIN_RECIPES[source]
    path = Path(source)
    if path.suffix != ".toml":
        raise UsageError(f"unknown recipe {str(source)!r}; built-in recipes are {', '.join(BUILTIN_RECIPES)}, "
                         "or pass a .toml file")
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise UsageError(f"{path}: no such recipe file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None
    return recipe_from_dict(data, default_name=path.stem, origin=str(path))


def recipe_from_dict(data: dict, default_name: str = "custom", origin: str = "recipe") -> Recipe:
    unknown = set(data) - {"name", "seed", *_STEP_TYPES}
    if unknown:
        raise UsageError(f"{origin}: unknown key(s) {', '.join(sorted(unknown))}; "
                         f"expected name, seed, {', '.join(_STEP_TYPES)}")
    steps = {}
    for key, step_type in _STEP_TYPES.items():
        if key not in data:
            continue
        table = data[key]
        if not isinstance(table, dict):
            raise UsageError(f"{origin}: [{key}] must be a table")
        names = {f.name: f for f in dataclasses.fields(step_type)}
        bad = set(table) - set(names)
        if bad:
            raise UsageError(f"{origin}: unknown option(s) {', '.join(sorted(bad))} in [{key}]; "
                             f"expected {', '.join(names)}")
        for option, value in table.items():
            want = type(getattr(step_type(), option))
            numeric = want is float and isinstance(value, int) and not isinstance(value, bool)
            if type(value) is not want and not numeric:  # type(): true is an int to isinstance
                raise UsageError(f"{origin}: {key}.{option} must be a {want.__name__}, got {value!r}")
        if key == "prune" and "pattern" in table and "target_sparsity" not in table:
            table = {**table, "target_sparsity": nm_sparsity(table["pattern"]) or PruneStep.target_sparsity}
        steps[key] = step_type(**table)
    seed = data.get("seed", 0)
    if type(seed) is not int or not 0 <= seed < 2**32:
        raise UsageError(f"{origin}: seed must be an integer from 0 to 2**32-1, got {seed!r}")
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name:
        raise UsageError(f"{origin}: name must be a non-empty string, got {name!r}")
    return Recipe(name=name, seed=seed, **steps)
