"""A 2:4 and a 1:8 PCQAT recipe keep their exact N:M pattern from the pruned float model through
clustering, preserve-QAT and int8 conversion into the .tflite, the compressed firmware image and the
model read back from a running QEMU board: digits_cnn (scikit-learn digits) and the keyword-spotting
DS-CNN (ds_cnn, on a small synthetic set). Training is tiny (one epoch per step); the stage cache keeps
it to one training per test cache."""

from __future__ import annotations

import pytest

import hil_bench.audit
import hil_bench.bench
from hil_bench.bench import Suite, bench_recipe, trained_suite_recipe
from hil_bench.nm import parse_nm
from hil_bench.optimize.recipe import ClusterStep, PruneStep, QatStep, Recipe, TrainStep

PATTERNS = ("2:4", "1:8")
MODELS = {"digits_cnn": "digits", "ds_cnn": "synthetic"}


def _recipe(model: str, pattern: str) -> Recipe:
    # digits_cnn keeps the default suite's trained float stage (cached once for every test); ds_cnn's
    # synthetic data teach it nothing, so it trains one epoch: the test is about structure.
    train = TrainStep() if model == "digits_cnn" else TrainStep(epochs=1)
    return Recipe(name=f"pcqat{pattern.replace(':', '')}", train=train, prune=PruneStep.nm(pattern, epochs=1),
                  cluster=ClusterStep(epochs=1), qat=QatStep(mode="pcqat", epochs=1))


_optimized = {}


def optimized(model: str, pattern: str):
    """The recipe's OptimizeResult, once per session."""
    key = (model, pattern)
    if key not in _optimized:
        suite = Suite(model, MODELS[model], (), f"{model} at {pattern}")
        if model == "digits_cnn":
            result = trained_suite_recipe(suite, _recipe(model, pattern))[2]
        else:
            from hil_bench.datasets import load_dataset
            from hil_bench.models import build_model, get_spec
            from hil_bench.optimize import optimize

            spec = get_spec(model)
            data = load_dataset("synthetic", spec.input_shape, classes=spec.classes, samples=(128, 32, 8))
            result = optimize(build_model(model), data, _recipe(model, pattern), model_name=model, quiet=True)
        _optimized[key] = (suite, result)
    return _optimized[key]


def _holds(audits, pattern: str) -> dict[str, float]:
    """Tensor -> share of blocks holding the pattern, for the tensors where it is not every block."""
    return {a.name: a.nm_shares.get(pattern) for a in audits if a.nm_shares.get(pattern) != 1.0}


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_stage_and_the_tflite_hold_the_exact_pattern(model, pattern):
    _, result = optimized(model, pattern)
    n, m = parse_nm(pattern)
    for stage in ("prune", "cluster", "qat", "int8"):
        audits = result.stage(stage).audit
        assert len(audits) >= 3 and _holds(audits, pattern) == {}, f"{stage}: pattern {pattern} broken"
    for a in result.stage("int8").audit:   # N:M, and no denser than N:M allows (the mask really pruned)
        assert a.nm_pattern and a.sparsity >= 1 - n / m - 1 / 8, (a.name, a.nm_pattern, a.sparsity)
    verdicts = result.survival()
    assert all(v.nm_pattern and v.pattern_survived for v in verdicts)
    assert result.metrics()["sparsity_survived"] and result.metrics()["clusters_survived"]


@pytest.mark.hil
@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("model", sorted(MODELS))
def test_the_pattern_survives_into_the_elf_and_the_device_read_back(board, model, pattern, tmp_path, monkeypatch):
    """bench's own chain: the model read back from the board's flash (compressed tensors decoded) must
    equal the ELF's (bench refuses a difference) and hold the pattern in every block."""
    if board.name != "corstone300":
        pytest.skip("the weights in flash do not depend on the core: checked on corstone300")
    suite, result = optimized(model, pattern)
    compared = []
    real = hil_bench.audit.survival

    def spy(before, after):   # bench's survival check: trained stage vs the device's read-back
        compared.append(after)
        return real(before, after)

    monkeypatch.setattr(hil_bench.bench, "survival", spy)   # bench imports it at module level
    row, extra = bench_recipe(board, suite, result.recipe, run_id="nm-test", limit=3, work_dir=tmp_path,
                              optimized=result)
    (in_binary,) = compared
    assert len(in_binary) == len(result.stage("int8").audit)
    assert _holds(in_binary, pattern) == {}
    assert [a.nm_pattern for a in in_binary] == [a.nm_pattern for a in result.stage("int8").audit]
    assert row.sparsity_survived and row.clusters_survived
    assert extra["outputs_identical"]


def test_audit_cli_shows_the_pattern_and_checks_it_against_the_float_stage(tmp_path, capsys):
    import json

    from hil_bench.cli.main import main
    from hil_bench.models import save_h5

    _, result = optimized("digits_cnn", "1:8")
    tflite, trained = tmp_path / "model_int8.tflite", tmp_path / "model_float.h5"
    tflite.write_bytes(result.tflite)
    save_h5(result.float_model, trained)
    assert main(["audit", str(tflite), "--against", str(trained)]) == 0
    out = capsys.readouterr().out
    assert " N:M " in out.splitlines()[0] and out.count(" 1:8 ") == len(result.stage("int8").audit)
    assert main(["audit", str(tflite), "--against", str(trained), "--json"]) == 0
    survival = json.loads(capsys.readouterr().out)["survival"]
    assert [(v["nm_pattern"], v["nm_share_after"], v["sparsity_survived"]) for v in survival] == \
        [("1:8", 1.0, True)] * len(survival)
