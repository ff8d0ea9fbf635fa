"""How long a board may take to answer a command: a deadline from the work the command asks for, so a
firmware that stops answering (a kernel looping forever) ends the run in seconds, not after minutes.

One inference's work is counted from the model -- the multiply-accumulates of its CONV_2D,
DEPTHWISE_CONV_2D and FULLY_CONNECTED ops plus every op's input and output elements -- and priced
with the plain C kernels' cost per MAC and per element (the slowest path; measured on corstone300 with
``--kernels ref``, then doubled), at the pace of a simulator on a heavily loaded machine. Generous on purpose:
the watchdog is there for a board that stopped, not for a slow one. ``--timeout`` replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Measured with --kernels ref on corstone300: kws_ref_model 37.4 M instructions for 2.66 M MACs (14 per
# MAC with its elements), ic_resnet8 94.0 M for 12.5 M MACs (7.5 per MAC); the prices are twice the worst.
INSTRUCTIONS_PER_MAC = 28
INSTRUCTIONS_PER_ELEMENT = 60    # requantize, pooling, softmax, copies per element
INSTRUCTIONS_PER_OP = 20_000     # dispatch, per-op setup (and per-layer decode when asked)
SLOWEST_INSTRUCTIONS_PER_S = 4e6 # QEMU -icount does ~40 M/s on an idle core; this allows a 10x slower one
SLOWEST_BYTES_PER_S = 4096       # host -> device (~45 KiB/s over QEMU's TCP UART)
FLOOR_S = 15.0                   # any command: start-up jitter, a preempted simulator


def expected_instructions(model: bytes) -> int:
    """Instructions one inference of ``model`` should take at most on the plain C kernels (an estimate)."""
    from hil_bench.tflite import WEIGHTED_OPS, int_list, read_model

    def elements(sg, index: int) -> int:
        if index < 0:
            return 0
        shape = int_list(sg.tensors[index].shape)
        return int(np.prod([max(d, 1) for d in shape])) if shape else 1

    m = read_model(model)
    total = 0
    for sg in m.subgraphs:
        for op in sg.operators or []:
            ins, outs = int_list(op.inputs), int_list(op.outputs)
            total += INSTRUCTIONS_PER_OP + INSTRUCTIONS_PER_ELEMENT * sum(elements(sg, t) for t in ins + outs)
            code = m.operatorCodes[op.opcodeIndex]
            weighted = WEIGHTED_OPS.get(max(code.builtinCode, code.deprecatedBuiltinCode))
            if weighted is not None and len(ins) > weighted[1] and ins[weighted[1]] >= 0:
                shape = int_list(sg.tensors[ins[weighted[1]]].shape)
                if shape:
                    per_output = elements(sg, ins[weighted[1]]) // max(shape[weighted[2]], 1)
                    total += INSTRUCTIONS_PER_MAC * per_output * sum(elements(sg, t) for t in outs)
    return int(total)


@dataclass(frozen=True)
class Watchdog:
    """The deadline of each command to a board running one model (``timeout_s``: the user's, fixed)."""

    instructions: int                 # expected per inference, at most
    timeout_s: float | None = None

    @classmethod
    def for_model(cls, model: bytes, timeout_s: float | None = None) -> "Watchdog":
        return cls(expected_instructions(model), timeout_s)

    def seconds(self, inferences: int = 0, upload_bytes: int = 0) -> float:
        """How long a command running ``inferences`` inferences after uploading ``upload_bytes`` may take."""
        if self.timeout_s is not None:
            return self.timeout_s
        return (FLOOR_S + inferences * self.instructions / SLOWEST_INSTRUCTIONS_PER_S
                + upload_bytes / SLOWEST_BYTES_PER_S)

    def why(self, inferences: int) -> str:
        """Where the deadline comes from, for the error message."""
        if self.timeout_s is not None:
            return "--timeout"
        return (f"deadline for {inferences} inference(s) of at most ~{self.instructions:,} instructions each "
                f"at >= {SLOWEST_INSTRUCTIONS_PER_S / 1e6:g} M instructions/s, plus {FLOOR_S:g} s; "
                "--timeout SECONDS sets it")
