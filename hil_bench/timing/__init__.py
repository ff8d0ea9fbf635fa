"""Cycle estimates under QEMU: executed instructions (from QEMU's own log) x a per-core timing table.

QEMU with -icount counts instructions, not cycles. This package turns one inference's executed
blocks into an estimated cycle count with a named model (``hil-bench cm55-v1 (estimate)``); the
model, its sources and what it ignores are in docs/cycle-model.md. Modules: ``qemu_log`` (read the
log), ``decode`` (instruction classes from the image's disassembly), ``cores`` (timing tables),
``model`` (the arithmetic), ``profile`` (the profile pass on a board).
"""

from hil_bench.timing.model import CycleEstimate, Run, core_timing, estimate

MEASURED_CYCLE_UNITS = ("cycles", "fvp-cycles")
"""Runner timing units that already are core cycles at the board clock (DWT on silicon, the FVP)."""

__all__ = ["CycleEstimate", "MEASURED_CYCLE_UNITS", "Run", "core_timing", "estimate"]
