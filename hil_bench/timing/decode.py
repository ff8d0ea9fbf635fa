"""Instruction classes for the cycle model, decoded from the image's own disassembly.

QEMU's in_asm (Capstone 4) does not know Helium: it prints MVE instructions as coprocessor junk. So
the mnemonics come from binutils (``arm-none-eabi-objdump -m armv8.1-m.main`` on M55 images) by
address, and QEMU's log only says which addresses ran how often.

A class is what the timing tables price (:mod:`hil_bench.timing.cores`); ``regs`` is the register
count of a load/store-multiple and ``lanes`` the element count of a Helium gather/scatter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hil_bench.toolchain import run_build_tool

OBJDUMP = "arm-none-eabi-objdump"

CLASSES = ("alu", "it", "branch", "load", "store", "ldrd", "ldm", "stm", "mul", "mla", "mul64", "div",
           "sys", "barrier", "fp", "fp_mac", "fp_div", "fp_load", "fp_store", "fp_ldm",
           "lob", "mve_pred", "mve_load", "mve_store", "mve_gather", "mve_alu", "mve_mac")
"""Every class the decoder can give; each core table prices each of them."""

_COND = r"(?:eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)?"
_BRANCH = re.compile(rf"^(?:b{_COND}|bl|blx{_COND}|bx{_COND}|cbn?z|tb[bh])$")
_IT = re.compile(r"^it[te]{0,3}$")
_LOB = re.compile(r"^(?:le|letp|lctp|dls|dlstp|wls|wlstp)$")
_QREG = re.compile(r"\bq[0-7]\b")
_GATHER = re.compile(r"\[[^\]]*\bq[0-7]\b")          # a vector register inside the address: gather/scatter
_LANES = {"8": 16, "16": 8, "32": 4, "64": 2}


@dataclass(frozen=True)
class Insn:
    cls: str
    regs: int = 0     # registers moved by ldm/stm/push/pop/vpush/vpop/vldm/vstm
    lanes: int = 0    # elements of a gather/scatter


def _is_stem(base: str, stems: tuple[str, ...]) -> str | None:
    """The one of ``stems`` that ``base`` is (a condition code and an ``s`` flag may follow it), else None."""
    for stem in stems:
        if re.fullmatch(rf"{stem}s?{_COND}s?", base):
            return stem
    return None


def _reg_count(operands: str) -> int:
    """Registers in a ``{r4, r5, r8-r11, lr}`` list (ranges counted in full)."""
    inside = operands[operands.find("{") + 1:operands.find("}")]
    n = 0
    for part in filter(None, (p.strip() for p in inside.split(","))):
        if "-" in part:
            lo, hi = part.split("-")
            n += int(re.sub(r"\D", "", hi)) - int(re.sub(r"\D", "", lo)) + 1
        else:
            n += 1
    return n


def classify(mnemonic: str, operands: str = "") -> Insn:
    """The timing class of one instruction as objdump prints it (``ldr.w``, ``vmlava.s8``, ``pop``)."""
    m = mnemonic.lower()
    base, _, suffix = m.partition(".")
    if _LOB.match(base):
        return Insn("lob")
    if _QREG.search(operands) or base in ("vpst", "vctp"):
        return _classify_mve(base, suffix, operands)
    if _BRANCH.match(base):
        return Insn("branch")
    if _IT.match(base):
        return Insn("it")
    if base.startswith("v"):
        return _classify_fp(base, operands)
    if base in ("push", "pop") or _is_stem(base, ("ldm", "ldmia", "ldmfd", "ldmdb", "stm", "stmia", "stmea",
                                                  "stmdb", "stmfd")):
        return Insn("stm" if base.startswith(("push", "stm")) else "ldm", regs=_reg_count(operands))
    if _is_stem(base, ("ldrd",)):
        return Insn("ldrd")
    if _is_stem(base, ("strd",)):
        return Insn("ldrd")  # same two-word transfer
    if _is_stem(base, ("ldr", "ldrb", "ldrh", "ldrsb", "ldrsh", "ldrex", "ldrexb", "ldrexh", "ldrt", "lda", "ldab",
                     "ldah", "ldrbt", "ldrht")):
        return Insn("load")
    if _is_stem(base, ("str", "strb", "strh", "strex", "strexb", "strexh", "strt", "stl", "stlb", "stlh")):
        return Insn("store")
    if _is_stem(base, ("sdiv", "udiv")):
        return Insn("div")
    if _is_stem(base, ("mla", "mls")):
        return Insn("mla")
    if _is_stem(base, ("smull", "umull", "smlal", "umlal", "umaal")):
        return Insn("mul64")
    if _is_stem(base, ("mul",)):
        return Insn("mul")
    if base in ("dmb", "dsb", "isb"):
        return Insn("barrier")
    if base in ("mrs", "msr", "cpsid", "cpsie", "wfi", "wfe", "sev", "svc", "bkpt"):
        return Insn("sys")
    # Everything else is single-cycle data processing on every core priced here: mov, add, shifts,
    # bit fields, saturation, the DSP extension's SIMD and its single multiply-accumulates (SMLAD,
    # SMLABB, ...: one cycle on M4/M33/M55/M7 per their manuals).
    return Insn("alu")


def _classify_fp(base: str, operands: str) -> Insn:
    if base in ("vpush", "vpop") or base.startswith(("vldm", "vstm")):
        return Insn("fp_ldm", regs=_reg_count(operands))
    if base.startswith("vldr"):
        return Insn("fp_load")
    if base.startswith("vstr"):
        return Insn("fp_store")
    if base in ("vdiv", "vsqrt"):
        return Insn("fp_div")
    if base in ("vmla", "vmls", "vnmla", "vnmls", "vfma", "vfms", "vfnma", "vfnms"):
        return Insn("fp_mac")
    return Insn("fp")


def _classify_mve(base: str, suffix: str, operands: str) -> Insn:
    if base in ("vpst", "vctp"):
        return Insn("mve_pred")
    if base.startswith(("vldr", "vld2", "vld4", "vstr", "vst2", "vst4")):
        if _GATHER.search(operands):
            size = suffix.split(".")[0].lstrip("suf") or "32"
            return Insn("mve_gather", lanes=_LANES.get(size, 4))
        return Insn("mve_load" if base.startswith("vld") else "mve_store")
    if base.startswith(("vml", "vmul", "vqdm", "vqrdm", "vrml", "vrmul", "vfma", "vfms")):
        return Insn("mve_mac")
    return Insn("mve_alu")


_LINE = re.compile(r"^\s*([0-9a-f]+):\s+(?:[0-9a-f]{4}\s(?:[0-9a-f]{4}\s)?)\s*(\S+)\s*(.*)$")


def parse_objdump(text: str) -> dict[int, Insn]:
    """address -> class for every instruction line of ``objdump -d`` output."""
    insns = {}
    for line in text.splitlines():
        found = _LINE.match(line)
        if found:
            addr, mnemonic, operands = found.groups()
            insns[int(addr, 16)] = classify(mnemonic, operands.split("@")[0].split(";")[0])
    return insns


def disassemble(elf: Path, mve: bool) -> dict[int, Insn]:
    """Classes of every instruction in the image (``mve``: decode as Armv8.1-M so Helium shows)."""
    cmd = [OBJDUMP, "-d", *(["-m", "armv8.1-m.main"] if mve else []), str(elf)]
    return parse_objdump(run_build_tool(cmd, f"disassembling {elf.name}", 120.0).stdout)
