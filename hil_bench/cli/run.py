"""Build the firmware for a board with the model in flash, start the board (QEMU, FVP, a real board,
or the native host build), send the inputs over serial and report latency per inference (median and
spread, with its unit and timing source), per-layer latency, flash and RAM bytes, and — with
--dataset — accuracy on the test split. Outputs equal TFLite Micro's reference kernels byte for byte.

Timing sources: qemu-icount-instructions (QEMU counts instructions, not cycles: labelled so),
fvp, dwt-cycles (real silicon), none (host build: outputs only). With --cycles under QEMU a profile
pass adds a cycle estimate (cycles_est, ms_est at the board clock) named by its model
(docs/cycle-model.md); measured cycles (DWT, FVP) come as cycles and ms.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hil_bench.boards import load_board
from hil_bench.boards.runners import RUNNERS
from hil_bench.cli.output import print_json, table
from hil_bench.errors import UsageError
from hil_bench.paths import check_output_file, save_npy_atomic
from hil_bench.tensor_types import numpy_dtype
from hil_bench.tflite import read_model
from hil_bench.compress.formats import METHODS
from hil_bench.cli.options import add_kernels, add_mlperf_model

NAME = "run"
HELP = "run a .tflite on a board or simulator and report latency, flash, RAM (and accuracy)"


def add_arguments(p) -> None:
    from hil_bench.cli.options import add_decode, add_storage_options, add_timeout
    p.add_argument("model", type=Path, metavar="FILE.tflite")
    p.add_argument("--board", required=True, help="board name (see `hil-bench boards`)")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--inputs", type=Path, metavar="X.npy", help="int8 inputs, shape [N, *input_shape]")
    source.add_argument("--random", type=int, metavar="N", help="N random int8 inputs (with --seed)")
    source.add_argument("--dataset", metavar="NAME|FILE.npz", help="quantize the test split and report accuracy")
    p.add_argument("--seed", type=int, default=0, help="seed for --random (default 0)")
    p.add_argument("--limit", type=int, metavar="N", help="use only the first N samples")
    p.add_argument("--runs", type=int, default=3, help="timed inferences of the first sample (default 3)")

    p.add_argument("--runner", choices=sorted(RUNNERS), help="force a runner of the board")
    add_kernels(p)
    add_mlperf_model(p)
    add_timeout(p)

    p.add_argument("--cycles", action="store_true",
                   help="under QEMU, profile one more inference of the first sample and estimate its cycles and "
                        "ms at the board clock with the core's timing model (a few seconds per million "
                        "instructions; docs/cycle-model.md)")
    from hil_bench.compress import defaults

    p.add_argument("--compress", choices=METHODS, default=defaults.COMPRESS,
                   help=f"how weight tensors are stored in flash, as bench and size do (default: {defaults.COMPRESS})")
    add_decode(p)
    add_storage_options(p)
    p.add_argument("--save-outputs", type=Path, metavar="Y.npy", help="write the int8 outputs here")
    p.add_argument("--json", action="store_true")


MAX_RANDOM = 100_000   # --random: more samples than any test split; beyond it a typo is likelier
MAX_RUNS = 10_000


def check_ranges(args) -> None:
    """--limit, --runs, --random, --seed: clear ranges, refused before anything is built (exit 2)."""
    checks = [("--limit", args.limit, 1, None), ("--runs", args.runs, 1, MAX_RUNS),
              ("--random", args.random, 1, MAX_RANDOM), ("--seed", args.seed, 0, 2**63 - 1)]
    for flag, value, low, high in checks:
        if value is None:
            continue
        if value < low or (high is not None and value > high):
            span = f"{low}..{high:,}" if high is not None and high < 2**62 else f">= {low}"
            raise UsageError(f"{flag} {value} is out of range: give {span}")


def _input_shape(tflite: bytes) -> tuple[int, ...]:
    sg = read_model(tflite).subgraphs[0]
    return tuple(int(d) for d in sg.tensors[sg.inputs[0]].shape[1:])


def _model_input(tflite: bytes):
    """(full shape with the batch axis, numpy dtype, number of inputs) of the model's first input."""
    sg = read_model(tflite).subgraphs[0]
    t = sg.tensors[int(sg.inputs[0])]
    return tuple(int(d) for d in t.shape), numpy_dtype(t.type, "input 0"), len(sg.inputs)


def check_inputs(x, tflite: bytes, origin: str) -> np.ndarray:
    """``x`` as [samples, *per-sample shape] after checking it against the model's input: exact shape
    (with or without the batch axis of 1), dtype, at least one sample, finite values."""
    full, dtype, n_inputs = _model_input(tflite)
    if n_inputs != 1:
        raise UsageError(f"{origin}: the model has {n_inputs} inputs; --inputs takes one array, so use the "
                         "Python API (hil_bench.dut.run_model) with one array per input")
    sample = full[1:] if full[:1] == (1,) else full
    want = ", ".join(map(str, sample))
    expected = f"{dtype.name} shaped (N, {want}) for N samples, or ({want}) for one sample"
    if not isinstance(x, np.ndarray) or x.ndim == 0:
        raise UsageError(f"{origin}: a single value (0-d array); the model takes {expected}")
    if x.dtype != dtype:
        raise UsageError(f"{origin}: dtype {x.dtype}; the model takes {expected} (quantize with "
                         "hil_bench.evaluate.quantize)")
    if x.shape in (sample, full):          # one sample, with or without its batch axis
        x = x.reshape(1, *sample)
    elif x.shape[1:] == full and full != sample:
        x = x.reshape(len(x), *sample)
    elif x.shape[1:] != sample:
        raise UsageError(f"{origin}: shape {x.shape} does not match the model's input; give {expected}")
    if len(x) < 1:
        raise UsageError(f"{origin}: 0 samples; give at least one, {expected}")
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        raise UsageError(f"{origin}: contains NaN or infinite values")
    return x


def _inputs(args, tflite: bytes):
    """(inputs checked against the model, dataset or None); --limit applies to every source."""
    # start-up cost: loaded when this command runs, not by every `hil-bench` call
    from hil_bench.evaluate import check_labels, io_quantization, quantize

    if args.inputs is not None:
        if args.inputs.suffix == ".npz":
            raise UsageError(f"{args.inputs}: an .npz archive; --inputs takes one .npy array "
                             "(a data set in .npz goes to --dataset)")
        try:
            x = np.load(args.inputs, allow_pickle=False)
        except (OSError, ValueError, EOFError) as exc:
            raise UsageError(f"{args.inputs}: cannot read as .npy ({exc})") from None
        if not isinstance(x, np.ndarray):
            raise UsageError(f"{args.inputs}: an .npz archive, not one .npy array; --inputs takes one .npy array")
        return check_inputs(x, tflite, str(args.inputs))[: args.limit], None
    if args.dataset is not None:
        # start-up cost: loaded when this command runs, not by every `hil-bench` call
        from hil_bench.datasets import load_dataset

        shape = _input_shape(tflite)
        data = load_dataset(args.dataset, shape)
        check_labels(data, tflite)
        q_in, _ = io_quantization(tflite)
        x = quantize(np.asarray(data.x_test[: args.limit]), q_in)
        return check_inputs(x, tflite, f"data set {data.name}"), data
    count = args.random if args.random is not None else 1
    if args.limit is not None:
        count = min(count, args.limit)
    rng = np.random.default_rng(args.seed)
    full, dtype, _ = _model_input(tflite)
    info = np.iinfo(dtype) if dtype.kind in "iu" else None
    if info is None:
        raise UsageError(f"--random makes integer inputs; the model takes {dtype.name}: use --inputs")
    shape = full[1:] if full[:1] == (1,) else full
    return rng.integers(info.min, info.max + 1, size=(count, *shape), dtype=dtype), None


def run(args) -> int:
    if args.save_outputs is not None:   # before the build and the board: a bad path fails at once
        check_output_file(args.save_outputs, "--save-outputs")
    # start-up cost: loaded when this command runs, not by every `hil-bench` call
    from hil_bench.dut import run_model
    from hil_bench.evaluate import dequantize, io_quantization, metric_name, score

    if not args.model.is_file():
        raise UsageError(f"{args.model}: no such file")
    check_ranges(args)
    tflite = args.model.read_bytes()
    read_model(args.model)  # a corrupt model is refused here (naming the file), before anything is built
    x, data = _inputs(args, tflite)
    result = run_model(tflite, load_board(args.board), x, name=args.model.name, runs=args.runs, runner=args.runner,
                       kernels=args.kernels, compress=args.compress, decode=args.decode,
                       mlperf_model=args.mlperf_model, strip_names=args.strip_names, arena_bytes=args.arena_bytes,
                       infer_timeout_s=args.timeout, cycles=args.cycles)
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
    if lat:
        print(f"{report['board']} via {report['runner']} ({report['timing_source']}): "
              f"latency median {lat['median']:,.0f} {lat['unit']} (min {lat['min']:,.0f}, max {lat['max']:,.0f}, "
              f"{len(lat['samples'])} runs; {report['kernels']} kernels)")
    else:
        print(f"{report['board']} via {report['runner']}: outputs only, latency not measured "
              f"(timing source {report['timing_source']})")
    for line in _time_lines(report):
        print(line)
    print(f"weights stored: {report['compress']}, decoded: {report['decode']}"
          + (", names stripped" if report["names_stripped"] else ""))
    if report["flash_bytes"] is not None:
        split = report["ram_split"]
        print(f"flash {report['flash_bytes']:,} B (model {report['model_bytes']:,} B), RAM used "
              f"{report['ram_bytes']:,} B of {report['ram_reserved_bytes']:,} B reserved: model arena "
              f"{split['arena']:,} B + decoded weights {split['decoded_weights']:,} B, harness buffers "
              f"{split['harness_buffers']:,} B, stack {split['stack']:,} B, static data {split['static']:,} B "
              f"(arena reserved {report['arena_bytes']:,} B)")
    if report["weight_formats"]:
        from hil_bench.compress.model import formats_summary

        print(f"weights ({report['decode']}): {formats_summary(report['weight_formats'])}, "
              f"{sum(f['stored_bytes'] for f in report['weight_formats']):,} B stored")
    if data is not None:
        metric = metric_name(data)
        note = "  (synthetic data: meaningless)" if data.synthetic else ""
        print(f"{metric} on {len(x)} test samples of {data.name}: {report[metric]:.4f}{note}")
    if report["layers"]:
        print(table(layer_rows(report["layers"], lat["unit"]), [("index", "#"), ("op", "op"), ("latency", "latency")]))
    return 0


def _time_lines(report: dict) -> list[str]:
    """Cycles and milliseconds at the board clock: measured ones as such, an estimate with its model."""
    mhz = f"{report['clock_hz'] / 1e6:g} MHz" if report.get("clock_hz") else ""
    lines = []
    if report.get("cycles") is not None:   # the DWT measures; the FVP counts with its own (non cycle-accurate) model
        source = report["timing_source"]
        how = f"measured ({source})" if source.startswith("dwt") else f"counted by the {source} simulator"
        lines.append(f"cycles {report['cycles']:,} {how} = {report['ms']:,.3f} ms at {mhz}")
    if report.get("cycles_est") is not None:
        cpi = report["cycles_est"] / report["instructions"] if report.get("instructions") else 0.0
        lines.append(f"cycles_est {report['cycles_est']:,} = {report['ms_est']:,.3f} ms at {mhz}, "
                     f"{report['instructions']:,} instructions (CPI {cpi:.2f}); {report['cycle_model']}, "
                     "see docs/cycle-model.md")
    elif report.get("instructions") is not None and report["runner"] == "qemu":
        lines.append(f"cycles not measured under QEMU (it counts instructions); `--cycles` estimates them at {mhz}")
    return lines


def layer_rows(layers: list[dict], unit: str) -> list[dict]:
    """Per-layer latencies as text with thousands separators and the unit, right-aligned: 250 and
    131,812 instructions, never ``250.000`` (which reads as a quarter million)."""
    from hil_bench.cli.output import latency_text

    cells = [latency_text(layer["latency"], unit) for layer in layers]
    width = max(map(len, cells), default=0)
    return [dict(layer, latency=cell.rjust(width)) for layer, cell in zip(layers, cells)]


def _limited(data, count: int):
    import dataclasses

    return dataclasses.replace(data, x_test=data.x_test[:count], y_test=data.y_test[:count])


def _save_npy(path: Path, array: np.ndarray) -> None:
    save_npy_atomic(path, array)
