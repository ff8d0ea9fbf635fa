"""The cycle model against cycle counts worked out by hand from the timing tables (docs/cycle-model.md).

Each sequence is decoded from objdump-style mnemonics, so the decoder and the tables are held together.
"""

import dataclasses

import pytest

from hil_bench.boards import load_board
from hil_bench.errors import UsageError
from hil_bench.timing import Run, core_timing, estimate
from hil_bench.timing.decode import classify
from hil_bench.timing.model import block_cycles

CPU = load_board("mps2-an386").cpu   # 25 MHz, no wait states


def seq(*lines: str):
    """``"ldr r0, [r1]"`` lines -> decoded instructions."""
    return [classify(*(line.split(None, 1) + [""])[:2]) for line in lines]


LOOP_V7M = seq("ldr r0, [r1, #4]", "ldr r2, [r3]", "adds r0, r0, r2", "mla r4, r0, r2, r4", "str r4, [r5]",
               "subs r6, #1", "bne.n 1f0")


def test_cortex_m4_loop():
    # ldr 2, ldr after ldr 1 (pipelined), adds 1, mla 2, str 2, subs 1, bne 1 = 10 a pass;
    # 99 of 100 passes branch back: + 2 refill each.
    assert block_cycles(LOOP_V7M, core_timing("cortex-m4")) == [2, 1, 1, 2, 2, 1, 1]
    est = estimate([Run(LOOP_V7M, 100, 99)], core_timing("cortex-m4"), CPU)
    assert (est.instructions, est.cycles) == (700, 100 * 10 + 99 * 2)
    assert est.model == "hil-bench cm4-v1 (estimate)"
    assert est.ms == pytest.approx(1198 / 25e6 * 1e3)


def test_cortex_m4_call_frame_and_divide():
    # push 5 registers: 1 + 5; sdiv priced 7; pop 5 incl. pc: 1 + 5, and the return is a taken branch: + 2.
    body = seq("push {r4, r5, r6, r7, lr}", "sdiv r0, r0, r1", "pop {r4, r5, r6, r7, pc}")
    est = estimate([Run(body, 3, 3)], core_timing("cortex-m4"), CPU)
    assert est.cycles == 3 * (6 + 7 + 6 + 2)


def test_flash_wait_states_are_paid_on_every_taken_branch():
    cpu = dataclasses.replace(CPU, flash_wait_states=5, clock_hz=120_000_000)
    est = estimate([Run(LOOP_V7M, 100, 99)], core_timing("cortex-m4"), cpu)
    assert est.cycles == 100 * 10 + 99 * (2 + 5)


def test_ram_wait_states_are_paid_per_access():
    cpu = dataclasses.replace(CPU, ram_wait_states=1)
    # ldr 2+1, ldr 1+1, adds 1, mla 2, str 2+1, subs 1, bne 1 = 13; no branch taken
    assert estimate([Run(LOOP_V7M, 1, 0)], core_timing("cortex-m4"), cpu).cycles == 13


def test_cortex_m33():
    # the M4 table (no M33 one is published) with SDIV priced 6 (2..11 cycles)
    body = seq(*[line for line in ("ldr r0, [r1, #4]", "ldr r2, [r3]", "sdiv r0, r0, r2", "strd r0, r2, [sp]")])
    assert block_cycles(body, core_timing("cortex-m33")) == [2, 1, 6, 3]
    est = estimate([Run(LOOP_V7M, 10, 9), Run(body, 2, 0)], core_timing("cortex-m33"), load_board("mps2-an505").cpu)
    assert est.cycles == 10 * 10 + 9 * 2 + 2 * 12
    assert est.model == "hil-bench cm33-v1 (estimate)" and est.ms == pytest.approx(142 / 20e6 * 1e3)


def test_cortex_m55_helium_overlap():
    m55, cpu = core_timing("cortex-m55"), load_board("corstone300").cpu
    # 2 beats a cycle: a vector instruction takes 2 cycles, 1 when it follows one of another group.
    dot = seq("vldrb.s16 q0, [r0], #8", "vldrb.s16 q1, [r1], #8", "vmladava.s16 r2, q0, q1", "le lr, 5e40")
    assert block_cycles(dot, m55) == [2, 2, 1, 1]
    chain = seq("vldrw.u32 q0, [r0]", "vadd.i32 q1, q0, q0", "vmul.i32 q2, q1, q1", "vstrw.32 q2, [r1]")
    assert block_cycles(chain, m55) == [2, 1, 1, 1]
    broken = seq("vldrw.u32 q0, [r0]", "adds r3, #1", "vadd.i32 q1, q0, q0")   # scalar in between: no overlap
    assert block_cycles(broken, m55) == [2, 1, 2]
    # LE closes a low-overhead loop: no refill when it branches back.
    est = estimate([Run(dot, 64, 63), Run(chain, 1, 0)], m55, cpu)
    assert (est.instructions, est.cycles) == (260, 64 * 6 + 5)
    assert est.model == "hil-bench cm55-v1 (estimate)" and est.ms == pytest.approx(389 / 32e6 * 1e3)


def test_cortex_m55_gather_is_one_beat_per_lane_and_scalar_timing():
    m55 = core_timing("cortex-m55")
    body = seq("vldrb.u32 q0, [r0, q1]", "vldrb.u8 q2, [r0, q3]", "vstrw.32 q0, [q1, #64]",
               "ldr r0, [r1]", "ldr r2, [r3]", "push {r4, r5, r6, r7, lr}", "mla r0, r1, r2, r0")
    # 4 lanes: 2 cycles; 16 lanes: 8; scatter of 4 words: 2; loads 1 each; 5 registers at 2 a cycle: 1 + 2.5
    assert block_cycles(body, m55) == [2, 8, 2, 1, 1, 3.5, 1]


def test_a_core_without_a_table_is_refused():
    with pytest.raises(UsageError, match="no cycle model for core 'cortex-m85'"):
        core_timing("cortex-m85")


def test_where_qemu_cuts_a_straight_line_does_not_change_the_estimate():
    """A block cut in two (QEMU's icount deadlines) is priced as the whole: the second part carries the
    pipelining and Helium overlap of the instruction before it."""
    m55, cpu = core_timing("cortex-m55"), load_board("corstone300").cpu
    line = seq("vldrw.u32 q0, [r0]", "vadd.i32 q1, q0, q0", "vmul.i32 q2, q1, q1", "vstrw.32 q2, [r1]")
    whole = estimate([Run(line, 10)], m55, cpu).cycles
    assert estimate([Run(line[:2], 10), Run(line[2:], 10, before=line[1])], m55, cpu).cycles == whole == 50
    m4 = core_timing("cortex-m4")
    assert estimate([Run(LOOP_V7M[:1], 5), Run(LOOP_V7M[1:], 5, 4, before=LOOP_V7M[0])], m4, CPU).cycles == \
        estimate([Run(LOOP_V7M, 5, 4)], m4, CPU).cycles
