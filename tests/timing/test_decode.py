"""Instruction classes from binutils' disassembly (Helium included, which QEMU's Capstone cannot decode)."""

from hil_bench.timing.decode import Insn, classify, parse_objdump

OBJDUMP = """
00005e04 <hb_mve_gemm_seg_s8>:
    5e04:	e92d 4ff0 	stmdb	sp!, {r4, r5, r6, r7, r8, r9, sl, fp, lr}
    5e08:	ed2d 8b10 	vpush	{d8-d15}
    5e0c:	b0a5      	sub	sp, #148	@ 0x94
    5e0e:	9f43      	ldr	r7, [sp, #268]	@ 0x10c
    5e12:	e9dd 543e 	ldrd	r5, r4, [sp, #248]	@ 0xf8
    5e1a:	eeac 3b10 	vdup.32	q6, r3
    5e22:	f340 8211 	ble.w	6248 <hb_mve_gemm_seg_s8+0x444>
    5e2c:	bfc8      	it	gt
    5e2e:	fb04 f30b 	mulgt.w	r3, r4, fp
    5e58:	ed93 7f00 	vldrw.u32	q3, [r3, #0]
    5de4:	f002 e801 	vctp.8	r2
"""


def test_objdump_lines_become_classes_by_address():
    got = parse_objdump(OBJDUMP)
    assert got == {0x5e04: Insn("stm", regs=9), 0x5e08: Insn("fp_ldm", regs=8), 0x5e0c: Insn("alu"),
                   0x5e0e: Insn("load"), 0x5e12: Insn("ldrd"), 0x5e1a: Insn("mve_alu"), 0x5e22: Insn("branch"),
                   0x5e2c: Insn("it"), 0x5e2e: Insn("mul"), 0x5e58: Insn("mve_load"), 0x5de4: Insn("mve_pred")}


def test_conditions_and_flags_do_not_hide_the_class():
    assert classify("bls.n", "100") == Insn("branch")
    assert classify("bics", "r0, r1") == Insn("alu")
    assert classify("bkpt", "0x00ab") == Insn("sys")
    assert classify("ldrbne", "r0, [r1]") == Insn("load")
    assert classify("strh.w", "r0, [r1, #2]") == Insn("store")
    assert classify("mlsne", "r0, r1, r2, r3") == Insn("mla")
    assert classify("smlad", "r0, r1, r2, r3") == Insn("alu")      # DSP MAC: single cycle
    assert classify("umull", "r0, r1, r2, r3") == Insn("mul64")
    assert classify("udiv", "r0, r1, r2") == Insn("div")
    assert classify("pop", "{r4, pc}") == Insn("ldm", regs=2)
    assert classify("ldmia.w", "r0!, {r1-r3, r8}") == Insn("ldm", regs=4)
    assert classify("vfma.f32", "s0, s1, s2") == Insn("fp_mac")
    assert classify("vdiv.f32", "s0, s1, s2") == Insn("fp_div")
    assert classify("vldr", "s0, [r0]") == Insn("fp_load")
    assert classify("letp", "lr, 5e40") == Insn("lob")
    assert classify("wls", "lr, r2, 5e60") == Insn("lob")
    assert classify("vpst", "") == Insn("mve_pred")
    assert classify("vmlava.s8", "r4, q0, q1") == Insn("mve_mac")
    assert classify("vqrdmulh.s32", "q0, q0, r2") == Insn("mve_mac")
    assert classify("vldrh.s32", "q0, [r0, q1, uxtw #1]") == Insn("mve_gather", lanes=4)
    assert classify("vstrb.8", "q0, [r0, q1]") == Insn("mve_gather", lanes=16)
    assert classify("vstrb.8", "q0, [r0], #16") == Insn("mve_store")
