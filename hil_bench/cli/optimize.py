"""Take a model through a recipe — train, prune, cluster, (preserve-)QAT, full int8 — and write
DIR/model_int8.tflite, DIR/model_data.c, DIR/model_data.h, DIR/audit.json and DIR/metrics.json,
plus DIR/model_float.h5, the last float stage (pruned/clustered), for `hil-bench audit --against`.

Built-in recipes: ptq, qat, pqat, cqat, pcqat (train, prune 50 %, cluster 16 keeping zeros, then the
named quantization step). A recipe can also be a TOML file (see hil_bench.optimize.recipe).
A user's model (a .keras/.h5 file or SavedModel) arrives trained (no baseline training unless --train) and
is calibrated and fine-tuned on --dataset (synthetic data if not given: pass its real data as a .npz).
A Keras 3 model is converted to an equal tf_keras model first and the largest output difference printed
(see README, "Bringing a Keras 3 model"); a layer it cannot convert is refused by name.
Every stage is cached by content hash ($HIL_BENCH_CACHE or ~/.cache/hil-bench): a re-run redoes only
what changed.
"""

from __future__ import annotations

from pathlib import Path

from hil_bench.cli.output import print_json, table, write_json_atomic
from hil_bench.optimize.recipe import TrainStep, load_recipe
from hil_bench.paths import check_output_dir, write_bytes_atomic

NAME = "optimize"
HELP = "train/prune/cluster/QAT a model and write the int8 .tflite, C array, audit and metrics"


def add_arguments(p) -> None:
    p.add_argument("--model", required=True, metavar="NAME|PATH",
                   help="built-in model (digits_cnn, ds_cnn, resnet8, mobilenet_v1_025, fc_autoencoder), "
                        "a .keras or .h5 file (Keras 3 models are converted to tf_keras and checked equal) "
                        "or a tf_keras SavedModel folder")
    p.add_argument("--recipe", required=True, metavar="NAME|FILE.toml", help="ptq, qat, pqat, cqat, pcqat or a TOML file")
    p.add_argument("--dataset", metavar="NAME|FILE.npz",
                   help="digits, synthetic or a .npz (default: the model's own; synthetic for user models)")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder (created)")
    p.add_argument("--train", dest="train", action="store_true", default=None,
                   help="train the baseline even for a user model (default: only built-in models are trained)")
    p.add_argument("--no-train", dest="train", action="store_false", help="skip baseline training")
    p.add_argument("--no-cache", action="store_true", help="recompute every stage")
    from hil_bench.cli.options import add_storage_options

    add_storage_options(p, arena=False)
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    p.add_argument("--json", action="store_true", help="print metrics.json to stdout")


def run(args) -> int:
    check_output_dir(args.out, "--out")   # before any training: a bad --out fails in a second, not at the end
    from hil_bench.models import check_dataset_source, check_model_source   # start-up cost: loaded when this runs

    check_model_source(args.model, "--model")
    check_dataset_source(args.dataset, args.model)
    import dataclasses

    recipe = load_recipe(args.recipe)  # before the imports below load TensorFlow: typos reported at once

    # start-up cost: loaded when this command runs, not by every `hil-bench` call
    from hil_bench.datasets import load_dataset
    from hil_bench.export import export_c_array
    from hil_bench.models import MODELS, infer_spec, load_model, save_h5
    # start-up cost: pulls TensorFlow, loaded only when this runs
    from hil_bench.optimize import optimize

    builtin = args.model in MODELS
    model = load_model(args.model, seed=recipe.seed, notify=lambda line: print(line, file=_notes(args)))
    spec = infer_spec(model, args.model if builtin else Path(args.model).stem)
    train = builtin if args.train is None else args.train
    if not train and recipe.train.epochs:
        recipe = dataclasses.replace(recipe, train=TrainStep(0, recipe.train.learning_rate, recipe.train.batch_size))
    data = load_dataset(args.dataset or spec.dataset, spec.input_shape, seed=recipe.seed,
                        classes=spec.classes, task=spec.task)
    result = optimize(model, data, recipe, model_name=spec.name, use_cache=not args.no_cache, quiet=args.quiet)

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    if args.strip_names:
        from hil_bench.tflite_parts import strip_names

        write_bytes_atomic(out / "model_int8.tflite", strip_names(result.tflite))
    else:
        write_bytes_atomic(out / "model_int8.tflite", result.tflite)
    export_c_array(out / "model_int8.tflite", out)
    write_json_atomic(out / "audit.json", result.audit_json())
    save_h5(result.float_model, out / "model_float.h5")
    metrics = result.metrics()
    write_json_atomic(out / "metrics.json", metrics)

    if args.json:
        print_json(metrics)
        return 0
    metric = metrics["metric"]
    print(f"{spec.name} / {recipe.name} on {data.name}, {metric} of each model: "
          + "; ".join(f"{what} {score:.4f}" for what, score in accuracies(result))
          + f"; .tflite {(out / 'model_int8.tflite').stat().st_size:,} B"
          + (f" (names stripped: {metrics['tflite_bytes'] - (out / 'model_int8.tflite').stat().st_size:,} B less)"
             if args.strip_names else ""))
    if data.caveat:
        print(f"note: {data.caveat}")
    rows = [{"tensor": v["tensor"], "sparsity": v["sparsity_after"], "trained": v["sparsity_before"],
             "uniq": v["max_unique_per_channel_after"], "uniq_trained": v["max_unique_per_channel_before"],
             "survived": v["survived"], "nm": _nm_kept(v)} for v in result.audit_json()["survival"]]
    print(table(rows, [("tensor", "tensor"), ("trained", "sparsity (float)"), ("sparsity", "sparsity (int8)"),
                       ("nm", "N:M (float -> int8)"), ("uniq_trained", "max uniq/ch (float)"),
                       ("uniq", "max uniq/ch (int8)"), ("survived", "survived")]))
    print(f"wrote {out}/model_int8.tflite, model_data.c, model_data.h, audit.json, metrics.json, model_float.h5")
    return 0


def accuracies(result) -> list[tuple[str, float]]:
    """(which model, its score) for the models a recipe makes, each named after what it is: the float model
    as trained (or as given), the float model after pruning and/or clustering, the int8 model on the host."""
    stages = {s.name: s for s in result.stages}
    trained = stages.get("train") or stages.get("float")
    named = [("trained float" if "train" in stages else "float as given", trained)]
    shaped = [what for what, name in (("pruned", "prune"), ("clustered", "cluster")) if name in stages]
    if shaped:
        named.append((" and ".join(shaped) + " float", result.structured_stage))
    if "qat" in stages:
        named.append(("QAT float", stages["qat"]))
    named.append(("int8 on the host (TFLite Micro reference kernels)", stages["int8"]))
    return [(what, stage.score) for what, stage in named if stage is not None and stage.score is not None]


def _nm_kept(verdict: dict) -> str:
    """'2:4 kept', '2:4 in 97.3 % of blocks' or '-' (no pattern in the float stage)."""
    if not verdict["nm_pattern"]:
        return "-"
    pattern, share = verdict["nm_pattern"], verdict["nm_share_after"]
    return f"{pattern} kept" if share == 1.0 else f"{pattern} in {100 * share:.1f} % of blocks"


def _notes(args):
    """Where one-line notes go: stdout, or stderr when stdout carries --json."""
    import sys

    return sys.stderr if args.json else sys.stdout
