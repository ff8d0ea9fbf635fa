"""Bit-exactness on hil-bench's model zoo: every built-in model (untrained, post-training int8),
and digits_cnn through every built-in recipe (prune / cluster / QAT variants change the weights,
e.g. all-zero channels, not the ops)."""

from __future__ import annotations

import pytest

from hil_bench.errors import UnsupportedModelError
from hil_bench.models import MODELS
from hil_bench.optimize import BUILTIN_RECIPES
from hil_bench.runtime import model_info
from hil_bench.runtime.tflm import tflm_arena
from hil_bench.zoo import convert_zoo_model, zoo_int8
from test_bitexact import assert_bit_exact


@pytest.mark.parametrize("name", sorted(MODELS))
def test_zoo_model_bit_exact(name: str) -> None:
    model = zoo_int8(name)
    assert_bit_exact(model, seed=4)
    assert model_info(model)["arena_head_bytes"] <= tflm_arena(model)["head"]


def test_softmax_input_scale_tflm_aborts_on_is_refused() -> None:
    """Untrained MobileNet's logits quantize to a scale so small that TFLM's QuantizeMultiplier-
    GreaterThanOne check aborts the process; the runtime refuses the model with a status."""
    data = convert_zoo_model("mobilenet_v1_025")
    with pytest.raises(UnsupportedModelError, match="SOFTMAX.*beta \\* input scale is too small"):
        model_info(data)


@pytest.mark.parametrize("recipe", sorted(BUILTIN_RECIPES))
def test_digits_recipe_bit_exact(recipe: str) -> None:
    from hil_bench.datasets import load_dataset
    from hil_bench.models import build_model, get_spec
    from hil_bench.optimize import load_recipe, optimize

    spec = get_spec("digits_cnn")
    data = load_dataset(spec.dataset, spec.input_shape, classes=spec.classes, task=spec.task)
    result = optimize(build_model("digits_cnn"), data, load_recipe(recipe), quiet=True)
    assert_bit_exact(result.tflite, seed=5)
