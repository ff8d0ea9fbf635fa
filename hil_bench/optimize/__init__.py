"""Recipes and the optimization pipeline: train, prune, cluster, QAT, int8 — each stage audited and cached."""

from hil_bench.optimize.pipeline import OptimizeResult, optimize
from hil_bench.optimize.recipe import BUILTIN_RECIPES, Recipe, load_recipe, recipe_from_dict

__all__ = ["BUILTIN_RECIPES", "OptimizeResult", "Recipe", "load_recipe", "optimize", "recipe_from_dict"]
