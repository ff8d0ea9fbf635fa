"""The stage cache key covers every option any stage reads: change any recipe field, the key changes.

Regression: with ``train.epochs = 0`` the train step was left out of the key, yet prune, cluster and
QAT fit with ``train.batch_size``, so changing it reused the stale stage.
"""

import dataclasses

import numpy as np
import pytest

from hil_bench.optimize.pipeline import stage_keys
from hil_bench.optimize.recipe import (BACKENDS, CENTROID_INITS, PRUNE_SCHEDULES, QAT_MODES, BUILTIN_RECIPES,
                                       Recipe, TrainStep)

CHOICES = {"schedule": PRUNE_SCHEDULES, "init": CENTROID_INITS, "mode": QAT_MODES, "backend": BACKENDS,
           "pattern": ("", "2:4")}   # the default prune step's 50 % is also 2:4's


def _changed(value, name):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value / 2
    return next(c for c in CHOICES[name] if c != value and c not in ("none", "qat"))


def every_single_change(recipe: Recipe):
    """(label, recipe with exactly one field changed) for every field of every step, and the seed."""
    yield "seed", dataclasses.replace(recipe, seed=recipe.seed + 1)
    for step_name in ("train", "prune", "cluster", "qat"):
        step = getattr(recipe, step_name)
        for f in dataclasses.fields(step):
            new = dataclasses.replace(step, **{f.name: _changed(getattr(step, f.name), f.name)})
            yield f"{step_name}.{f.name}", dataclasses.replace(recipe, **{step_name: new})


@pytest.mark.parametrize("train_epochs", [10, 0])
def test_every_field_any_stage_reads_changes_the_final_key(train_epochs):
    recipe = dataclasses.replace(BUILTIN_RECIPES["pcqat"], train=TrainStep(epochs=train_epochs))
    base = stage_keys("model", "data", recipe)["int8"]
    unread = {"train.epochs", "train.learning_rate"} if train_epochs == 0 else set()  # no training happens
    for label, changed in every_single_change(recipe):
        if label in unread:
            continue
        assert stage_keys("model", "data", changed)["int8"] != base, f"changing {label} kept the cache key"


def test_batch_size_reaches_the_prune_key_when_train_is_skipped():
    recipe = dataclasses.replace(BUILTIN_RECIPES["pcqat"], train=TrainStep(epochs=0, batch_size=32))
    other = dataclasses.replace(recipe, train=TrainStep(epochs=0, batch_size=8))
    assert "train" not in stage_keys("m", "d", recipe)
    assert stage_keys("m", "d", recipe)["prune"] != stage_keys("m", "d", other)["prune"]


def test_model_and_data_are_in_every_key():
    recipe = BUILTIN_RECIPES["ptq"]
    keys = stage_keys("m", "d", recipe)
    assert all(keys[s] != stage_keys("m2", "d", recipe)[s] != stage_keys("m", "d2", recipe)[s] for s in keys)


def test_optimize_reruns_prune_when_only_the_batch_size_changed(tmp_path, monkeypatch):
    """End to end on a tiny model: the second run with another batch size must not reuse the prune stage."""
    monkeypatch.setenv("HIL_BENCH_CACHE", str(tmp_path))
    from hil_bench._keras import keras
    from hil_bench.datasets import Dataset
    from hil_bench.optimize import optimize
    from hil_bench.optimize.recipe import PruneStep

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 8)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    data = Dataset("tiny", x, y, x[:16], y[:16], x[:16], y[:16], synthetic=True, task="classification")

    def model():
        keras.utils.set_random_seed(0)
        return keras.Sequential([keras.Input((8,), name="x"), keras.layers.Dense(8, activation="relu", name="hidden"),
                                 keras.layers.Dense(2, activation="softmax", name="out")], name="tiny")

    def run(batch_size):
        recipe = Recipe("tiny", train=TrainStep(epochs=0, batch_size=batch_size), prune=PruneStep(epochs=1))
        return {s.name: s.cached for s in optimize(model(), data, recipe, quiet=True).stages}

    assert run(32)["prune"] is False
    assert run(32)["prune"] is True       # same recipe: cached
    assert run(8)["prune"] is False       # only train.batch_size changed: prune must run again
