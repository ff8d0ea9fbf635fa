"""Report, for every CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED weight tensor of a .tflite: shape,
sparsity (whole tensor and the least sparse channel), the N:M pattern every block of M weights along
the reduction axis holds, unique values (tensor and max per output channel), quantization scales and
bytes.

With --elf FIRMWARE.elf instead of a .tflite it audits the model as it sits in the firmware's flash
bytes: it finds the embedded model, decodes every compressed tensor (TFLite Micro LUT, hil-bench codec)
with an independent decoder and checks every weight tensor, raw or compressed, against the CRC-32
table the build stores beside the model — a flipped bit fails, naming the tensor. With --against
MODEL.tflite every weight tensor is also compared value for value with that model.

With --against OTHER (a .tflite, or a tf_keras .h5 / SavedModel such as the model_float.h5 that
`hil-bench optimize` writes) it also checks survival tensor by tensor: it fails (exit 1), naming the
tensor, when sparsity dropped, an N:M pattern broke (it names the share of blocks still holding it)
or the number of unique values per channel grew.
"""

from __future__ import annotations

from pathlib import Path

from hil_bench.cli.output import print_json, table
from hil_bench.errors import UsageError
from hil_bench.tflite import read_model

NAME = "audit"
HELP = "sparsity and unique values of every weight tensor; --against checks they survived"


def add_arguments(p) -> None:
    p.add_argument("model", type=Path, metavar="FILE.tflite", nargs="?")
    p.add_argument("--elf", type=Path, metavar="FIRMWARE.elf", help="audit the model inside a firmware image")
    p.add_argument("--against", type=Path, metavar="OTHER",
                   help="earlier stage to compare with: .tflite, tf_keras .h5 or SavedModel directory")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _stage(path: Path):
    # start-up cost: loaded when this command runs, not by every `hil-bench` call
    from hil_bench.audit import audit_keras, audit_tflite

    if path.suffix == ".tflite":
        return audit_tflite(path)
    # start-up cost: loaded when this command runs, not by every `hil-bench` call
    from hil_bench.models import load_model

    return audit_keras(load_model(path))


def run(args) -> int:
    # start-up cost: loaded when this command runs, not by every `hil-bench` call
    from hil_bench.audit import audit_tflite, survival

    if (args.model is None) == (args.elf is None):
        raise UsageError("give either a .tflite file or --elf FIRMWARE.elf")
    if args.elf is not None:
        # start-up cost: loaded when this command runs, not by every `hil-bench` call
        from hil_bench.audit import audit_elf

        reference = None
        if args.against is not None and args.against.suffix == ".tflite":
            read_model(args.against)  # a corrupt reference is refused naming it
            reference = args.against.read_bytes()
        tensors = audit_elf(args.elf, reference)  # every weight byte, against the reference too
    else:
        tensors = audit_tflite(args.model)
    verdicts = survival(_stage(args.against), tensors) if args.against else []
    ok = all(v.survived for v in verdicts)
    if args.json:
        out = {"model": str(args.model or args.elf), "tensors": [t.to_json() for t in tensors]}
        if args.against:
            out["against"] = str(args.against)
            out["survived"] = ok
            out["survival"] = [{"tensor": v.name, "against": v.against, "sparsity_survived": v.sparsity_survived,
                                "nm_pattern": v.nm_pattern, "nm_share_after": v.nm_share_after,
                                "clusters_survived": v.clusters_survived, "problem": v.problem()} for v in verdicts]
        print_json(out)
        return 0 if ok else 1
    rows = [{**t.to_json(), "shape": "x".join(map(str, t.shape)), "nm_pattern": t.nm_pattern or "-",
             "scales": len(t.scales)} for t in tensors]
    print(table(rows, [("name", "tensor"), ("op", "op"), ("shape", "shape"), ("sparsity", "sparsity"),
                       ("min_channel_sparsity", "min ch sparsity"), ("nm_pattern", "N:M"), ("unique", "unique"),
                       ("max_unique_per_channel", "max uniq/ch"), ("scales", "scales"), ("bytes", "bytes")]))
    if args.against:
        print()
        for v in verdicts:
            print(f"{'ok  ' if v.survived else 'FAIL'} {v.problem() or v.name}")
        print(f"survival against {args.against}: {'all tensors kept their structure' if ok else 'LOST'}")
    return 0 if ok else 1
