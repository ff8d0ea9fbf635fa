import pytest

from hil_bench.errors import UsageError
from hil_bench.optimize.recipe import BUILTIN_RECIPES, load_recipe, recipe_from_dict


def test_builtin_recipes_are_the_collaborative_chain():
    assert set(BUILTIN_RECIPES) == {"ptq", "qat", "pqat", "cqat", "pcqat", "pcqat24"}
    for name, recipe in BUILTIN_RECIPES.items():
        assert recipe.prune.target_sparsity == 0.5 and recipe.cluster.num_clusters == 16
        assert recipe.qat.mode == ("none" if name == "ptq" else name.removesuffix("24"))
        assert recipe.prune.pattern == ("2:4" if name == "pcqat24" else "")


def test_toml_recipe_round_trip(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('seed = 3\n[prune]\ntarget_sparsity = 0.75\n[cluster]\nnum_clusters = 8\n'
                    '[qat]\nmode = "pcqat"\nbackend = "tfmot"\nepochs = 1\n')
    recipe = load_recipe(path)
    assert (recipe.name, recipe.seed, recipe.prune.target_sparsity) == ("mine", 3, 0.75)
    assert (recipe.cluster.num_clusters, recipe.qat.backend) == (8, "tfmot")


@pytest.mark.parametrize("data,message", [
    ({"qat": {"mode": "pcqat"}}, "no \\[prune\\] step"),
    ({"cluster": {}, "qat": {"mode": "pqat"}}, "no \\[prune\\] step"),
    ({"prune": {}, "qat": {"mode": "cqat"}}, "no \\[cluster\\] step"),
    ({"cluster": {"preserve_sparsity": True}}, "preserve_sparsity is true"),
    ({"prune": {"target_sparsity": 1.5}}, "between 0 and 1"),
    ({"cluster": {"num_clusters": 300, "preserve_sparsity": False}}, "between 2 and 256"),
    ({"qat": {"backend": "pytorch"}}, "qat.backend"),
    ({"prune": {"sparsity": 0.5}}, "unknown option\\(s\\) sparsity"),
    ({"pruning": {}}, "unknown key\\(s\\) pruning"),
    ({"prune": {"epochs": "two"}}, "must be a int"),
])
def test_contradictions_and_typos_are_refused(data, message):
    with pytest.raises(UsageError, match=message):
        recipe_from_dict(data)


def test_unknown_recipe_name_lists_builtins(tmp_path):
    with pytest.raises(UsageError, match="ptq, qat, pqat, cqat, pcqat, pcqat24"):
        load_recipe("pcqat2")
    bad = tmp_path / "bad.toml"
    bad.write_text("[prune\n")
    with pytest.raises(UsageError, match="not valid TOML"):
        load_recipe(bad)
