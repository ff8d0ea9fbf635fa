"""Recipes and the optimization pipeline: train, prune, cluster, QAT, int8 — each stage audited and cached.

The pipeline imports TensorFlow (seconds); recipes do not, so the names are resolved lazily and a
recipe typo is reported before TensorFlow is loaded.
"""

from hil_bench.optimize.recipe import BUILTIN_RECIPES, Recipe, load_recipe, recipe_from_dict

__all__ = ["BUILTIN_RECIPES", "OptimizeResult", "Recipe", "load_recipe", "optimize", "recipe_from_dict"]


def __getattr__(name):
    if name in ("OptimizeResult", "optimize"):
        # start-up cost: pulls TensorFlow, loaded only when this runs
        from hil_bench.optimize import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'hil_bench.optimize' has no attribute {name!r}")
