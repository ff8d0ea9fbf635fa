"""Run a recipe: train -> prune -> cluster -> (preserve-)QAT -> full int8, auditing every stage.

Each stage's product is cached under a key made of everything it depends on (the model's architecture
and initial weights, the data, the seed and the options of this and every earlier stage), so a re-run
redoes only the stages downstream of what changed. A cached stage is a :mod:`hil_bench.cache` entry: one
whose files no longer match their recorded digests is trained again, never used.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hil_bench.audit import TensorAudit, audit_keras, audit_tflite, survival
from hil_bench.cache import building, cache_dir, content_key, open_entry
from hil_bench.datasets import Dataset
from hil_bench.models import save_h5
from hil_bench.evaluate import keras_score, metric_name, tflite_score
from hil_bench.optimize import stages
from hil_bench.optimize.progress import EpochBar
from hil_bench.optimize.recipe import Recipe
from hil_bench._keras import keras
from hil_bench.tflite import to_int8_tflite

_FORMAT = 1  # bump when what a stage stores changes


@dataclass
class StageReport:
    name: str
    seconds: float
    cached: bool
    score: float | None
    audit: list[TensorAudit]

    def to_json(self) -> dict:
        return {"name": self.name, "seconds": round(self.seconds, 3), "cached": self.cached, "score": self.score}


@dataclass
class OptimizeResult:
    """Everything ``hil-bench optimize`` writes: the int8 model, the audits and the metrics."""

    model_name: str
    recipe: Recipe
    data: Dataset
    tflite: bytes
    stages: list[StageReport] = field(default_factory=list)
    float_model: object = None  # the last float stage (pruned/clustered): what the int8 model must carry

    @property
    def metric(self) -> str:
        return metric_name(self.data)

    def stage(self, name: str) -> StageReport | None:
        return next((s for s in self.stages if s.name == name), None)

    @property
    def structured_stage(self) -> StageReport:
        """The last float stage: what the int8 model should still carry."""
        return [s for s in self.stages if s.name in ("train", "prune", "cluster", "float")][-1]

    def survival(self):
        return survival(self.structured_stage.audit, self.stage("int8").audit)

    def metrics(self) -> dict:
        verdicts = self.survival()
        float_stage, qat, int8 = self.structured_stage, self.stage("qat"), self.stage("int8")
        return {
            "model": self.model_name,
            "recipe": self.recipe.to_dict(),
            "dataset": self.data.name,
            "dataset_synthetic": self.data.synthetic,
            "caveat": self.data.caveat,
            "metric": self.metric,
            f"float_{self.metric}": float_stage.score,
            f"qat_{self.metric}": qat.score if qat else None,
            f"int8_{self.metric}": int8.score,
            "int8_evaluated_with": "tflite_micro reference kernels (host)",
            "tflite_bytes": len(self.tflite),
            "weight_bytes_int8": int(sum(t.bytes for t in int8.audit)),
            "sparsity_survived": all(v.sparsity_survived for v in verdicts),
            "clusters_survived": all(v.clusters_survived for v in verdicts),
            "stages": [s.to_json() for s in self.stages],
        }

    def audit_json(self) -> dict:
        return {
            "stages": {s.name: [t.to_json() for t in s.audit] for s in self.stages},
            "survival": [
                {"tensor": v.name, "against": v.against, "sparsity_before": v.sparsity_before,
                 "sparsity_after": v.sparsity_after, "max_unique_per_channel_before": v.unique_before,
                 "max_unique_per_channel_after": v.unique_after, "nm_pattern": v.nm_pattern,
                 "nm_share_after": v.nm_share_after, "survived": v.survived, "problem": v.problem()}
                for v in self.survival()
            ],
        }


def fingerprint_model(model) -> str:
    return content_key(model.to_json(), *[np.ascontiguousarray(w).tobytes() for w in model.get_weights()])


def fingerprint_data(data: Dataset) -> str:
    arrays = (data.x_train, data.y_train, data.x_val, data.y_val, data.x_test, data.y_test)
    return content_key(data.name, data.task, *[np.ascontiguousarray(a).tobytes() for a in arrays])


def stage_keys(model_key: str, data_key: str, recipe: Recipe) -> dict[str, str]:
    """The cache key of every stage ``recipe`` runs ("train" only when it trains, "prune" and "cluster"
    when the recipe has them, "int8" always): each covers every option that stage or one before it reads.

    Every stage reads its own step's options and the seed; prune, cluster and QAT also fit with
    ``train.batch_size``. The train stage's key carries that only when it runs (epochs > 0), so
    otherwise it is chained in on its own: a cached prune stage must never hide a changed batch size.
    """
    keys = {}
    key = content_key(_FORMAT, model_key, data_key, recipe.seed)
    if recipe.train.epochs > 0:
        key = keys["train"] = content_key(key, "train", recipe.train.__dict__)
    else:
        key = content_key(key, "batch_size", recipe.train.batch_size)
    for name, step in (("prune", recipe.prune), ("cluster", recipe.cluster)):
        if step is not None:
            key = keys[name] = content_key(key, name, _options(step))
    keys["int8"] = content_key(key, "int8", recipe.qat.__dict__)
    return keys


def _options(step) -> dict:
    """A step's options for its cache key; an unstructured prune step's empty ``pattern`` is left out, so
    its key is the one it had before N:M pruning existed (its cached stages stay valid)."""
    options = dict(step.__dict__)
    if options.get("pattern") == "":
        del options["pattern"]
    return options


def optimize(model, data: Dataset, recipe: Recipe, *, model_name: str | None = None,
             use_cache: bool = True, quiet: bool = False) -> OptimizeResult:
    """Take ``model`` through ``recipe`` on ``data``; return the int8 model with every stage's audit."""
    result = OptimizeResult(model_name or model.name, recipe, data, b"")
    keys = stage_keys(fingerprint_model(model), fingerprint_data(data), recipe)
    batch = recipe.train.batch_size
    plan = [
        ("train", recipe.train if recipe.train.epochs > 0 else None,
         lambda m, s, cb: stages.train(m, data, recipe.train, s, cb)),
        ("prune", recipe.prune, lambda m, s, cb: stages.prune(m, data, recipe.prune, batch, s, cb)),
        ("cluster", recipe.cluster, lambda m, s, cb: stages.cluster(m, data, recipe.cluster, batch, s, cb)),
    ]
    current = model
    if recipe.train.epochs == 0:
        result.stages.append(StageReport("float", 0.0, False, keras_score(model, data), audit_keras(model)))
    for index, (name, step, run) in enumerate(plan):
        if step is None:
            continue
        current, report = _cached_keras_stage(name, keys[name], use_cache, quiet, step.epochs,
                                              lambda cb, m=current, i=index, r=run: r(m, recipe.seed + i, cb),
                                              data)
        result.stages.append(report)
    result.float_model = current
    result.tflite, qat_report, int8_report = _cached_int8_stage(current, data, recipe, keys["int8"], use_cache,
                                                                quiet)
    if qat_report is not None:
        result.stages.append(qat_report)
    result.stages.append(int8_report)
    return result


def _cached_keras_stage(name, key, use_cache, quiet, epochs, run, data):
    folder = cache_dir("stages") / key
    if use_cache and open_entry(folder, ("stage.json", "model.h5")) is not None:
        meta = json.loads((folder / "stage.json").read_text())
        model = keras.models.load_model(folder / "model.h5", compile=False)
        return model, StageReport(name, meta["seconds"], True, meta["score"], audit_keras(model))
    start = time.perf_counter()
    with EpochBar(name, epochs, quiet) as bar:
        model = run([bar.callback])
    seconds = time.perf_counter() - start
    report = StageReport(name, seconds, False, keras_score(model, data), audit_keras(model))
    if use_cache:
        _store(folder, f"{name} stage", {"model.h5": lambda p: save_h5(model, p)},
               {"seconds": seconds, "score": report.score})
    return model, report


def _cached_int8_stage(model, data, recipe, key, use_cache, quiet):
    folder = cache_dir("stages") / key
    qat_mode = recipe.qat.mode != "none"
    if use_cache and open_entry(folder, ("stage.json", "model_int8.tflite")) is not None:
        meta = json.loads((folder / "stage.json").read_text())
        tflite = (folder / "model_int8.tflite").read_bytes()
        qat_report = None
        if qat_mode:
            qat_audit = [TensorAudit(**{**t, "shape": tuple(t["shape"]), "scales": tuple(t["scales"]),
                                        "zero_points": tuple(t["zero_points"])}) for t in meta["qat_audit"]]
            qat_report = StageReport("qat", meta["qat_seconds"], True, meta["qat_score"], qat_audit)
        return tflite, qat_report, StageReport("int8", meta["seconds"], True, meta["score"], audit_tflite(tflite))
    qat_report = None
    if qat_mode:
        start = time.perf_counter()
        with EpochBar("qat", recipe.qat.epochs, quiet) as bar:
            model = stages.quantize(model, data, recipe.qat, recipe.train.batch_size, recipe.seed + 3, [bar.callback])
        qat_report = StageReport("qat", time.perf_counter() - start, False, keras_score(model, data),
                                 audit_keras(model))
    start = time.perf_counter()
    with EpochBar("int8", 0, quiet):
        tflite = to_int8_tflite(model, data.x_train)
    seconds = time.perf_counter() - start
    int8_report = StageReport("int8", seconds, False, tflite_score(tflite, data), audit_tflite(tflite))
    if use_cache:
        meta = {"seconds": seconds, "score": int8_report.score}
        if qat_report is not None:
            meta.update(qat_seconds=qat_report.seconds, qat_score=qat_report.score,
                        qat_audit=[t.to_json() for t in qat_report.audit])
        _store(folder, "int8 stage", {"model_int8.tflite": lambda p: Path(p).write_bytes(tflite)}, meta)
    return tflite, qat_report, int8_report


def _store(folder: Path, label: str, files: dict, meta: dict) -> None:
    """Write a stage's cache entry (its files and ``stage.json``) whole, with their digests recorded."""
    with building(folder, prefix=".tmp-", label=label) as work:
        for name, write in files.items():
            write(str(work / name))
        (work / "stage.json").write_text(json.dumps(meta))
