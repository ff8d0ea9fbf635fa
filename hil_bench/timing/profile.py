"""The profile pass: one more QEMU session on the same image, logging its execution, for one inference.

Boot, upload the sample, one timed inference (``hb-infer 1 0``), exit; QEMU's log gives the executed
blocks of that inference, the image's disassembly their instructions, and the core's table the
estimate. The log goes through a named pipe, read while QEMU writes it: ~80 bytes per executed block
would be gigabytes on disk for a large model, and reading it afterwards would take as long again. The pass checks itself: the instructions it counted must equal what SysTick measured for
the same inference (within one timer tick and the timer read), or the estimate is refused.
"""

from __future__ import annotations

import bisect
import os
import tempfile
import threading
import time
from pathlib import Path

from hil_bench.boards import Board
from hil_bench.boards.session import open_dut
from hil_bench.errors import DeviceError
from hil_bench.timing.decode import Insn, disassemble
from hil_bench.timing.model import CycleEstimate, Run, core_timing, estimate
from hil_bench.timing.qemu_log import LogProfile, parse_log

START, CALLER = "hb_model_invoke", "hb_io_timed_invoke"   # firmware/app/hb_io.c: the timed region's call
TIMER_READ_SLACK = 64   # instructions of the second timer read inside the timed region, with margin


def _symbols(elf: Path) -> tuple[int, tuple[int, int]]:
    """(entry of the model's invoke, [start, end) of the function that times it) from the ELF."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    try:
        with open(elf, "rb") as f:
            table = ELFFile(f).get_section_by_name(".symtab")
            found = {s.name: s for s in table.iter_symbols() if s.name in (START, CALLER)} if table else {}
    except (OSError, ELFError) as exc:
        raise DeviceError(f"{elf}: cannot read the image's symbols for the profile ({exc})") from None
    if len(found) != 2:
        raise DeviceError(f"{elf}: no symbols {START} and {CALLER}; the profile needs an unstripped hil-bench image")
    caller = found[CALLER]["st_value"] & ~1
    return found[START]["st_value"] & ~1, (caller, caller + found[CALLER]["st_size"])


def runs_of(profile: LogProfile, insns: dict[int, Insn]) -> list[Run]:
    """The logged blocks as runs of decoded instructions (each block's range cut at the image's
    instruction boundaries), each with the instruction before it unless that one branches away."""
    addrs = sorted(insns)
    runs = []
    for block in profile.blocks:
        i, j = bisect.bisect_left(addrs, block.start), bisect.bisect_left(addrs, block.end)
        if i == len(addrs) or addrs[i] != block.start or i == j:
            raise DeviceError(f"QEMU ran a block at 0x{block.start:08x} that is no instruction of the image")
        before = insns[addrs[i - 1]] if i else None
        runs.append(Run([insns[a] for a in addrs[i:j]], block.count, block.taken,
                        before if before is not None and before.cls not in ("branch", "lob") else None))
    return runs


class _LogReader:
    """:func:`read_log` on a named pipe in a thread, so QEMU's log streams through memory.

    QEMU blocks writing when the reader lags (it runs only as fast as the log is read) and the reader
    sees EOF when QEMU exits. After a parse error the pipe is still drained, so QEMU never hangs on it.
    """

    def __init__(self, path: Path, start: int, stop: tuple[int, int]):
        os.mkfifo(path, 0o600)
        self.path, self.profile, self.error = path, None, None
        self.thread = threading.Thread(target=self._read, args=(start, stop), name="qemu-log-reader", daemon=True)
        self.thread.start()

    def _read(self, start: int, stop: tuple[int, int]) -> None:
        with open(self.path, errors="replace") as log:
            try:
                self.profile = parse_log(log, start, stop, "QEMU's execution log")
            except BaseException as exc:   # handed to the caller in result()
                self.error = exc
                for _ in log:              # keep reading: a closed pipe would kill QEMU with SIGPIPE
                    pass

    def release(self, within_s: float = 5.0) -> None:
        """Once QEMU is gone: give the reader an EOF even if QEMU never opened the pipe (it failed to
        start), by opening and closing a write end. Opening fails while the reader thread has not yet
        opened its end, so retry until it has or it is done."""
        end = time.monotonic() + within_s
        while self.thread.is_alive() and time.monotonic() < end:
            try:
                os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
                return
            except OSError:
                time.sleep(0.01)

    def result(self, timeout_s: float) -> LogProfile:
        self.thread.join(timeout_s)
        if self.thread.is_alive():
            raise DeviceError(f"reading QEMU's execution log did not finish within {timeout_s:.0f} s")
        if self.error is not None:
            raise self.error
        return self.profile


def profile_inference(board: Board, elf: Path, sample: bytes, *, runner: str | None = None,
                      timeout_s: float = 600.0, boot_timeout_s: float = 30.0) -> CycleEstimate:
    """Estimate the cycles of one inference of ``sample`` (packed inputs) on the image ``elf``."""
    core = core_timing(board.cpu.core)
    start, caller = _symbols(elf)
    with tempfile.TemporaryDirectory(prefix="hil-bench-profile-") as tmp:
        reader = _LogReader(Path(tmp) / "exec.fifo", start, caller)
        try:
            with open_dut(board, elf, runner=runner, boot_timeout_s=boot_timeout_s, log_dir=Path(tmp),
                          profile_log=reader.path) as dut:
                if dut.boot_status != "ok":
                    raise DeviceError(f"{board.name}: the profile pass's image did not boot: {dut.boot_status}")
                dut.protocol.put(sample, timeout=timeout_s)
                ticks = dut.protocol.infer(1, 0, timeout=timeout_s).ticks[0]
                dut.protocol.exit(0)
                dut.runner.wait_exit(30.0)   # QEMU writes the rest of its log as it exits
                timed = dut.runner.ticks_to_unit(ticks, board.cpu.clock_hz)
                tick = dut.runner.ticks_to_unit(1, board.cpu.clock_hz)
        finally:
            reader.release()
        profile = reader.result(timeout_s)
        if profile.windows != 1:
            raise DeviceError(f"{board.name}: the profile log holds {profile.windows} inferences, expected 1")
        runs = runs_of(profile, disassemble(elf, mve=board.cpu.mve != "none"))
    result = estimate(runs, core, board.cpu)
    if abs(result.instructions - timed) > 2 * tick + TIMER_READ_SLACK:
        raise DeviceError(f"{board.name}: the profile counted {result.instructions:,} instructions in the inference "
                          f"but SysTick measured {timed:,.0f}; the QEMU log is incomplete, no estimate given")
    return result
