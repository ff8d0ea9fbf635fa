"""The latency of one inference in a firmware engineer's units, each labelled with where it came from.

- ``instructions``: executed instructions (QEMU -icount; exact when a profile pass counted them);
- ``cycles`` / ``ms``: core cycles *measured* by the device (DWT on silicon, the FVP's cycles), and
  their time at the board clock; ``timing_source`` says which;
- ``cycles_est`` / ``ms_est``: a model's *estimate* (QEMU only), named by ``cycle_model``; with it
  ``cycle_histogram``: the executed instructions and estimated cycles per instruction class, and
  ``cycle_model_assumptions``: what the model assumes (docs/cycle-model.md).

A quantity the run cannot give is None, never a conversion of another one.
"""

from __future__ import annotations

from hil_bench.timing import MEASURED_CYCLE_UNITS
from hil_bench.timing.model import CycleEstimate

FIELDS = ("clock_hz", "instructions", "cycles", "ms", "cycles_est", "ms_est", "cycle_model")
"""The result-row columns; ``timing_fields`` adds ``cycle_histogram`` and ``cycle_model_assumptions``
(run --json only)."""


def timing_fields(median: float | None, unit: str, clock_hz: int, estimate: CycleEstimate | None = None) -> dict:
    """``median``: the timed runs' median in the runner's ``unit``; ``estimate``: a profile pass's."""
    out = dict.fromkeys((*FIELDS, "cycle_histogram", "cycle_model_assumptions"))
    out["clock_hz"] = clock_hz
    if median is not None:
        if unit == "instructions":
            out["instructions"] = round(median)
        elif unit in MEASURED_CYCLE_UNITS:
            out["cycles"] = round(median)
            out["ms"] = median * 1e3 / clock_hz
    if estimate is not None:
        out["instructions"] = estimate.instructions   # exact: counted block by block
        out["cycles_est"] = estimate.cycles
        out["ms_est"] = estimate.ms
        out["cycle_model"] = estimate.model
        out["cycle_histogram"] = {cls: {"instructions": n, "cycles": round(c)}
                                  for cls, (n, c) in estimate.by_class.items()}
        out["cycle_model_assumptions"] = list(estimate.assumptions)
    return out
