"""Reading QEMU's in_asm/exec log: blocks counted inside the inference only, taken branches, re-runs."""

import pytest

from hil_bench.errors import DeviceError
from hil_bench.timing.decode import Insn
from hil_bench.timing.profile import runs_of
from hil_bench.timing.qemu_log import Block, read_log

INVOKE, CALLER = 0x1000, (0x2000, 0x2040)


def tb(pc: int, lines: list[str], sym: str = "f") -> str:
    return "----------------\nIN: " + sym + "\n" + "".join(f"{line}\n" for line in lines) + "\n"


def trace(host: str, pc: int) -> str:
    return f"Trace 0: {host} [00800442/{pc:08x}/00000050/ff020200] f\n"


# The caller (0x2000) calls invoke (0x1000); invoke loops twice over 0x1004 (3 instructions, one a 32-bit
# Helium instruction Capstone splits into two .byte lines), then returns to 0x2010.
LOG = (tb(0x2000, ["0x00002000:  f000 f800  bl       #0x1000"]) + trace("0xa0", 0x2000)
       + tb(0x1000, ["0x00001000:  e92d 4010  push.w   {r4, lr}"]) + trace("0xa1", 0x1000)
       + tb(0x1004, ["0x00001004:  f002       .byte    0x02, 0xf0", "0x00001006:  e801       .byte    0x01, 0xe8",
                     "0x00001008:  3c01       subs     r4, #1", "0x0000100a:  d1fb       bne      #0x1004"])
       + trace("0xa2", 0x1004)
       + "Stopped execution of TB chain before 0xa2 [00001004] f\n" + trace("0xa2", 0x1004)
       + trace("0xa2", 0x1004)
       + tb(0x100c, ["0x0000100c:  bd10       pop      {r4, pc}"]) + trace("0xa3", 0x100c)
       + tb(0x2010, ["0x00002010:  4770       bx       lr"]) + trace("0xa4", 0x2010)
       + trace("0xa1", 0x1000) + trace("0xa2", 0x1004))   # a later invoke: a second window


def test_blocks_inside_the_window_with_taken_branches(tmp_path):
    path = tmp_path / "exec.log"
    path.write_text(LOG)
    got = read_log(path, INVOKE, CALLER)
    assert got.windows == 2
    assert sorted(got.blocks, key=lambda b: b.start) == [
        Block(0x1000, 0x1004, 2, 0),      # falls through to 0x1004 both times
        Block(0x1004, 0x100c, 3, 1),      # the stopped run taken back; bne taken once (then falls through)
        Block(0x100c, 0x100e, 1, 1)]      # pop pc: back in the caller
    insns = {0x1000: Insn("stm", 2), 0x1004: Insn("mve_pred"), 0x1008: Insn("alu"), 0x100a: Insn("branch"),
             0x100c: Insn("ldm", 2)}
    runs = {r.insns[0].cls: (len(r.insns), r.count, r.taken) for r in runs_of(got, insns)}
    assert runs == {"stm": (1, 2, 0), "mve_pred": (3, 3, 1), "ldm": (1, 1, 1)}


def test_a_block_run_without_its_translation_is_an_error(tmp_path):
    path = tmp_path / "exec.log"
    path.write_text(trace("0xa1", 0x1000))
    with pytest.raises(DeviceError, match="never translated"):
        read_log(path, INVOKE, CALLER)


def test_a_block_off_the_image_instructions_is_an_error(tmp_path):
    path = tmp_path / "exec.log"
    path.write_text(tb(0x1000, ["0x00001000:  b510       push     {r4, lr}"]) + trace("0xa1", 0x1000))
    with pytest.raises(DeviceError, match="no instruction of the image"):
        runs_of(read_log(path, INVOKE, CALLER), {0x1002: Insn("alu")})


def test_the_log_pipe_never_hangs(tmp_path):
    """QEMU that never opens the pipe, and a log the reader refuses midway: neither blocks anyone."""
    import threading

    from hil_bench.timing.profile import _LogReader

    quiet = _LogReader(tmp_path / "quiet.fifo", INVOKE, CALLER)
    quiet.release()
    assert quiet.result(10).windows == 0

    bad = _LogReader(tmp_path / "bad.fifo", INVOKE, CALLER)
    junk = trace("0xa1", INVOKE) + "x" * 80 + "\n"

    def write():
        with open(bad.path, "w") as pipe:
            for _ in range(20_000):     # ~2 MB: far more than a pipe holds, drained after the error
                pipe.write(junk)

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(30)
    assert not writer.is_alive()
    with pytest.raises(DeviceError, match="never translated"):
        bad.result(10)
