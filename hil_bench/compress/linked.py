"""Which weight formats a model needs on the device, as the runtime's compile-time switches, so that an
image links only those decoders and kernels (``hil_bench.firmware.build``): ``HB_WITH_IN_PLACE`` (the
in-place kernels), ``HB_WITH_DECODE_LUT`` and ``HB_WITH_DECODE_HB`` (decoders for tensors decoded at
init or per layer). The in-place test mirrors the runtime's own (``read_in_place`` in hb_parse.c).
"""

from __future__ import annotations

from hil_bench.compress.formats import DECODE_TYPE_HB, DECODE_TYPE_LUT, DECODE_TYPE_NM
from hil_bench.tflite import WEIGHTED_OPS, int_list, opcode_name, read_model

IN_PLACE_TYPES = (DECODE_TYPE_LUT, DECODE_TYPE_NM)


def needed_formats(model_bytes: bytes, decode: str) -> set[str]:
    """{"in-place", "lut", "hb"}: what the runtime must link to run ``model_bytes`` under ``decode``."""
    model = read_model(model_bytes)
    need: set[str] = set()
    weighted = {name for name, _, _ in WEIGHTED_OPS.values()}
    for sg in model.subgraphs:
        ops = list(sg.operators or [])
        outputs = set(int_list(sg.outputs))
        for i, op in enumerate(ops):
            if opcode_name(model, op) != "CUSTOM:TFLM_DECODE":
                continue
            ins, outs = int_list(op.inputs), int_list(op.outputs)
            for k, out in enumerate(outs):
                anc = model.buffers[sg.tensors[ins[2 * k + 1]].buffer].data
                kind = int(anc[0]) if anc is not None and len(anc) >= 16 else -1
                if decode == "in-place" and kind in IN_PLACE_TYPES and _only_weights(model, ops[i + 1:], out, weighted) \
                        and out not in outputs:
                    need.add("in-place")
                elif kind == DECODE_TYPE_LUT:
                    need.add("lut")
                elif kind == DECODE_TYPE_HB:
                    need.add("hb")
    return need


def _only_weights(model, later, tensor: int, weighted: set[str]) -> bool:
    readers = 0
    for op in later:
        for n, t in enumerate(int_list(op.inputs)):
            if t != tensor:
                continue
            if n != 1 or opcode_name(model, op) not in weighted:
                return False
            readers += 1
    return readers > 0


def format_defines(model_bytes: bytes, decode: str) -> tuple[str, ...]:
    """The -D switches that leave out every format the model does not use."""
    need = needed_formats(model_bytes, decode)
    return tuple(f"-D{macro}={int(name in need)}" for macro, name in
                 (("HB_WITH_IN_PLACE", "in-place"), ("HB_WITH_DECODE_LUT", "lut"), ("HB_WITH_DECODE_HB", "hb")))
