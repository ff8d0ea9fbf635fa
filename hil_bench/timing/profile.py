"""The profile pass: one more QEMU session on the same image, logging its execution, for one inference.

Boot, upload the sample, one timed inference (``hb-infer 1 0``), exit; then QEMU's log gives the
executed blocks of that inference, the image's disassembly their instructions, and the core's table
the estimate. The pass checks itself: the instructions it counted must equal what SysTick measured for
the same inference (within one timer tick and the timer read), or the estimate is refused.
"""

from __future__ import annotations

import bisect
import tempfile
from pathlib import Path

from hil_bench.boards import Board
from hil_bench.boards.session import open_dut
from hil_bench.errors import DeviceError
from hil_bench.timing.decode import Insn, disassemble
from hil_bench.timing.model import CycleEstimate, Run, core_timing, estimate
from hil_bench.timing.qemu_log import LogProfile, read_log

START, CALLER = "hb_model_invoke", "hb_io_timed_invoke"   # firmware/app/hb_io.c: the timed region's call
TIMER_READ_SLACK = 64   # instructions of the second timer read inside the timed region, with margin


def _symbols(elf: Path) -> tuple[int, tuple[int, int]]:
    """(entry of the model's invoke, [start, end) of the function that times it) from the ELF."""
    from elftools.elf.elffile import ELFFile

    with open(elf, "rb") as f:
        table = ELFFile(f).get_section_by_name(".symtab")
        found = {s.name: s for s in table.iter_symbols() if s.name in (START, CALLER)} if table else {}
    if len(found) != 2:
        raise DeviceError(f"{elf}: no symbols {START} and {CALLER}; the profile needs an unstripped hil-bench image")
    caller = found[CALLER]["st_value"] & ~1
    return found[START]["st_value"] & ~1, (caller, caller + found[CALLER]["st_size"])


def runs_of(profile: LogProfile, insns: dict[int, Insn]) -> list[Run]:
    """The logged blocks as runs of decoded instructions (each block's range cut at the image's
    instruction boundaries)."""
    addrs = sorted(insns)
    runs = []
    for block in profile.blocks:
        i, j = bisect.bisect_left(addrs, block.start), bisect.bisect_left(addrs, block.end)
        if i == len(addrs) or addrs[i] != block.start or i == j:
            raise DeviceError(f"QEMU ran a block at 0x{block.start:08x} that is no instruction of the image")
        runs.append(Run([insns[a] for a in addrs[i:j]], block.count, block.taken))
    return runs


def profile_inference(board: Board, elf: Path, sample: bytes, *, runner: str | None = None,
                      timeout_s: float = 600.0, boot_timeout_s: float = 30.0) -> CycleEstimate:
    """Estimate the cycles of one inference of ``sample`` (packed inputs) on the image ``elf``."""
    core = core_timing(board.cpu.core)
    start, caller = _symbols(elf)
    with tempfile.TemporaryDirectory(prefix="hil-bench-profile-") as tmp:
        log = Path(tmp) / "exec.log"
        with open_dut(board, elf, runner=runner, boot_timeout_s=boot_timeout_s, log_dir=Path(tmp),
                      profile_log=log) as dut:
            if dut.boot_status != "ok":
                raise DeviceError(f"{board.name}: the profile pass's image did not boot: {dut.boot_status}")
            dut.protocol.put(sample, timeout=timeout_s)
            ticks = dut.protocol.infer(1, 0, timeout=timeout_s).ticks[0]
            dut.protocol.exit(0)
            dut.runner.wait_exit(30.0)   # QEMU writes the rest of its log as it exits
            timed = dut.runner.ticks_to_unit(ticks, board.cpu.clock_hz)
            tick = dut.runner.ticks_to_unit(1, board.cpu.clock_hz)
        profile = read_log(log, start, caller)
        if profile.windows != 1:
            raise DeviceError(f"{board.name}: the profile log holds {profile.windows} inferences, expected 1")
        runs = runs_of(profile, disassemble(elf, mve=board.cpu.mve != "none"))
    result = estimate(runs, core, board.cpu)
    if abs(result.instructions - timed) > 2 * tick + TIMER_READ_SLACK:
        raise DeviceError(f"{board.name}: the profile counted {result.instructions:,} instructions in the inference "
                          f"but SysTick measured {timed:,.0f}; the QEMU log is incomplete, no estimate given")
    return result
