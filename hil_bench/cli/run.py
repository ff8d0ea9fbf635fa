"""Build the firmware for a board with the model in flash, start the board (QEMU, FVP, a real board,
or the native host build), send the inputs over serial and report latency per inference (median and
spread, with its unit and timing source), per-layer latency, flash and RAM bytes, and — with
--dataset — accuracy on the test split. Outputs equal TFLite Micro's reference kernels byte for byte.

Timing sources: qemu-icount-instructions (QEMU counts instructions, not cycles: labelled so),
fvp, dwt-cycles (real silicon), none (host build: outputs only).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

NAME = "run"
HELP = "run a .tflite on a board or simulator and report latency, flash, RAM (and accuracy)"


def add_arguments(p) -> None:
    from hil_bench.cli.options import add_kernels

    p.add_argument("model", type=Path, metavar="FILE.tflite")
    p.add_argument("--board", required=True, help="board name (see `hil-bench boards`)")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--inputs", type=Path, metavar="X.npy", help="int8 inputs, shape [N, *input_shape]")
    source.add_argument("--random", type=int, metavar="N", help="N random int8 inputs (with --seed)")
    source.add_argument("--dataset", metavar="NAME|FILE.npz", help="quantize the test split and report accuracy")
    p.add_argument("--seed", type=int, default=0, help="seed for --random (default 0)")
    p.add_argument("--limit", type=int, metavar="N", help="use only the first N samples")
    p.add_argument("--runs", type=int, default=3, help="timed inferences of the first sample (default 3)")
    from hil_bench.boards.runners import RUNNERS

    p.add_argument("--runner", choices=sorted(RUNNERS), help="force a runner of the board")
    add_kernels(p)
    p.add_argument("--save-outputs", type=Path, metavar="Y.npy", help="write the int8 outputs here")
    p.add_argument("--json", action="store_true")


def _input_shape(tflite: bytes) -> tuple[int, ...]:
    from hil_bench.tflite import read_model

    sg = read_model(tflite).subgraphs[0]
    return tuple(int(d) for d in sg.tensors[sg.inputs[0]].shape[1:])


def _inputs(args, tflite: bytes):
    """(int8 inputs, dataset or None)."""
    from hil_bench.errors import UsageError
    from hil_bench.evaluate import io_quantization, quantize

    if args.inputs is not None:
        try:
            x = np.load(args.inputs, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise UsageError(f"{args.inputs}: cannot read as .npy ({exc})") from None
        return x[: args.limit], None
    if args.dataset is not None:
        from hil_bench.datasets import load_dataset

        shape = _input_shape(tflite)
        data = load_dataset(args.dataset, shape)
        q_in, _ = io_quantization(tflite)
        return quantize(np.asarray(data.x_test[: args.limit]), q_in), data
    count = args.random if args.random is not None else 1
    if count < 1:
        raise UsageError("--random needs at least 1 input")
    rng = np.random.default_rng(args.seed)
    return rng.integers(-128, 128, size=(count, *_input_shape(tflite)), dtype=np.int8), None


def run(args) -> int:
    if args.save_outputs is not None:   # before the build and the board: a bad path fails at once
        from hil_bench.paths import check_output_file

        check_output_file(args.save_outputs, "--save-outputs")
    from hil_bench.dut import run_model
    from hil_bench.cli.output import print_json, table
    from hil_bench.errors import UsageError
    from hil_bench.evaluate import dequantize, io_quantization, metric_name, score
    from hil_bench.tflite import read_model

    if not args.model.is_file():
        raise UsageError(f"{args.model}: no such file")
    tflite = args.model.read_bytes()
    read_model(args.model)  # a corrupt model is refused here (naming the file), before anything is built
    x, data = _inputs(args, tflite)
    result = run_model(args.model, args.board, x, runs=args.runs, runner=args.runner, kernels=args.kernels)
    report = result.as_dict()
    report["samples"] = int(len(x))
    if data is not None:
        _, q_out = io_quantization(tflite)
        outputs = dequantize(result.outputs[0], q_out)
        report["dataset"] = data.name
        report["dataset_synthetic"] = data.synthetic
        report[metric_name(data)] = score(outputs, _limited(data, len(x)))
    if args.save_outputs is not None:
        _save_npy(args.save_outputs, result.outputs[0])
        report["outputs_file"] = str(args.save_outputs)
    if args.json:
        print_json(report)
        return 0
    lat = report["latency"]
    if lat["samples"]:
        print(f"{report['board']} via {report['runner']} ({report['timing_source']}): "
              f"latency median {lat['median']:,.0f} {lat['unit']} (min {lat['min']:,.0f}, max {lat['max']:,.0f}, "
              f"{len(lat['samples'])} runs; {report['kernels']} kernels)")
    else:
        print(f"{report['board']} via {report['runner']}: outputs only, latency not measured "
              f"(timing source {report['timing_source']})")
    if report["flash_bytes"]:
        print(f"flash {report['flash_bytes']:,} B (model {report['model_bytes']:,} B), RAM {report['ram_bytes']:,} B "
              f"(arena used {report['arena_used_bytes']:,} B, stack used {report['stack_used_bytes']:,} B)")
    if data is not None:
        metric = metric_name(data)
        note = "  (synthetic data: meaningless)" if data.synthetic else ""
        print(f"{metric} on {len(x)} test samples of {data.name}: {report[metric]:.4f}{note}")
    if report["layers"]:
        print(table(report["layers"], [("index", "#"), ("op", "op"), ("latency", f"latency ({lat['unit']})")]))
    return 0


def _limited(data, count: int):
    import dataclasses

    return dataclasses.replace(data, x_test=data.x_test[:count], y_test=data.y_test[:count])


def _save_npy(path: Path, array: np.ndarray) -> None:
    from hil_bench.paths import save_npy_atomic

    save_npy_atomic(path, array)
