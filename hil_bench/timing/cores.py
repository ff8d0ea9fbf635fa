"""Per-core timing tables: cycles per instruction class, as data. docs/cycle-model.md gives the sources.

Numbers are issue cycles with their operands ready and zero-wait-state memory; the board's wait
states are added by the model. Where a manual gives a range (divides, branch refill), the table takes
the value named in ``notes`` and says so. ``list_base + list_per_reg x n`` prices a load/store of
``n`` registers (LDM/STM/PUSH/POP, VLDM/VSTM/VPUSH/VPOP).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hil_bench.timing.decode import CLASSES


@dataclass(frozen=True)
class CoreTiming:
    name: str                        # the model's name as results print it, e.g. "cm55-v1"
    cycles: dict[str, float]         # class -> cycles (list classes: see list_base/list_per_reg)
    taken_branch: float              # pipeline refill after a taken branch, on top of the branch's own cycle
    list_base: float = 1.0
    list_per_reg: float = 1.0
    pipelined_ldst: bool = False     # neighbouring single LDR/STR overlap one cycle (Cortex-M3/M4 TRM)
    mve_beats_per_cycle: int = 0     # 0: no Helium; M55: 2 (dual-beat, 64-bit datapath)
    mve_beats: int = 4               # beats per 128-bit vector instruction
    bus_bytes: int = 4               # data bus width: one wait state per access of this many bytes
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        missing = sorted(set(CLASSES) - set(self.cycles) - {"ldm", "stm", "fp_ldm"} - _MVE_SHAPED)
        if missing:
            raise ValueError(f"timing table {self.name} has no cycles for {', '.join(missing)}")

    @property
    def label(self) -> str:
        return f"hil-bench {self.name} (estimate)"


# Helium classes whose cost comes from beats (mve_beats / mve_beats_per_cycle, gathers one beat per
# lane), not from the table.
_MVE_SHAPED = {"mve_load", "mve_store", "mve_alu", "mve_mac", "mve_gather"}

_V7M_SCALAR = {  # Cortex-M4 TRM r0p1, table 3-1 "Cortex-M4 instruction set summary"
    "alu": 1, "it": 1, "branch": 1, "load": 2, "store": 2, "ldrd": 3, "mul": 1, "mla": 2, "mul64": 1,
    "div": 7, "sys": 2, "barrier": 4,
    # FPv4-SP (Cortex-M4 TRM, FPU chapter, "FPU instruction set" table)
    "fp": 1, "fp_mac": 3, "fp_div": 14, "fp_load": 2, "fp_store": 2,
}
_NO_MVE = {"lob": 1, "mve_pred": 1}   # never decoded on cores without Helium; priced for completeness

CORTEX_M4 = CoreTiming(
    "cm4-v1", {**_V7M_SCALAR, **_NO_MVE}, taken_branch=2, pipelined_ldst=True,
    notes=("SDIV/UDIV take 2..12 cycles by operand: priced 7",
           "taken branch 1 + P with P = 1..3 (pipeline refill): priced P = 2",
           "neighbouring LDR/STR pipeline their address and data phases: all but the first cost 1"))

CORTEX_M33 = CoreTiming(
    "cm33-v1", {**_V7M_SCALAR, "div": 6, **_NO_MVE}, taken_branch=2, pipelined_ldst=True,
    notes=("Arm publishes no per-instruction table for the Cortex-M33; its 3-stage pipeline is priced "
           "with the Cortex-M4 table",
           "SDIV/UDIV take 2..11 cycles (Cortex-M33 TRM): priced 6",
           "the limited dual issue of 16-bit pairs is not modelled (the estimate errs high)"))

CORTEX_M7 = CoreTiming(
    "cm7-v1", {**_V7M_SCALAR, "load": 1, "store": 1, "ldrd": 1, "mla": 1, "fp_load": 1, "fp_store": 1,
               "fp_mac": 1, **_NO_MVE},
    taken_branch=1, list_base=1, list_per_reg=0.5, bus_bytes=8,
    notes=("Arm publishes no per-instruction table for the Cortex-M7: single issue, one cycle per "
           "instruction (loads from TCM, 64-bit, pipelined), so dual issue is not modelled and the "
           "estimate errs high",
           "taken branch: predicted by the BTAC, priced 1 refill cycle; mispredictions are not modelled",
           "SDIV/UDIV 2..12 cycles: priced 7"))

CORTEX_M55 = CoreTiming(
    "cm55-v1", {**_V7M_SCALAR, "load": 1, "store": 1, "ldrd": 1, "mla": 1, "div": 6, "fp_load": 1,
                "fp_store": 1, "lob": 1, "mve_pred": 1},
    taken_branch=2, list_base=1, list_per_reg=0.5, mve_beats_per_cycle=2, bus_bytes=8,
    notes=("Helium is dual-beat on the Cortex-M55 (Cortex-M55 Software Optimization Guide): a 128-bit "
           "instruction is 4 beats, 2 per cycle, so 2 cycles",
           "overlap: a Helium instruction right after one of another group (load/store, ALU, MAC) "
           "starts in the previous one's second cycle, so costs 1",
           "gather/scatter: one beat per lane (16 lanes of bytes: 8 cycles), never overlapped",
           "LE/LETP of a low-overhead loop: 1 cycle, no refill (the loop is held in the branch cache)",
           "scalar loads/stores issue in 1 cycle on the 64-bit TCM interface; LDM/STM move 2 registers "
           "a cycle; SDIV/UDIV 2..11 cycles priced 6; taken branch refill priced 2"))

TABLES: dict[str, CoreTiming] = {"cortex-m4": CORTEX_M4, "cortex-m7": CORTEX_M7, "cortex-m33": CORTEX_M33,
                                 "cortex-m55": CORTEX_M55}
"""The board file's ``[cpu] core`` -> its timing table."""
