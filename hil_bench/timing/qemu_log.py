"""Executed translation blocks of one inference, read from QEMU's own log (``-d in_asm,exec,nochain``).

``in_asm`` prints each translation block (TB) once, when QEMU translates it: its guest addresses, one
instruction a line (Capstone 4 splits a Helium instruction it cannot decode into two ``.byte`` lines,
so only the block's first and end address are taken from it; the instructions in between come from
the image's disassembly). ``exec`` with ``nochain`` prints one ``Trace`` line every time a TB runs (without
``nochain``, chained TBs jump into each other unlogged). A TB's instructions times its executions is
the executed-instruction count, exact; whether the next TB starts where the last one falls through
says whether its final branch was taken. ``Stopped execution of TB chain before X`` means the TB
just logged did not run (QEMU left it at its start for an icount deadline or an interrupt check and
runs, and logs, it again): that entry is taken back.

Only the TBs between the first entry into ``start`` (the model's invoke) and the next TB inside
``stop`` (the function that called it) are counted: boot, serial traffic and timer reads stay out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from hil_bench.errors import DeviceError


@dataclass(frozen=True)
class Block:
    """One translation block as executed: its address range and how often it ran."""

    start: int
    end: int          # the fall-through address (after the last instruction)
    count: int        # executions
    taken: int = 0    # executions after which the next block did not start at ``end``


@dataclass(frozen=True)
class LogProfile:
    blocks: tuple[Block, ...]
    windows: int     # how many times ``start`` was entered (1 for one inference)


def _insn(line: str) -> tuple[int, int]:
    """(address, size in bytes) of an in_asm line ``0x00005e04:  e92d 4ff0  push.w ...``."""
    addr, rest = line.split(":", 1)
    halfwords = 0
    for word in rest.split()[:2]:
        if len(word) == 4 and all(c in "0123456789abcdef" for c in word):
            halfwords += 1
        else:
            break
    return int(addr, 16), 2 * max(halfwords, 1)


def read_log(path: Path, start: int, stop: tuple[int, int]) -> LogProfile:
    """:func:`parse_log` of the log file at ``path``."""
    with open(path, errors="replace") as log:
        return parse_log(log, start, stop, str(path))


def parse_log(log: Iterable[str], start: int, stop: tuple[int, int], where: str = "QEMU log") -> LogProfile:
    """Count the TBs run between entering ``start`` and reaching the address range ``stop`` [lo, hi)."""
    pending: dict[int, tuple[int, int]] = {}   # translated, not yet run: pc -> (start, end)
    bound: dict[str, tuple[int, int]] = {}     # host code pointer -> (start, end)
    counts: Counter = Counter()
    taken: Counter = Counter()
    windows = 0
    inside = False
    last: tuple[int, int] | None = None        # the previous counted block, and its host code pointer
    last_host = ""
    block: list[tuple[int, int]] | None = None
    for line in log:
        if block is not None:
            if line.startswith("0x"):
                block.append(_insn(line))
                continue
            if block:
                pending[block[0][0]] = (block[0][0], block[-1][0] + block[-1][1])
            block = None
        if line.startswith("Trace "):
            # Trace 0: 0x7f12c80b78c0 [00800442/00005e04/00000050/ff020200] symbol
            fields = line.split()
            host, pc = fields[2], int(fields[3][1:].split("/")[1], 16)
            if pc in pending:
                bound[host] = pending.pop(pc)
            if last is not None:
                if pc != last[1]:
                    taken[last] += 1
                last = None
            if not inside and pc == start:
                inside, windows = True, windows + 1
            elif inside and stop[0] <= pc < stop[1]:
                inside = False
            if inside:
                tb = bound.get(host)
                if tb is None or tb[0] != pc:
                    raise DeviceError(f"{where}: the block run at 0x{pc:08x} was never translated "
                                      "in the log (was the log started late or cut?)")
                counts[tb] += 1
                last, last_host = tb, host
        elif line.startswith("Stopped execution") and last is not None and line.split()[6] == last_host:
            counts[last] -= 1
            last = None
        elif line.startswith("IN:"):
            block = []
    blocks = tuple(Block(start, end, n, taken[(start, end)]) for (start, end), n in counts.items())
    return LogProfile(blocks, windows)
