"""Executed blocks x a core's timing table = an estimated cycle count. An estimate, and labelled so.

Each executed block is priced once, instruction by instruction in program order (so neighbouring
loads and overlapping Helium instructions are seen), then multiplied by how often it ran; every taken
branch adds the core's pipeline refill plus the board's flash wait states (the fetch that refill
makes). What this leaves out is listed in docs/cycle-model.md.

A block's first instruction is priced after the instruction before it in memory unless that one is a
branch: QEMU sometimes cuts a straight line into two blocks (icount deadlines, which depend on host
timing), and the estimate must not depend on where it cut.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from hil_bench.boards.board import Cpu
from hil_bench.errors import UsageError
from hil_bench.timing.cores import TABLES, CoreTiming
from hil_bench.timing.decode import Insn

_LISTS = ("ldm", "stm", "fp_ldm")
_SINGLE_LDST = ("load", "store")
_MVE_GROUP = {"mve_load": "ldst", "mve_store": "ldst", "mve_alu": "alu", "mve_mac": "mac"}


@dataclass(frozen=True)
class Run:
    """A straight-line block of instructions, how often it ran and how often its last branch was taken."""

    insns: Sequence[Insn]
    count: int
    taken: int = 0
    before: Insn | None = None   # the instruction before the block in memory, when it falls through into it


ASSUMPTIONS = (
    "issue cycles with operands ready: no load-use, multiply or Helium dependency stalls",
    "every data access pays the board's ram_wait_states (weights in flash are priced as RAM)",
    "every taken branch pays the core's refill plus the board's flash_wait_states; no caches modelled",
)
"""What every table assumes (docs/cycle-model.md); each core's table adds its own notes."""


@dataclass(frozen=True)
class CycleEstimate:
    model: str                    # e.g. "hil-bench cm55-v1 (estimate)"
    instructions: int             # executed, exact (QEMU's log)
    cycles: int                   # estimated
    clock_hz: int
    by_class: dict[str, tuple[int, float]] = field(default_factory=dict)  # class -> (instructions, cycles)
    assumptions: tuple[str, ...] = ()

    @property
    def ms(self) -> float:
        return self.cycles * 1e3 / self.clock_hz

    @property
    def cpi(self) -> float:
        return self.cycles / self.instructions if self.instructions else 0.0


def core_timing(core: str) -> CoreTiming:
    """The timing table of a board's ``[cpu] core``; a clear error for a core without one."""
    try:
        return TABLES[core]
    except KeyError:
        raise UsageError(f"no cycle model for core {core!r}; hil-bench models {', '.join(sorted(TABLES))}") from None


def block_cycles(insns: Sequence[Insn], core: CoreTiming, ram_wait_states: int = 0,
                 before: Insn | None = None) -> list[float]:
    """Cycles of each instruction of one straight-line block, in order (taken-branch refill excluded);
    ``before``: the instruction that precedes the block (its pipelining and overlap carry over)."""
    out = []
    prev_cls, prev_group = None, None
    for insn in ([before] if before is not None else []) + list(insns):
        cls, accesses = insn.cls, 0
        if cls in _LISTS:
            cost = core.list_base + core.list_per_reg * insn.regs
            accesses = math.ceil(insn.regs * 4 / core.bus_bytes)
        elif cls == "mve_gather":
            cost = insn.lanes / core.mve_beats_per_cycle
            accesses = insn.lanes
        elif cls in _MVE_GROUP:
            full = core.mve_beats / core.mve_beats_per_cycle
            group = _MVE_GROUP[cls]
            cost = full / 2 if prev_group not in (None, group) else full
            accesses = 16 // core.bus_bytes if group == "ldst" else 0
        else:
            cost = core.cycles[cls]
            if core.pipelined_ldst and cls in _SINGLE_LDST and prev_cls in _SINGLE_LDST:
                cost -= 1
            accesses = {"load": 1, "store": 1, "fp_load": 1, "fp_store": 1,
                        "ldrd": math.ceil(8 / core.bus_bytes)}.get(cls, 0)
        out.append(cost + ram_wait_states * accesses)
        prev_cls = cls
        if cls in _MVE_GROUP:
            prev_group = _MVE_GROUP[cls]
        elif cls != "mve_pred":   # VPST sits inside a Helium sequence; anything else scalar breaks overlap
            prev_group = None
    return out[1:] if before is not None else out


def estimate(runs: Iterable[Run], core: CoreTiming, cpu: Cpu) -> CycleEstimate:
    """Cycles of all ``runs`` on ``core`` with the wait states and clock of the board's ``cpu``."""
    instructions, cycles = Counter(), Counter()
    refill = core.taken_branch + cpu.flash_wait_states
    for run in runs:
        if not run.insns:
            continue
        for insn, cost in zip(run.insns, block_cycles(run.insns, core, cpu.ram_wait_states, run.before)):
            instructions[insn.cls] += run.count
            cycles[insn.cls] += cost * run.count
        if run.taken and run.insns[-1].cls != "lob":   # LE: the branch cache holds the loop, no refill
            cycles["taken_branch_refill"] += refill * run.taken
    total = round(sum(cycles.values()))
    by_class = {c: (instructions.get(c, 0), cycles[c]) for c in sorted(cycles, key=lambda c: -cycles[c])}
    return CycleEstimate(core.label, sum(instructions.values()), total, cpu.clock_hz, by_class,
                         ASSUMPTIONS + core.notes)
