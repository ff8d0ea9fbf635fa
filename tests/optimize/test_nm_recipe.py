"""N:M pruning as recipes, TOML and sweep/fit grid points describe it (no training)."""

from __future__ import annotations

import pytest

from hil_bench.errors import UsageError
from hil_bench.optimize.pipeline import stage_keys
from hil_bench.optimize.recipe import PruneStep, Recipe, load_recipe, recipe_from_dict
from hil_bench.sizing.grid import Point, grid, parse_sparsities


def test_toml_pattern_fills_in_the_sparsity_it_implies(tmp_path):
    path = tmp_path / "nm.toml"
    path.write_text('[prune]\npattern = "1:8"\n[cluster]\n[qat]\nmode = "pcqat"\n')
    recipe = load_recipe(path)
    assert (recipe.prune.pattern, recipe.prune.target_sparsity) == ("1:8", 0.875)
    assert recipe_from_dict({"prune": {"pattern": "2:4", "target_sparsity": 0.5}}).prune.pattern == "2:4"


@pytest.mark.parametrize("prune,message", [
    ({"pattern": "3:4"}, "not a supported N:M pattern; use one of 1:2, 1:4, 2:4"),
    ({"pattern": "2:4", "target_sparsity": 0.75}, "contradicts prune.pattern '2:4'"),
    ({"pattern": "1:4", "schedule": "polynomial"}, "use schedule = \"constant\""),
    ({"pattern": 4}, "prune.pattern must be a str"),
])
def test_bad_patterns_are_refused(prune, message):
    with pytest.raises(UsageError, match=message):
        recipe_from_dict({"prune": prune})


def test_an_unstructured_prune_stage_keeps_its_cache_key():
    """Adding the pattern option must not invalidate every cached prune stage; a pattern changes the key."""
    plain = Recipe("a", prune=PruneStep())
    keys = stage_keys("m", "d", plain)
    assert keys["prune"] == stage_keys("m", "d", Recipe("b", prune=PruneStep(pattern="")))["prune"]
    assert keys["prune"] != stage_keys("m", "d", Recipe("c", prune=PruneStep.nm("2:4")))["prune"]
    assert keys["train"] == stage_keys("m", "d", Recipe("c", prune=PruneStep.nm("2:4")))["train"]


def test_sweep_grid_mixes_fractions_and_patterns():
    assert parse_sparsities("1:8,0,2:4,0.5,0.75") == [0.0, 0.5, "2:4", 0.75, "1:8"]
    with pytest.raises(UsageError, match="--sparsity: '3:4' is not a supported N:M pattern"):
        parse_sparsities("0,3:4")
    names = [p.name for p in grid(parse_sparsities("0,2:4,1:8"), [0, 16])]
    assert names == ["s0.00-k0", "s2of4-k0", "s1of8-k0", "s0.00-k16", "s2of4-k16", "s1of8-k16"]
    nm = Point("1:4", 16).recipe(tune_epochs=1)
    assert (nm.prune.pattern, nm.prune.target_sparsity, nm.qat.mode) == ("1:4", 0.75, "pcqat")
    assert nm.cluster.preserve_sparsity and nm.prune.epochs == 1
    assert Point("2:4", 0).recipe().qat.mode == "pqat"
