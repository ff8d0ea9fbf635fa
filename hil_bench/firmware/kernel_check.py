"""The on-device kernel checker: a firmware that runs each optimized kernel and its plain C twin on
the same random and edge-case inputs and compares them byte for byte (``firmware/tests/kernel_check``).

Path-agnostic: the board's build picks its path (Helium on Cortex-M55, DSP on M4/M7/M33, C else) and
the checker proves that path against the C reference on the simulated core itself. Built with the
board support and the generated linker script and config of :mod:`hil_bench.firmware.build`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hil_bench.boards import Board, pick_runner
from hil_bench.cache import building, open_entry, remove_entry, source_key
from hil_bench.errors import DeviceError, LinkError, LinkTimeoutError
from hil_bench.firmware.build import (FIRMWARE_DIR, OPT_FLAGS, bsp_dirs, cache_root, compile_and_link,
                                     compiler_version)
from hil_bench.firmware.config import board_config_header
from hil_bench.firmware.linker import linker_script
from hil_bench.link import SerialLink
from hil_bench.runtime.sources import runtime_sources
from hil_bench.boards.session import make_runner

CHECK_DIR = FIRMWARE_DIR / "tests" / "kernel_check"


@dataclass(frozen=True)
class KernelCheckResult:
    board: str
    path: str          # kernel path the firmware was built with: "helium", "dsp" or "c"
    exit_code: int | None
    fails: int | None  # failing cases the firmware counted (None if it never finished)
    output: str        # everything the firmware printed

    @property
    def passed(self) -> bool:
        return self.exit_code == 0 and self.fails == 0


def _sources(board: Board) -> list[Path]:
    bsp = [p for d in bsp_dirs(board) for p in sorted(d.glob("*.c"))]   # generic Cortex-M + the SoC family
    return (bsp + [FIRMWARE_DIR / "app" / "hb_fmt.c"]
            + runtime_sources() + sorted(CHECK_DIR.glob("*.c")))


def build_kernel_check(board: Board, cases: int = 300, *, rebuild: bool = False) -> Path:
    """Compile and link the checker for ``board`` (cached by a hash of every input); return the ELF."""
    srcs = _sources(board)
    headers = sorted(p for d in (FIRMWARE_DIR / "bsp", FIRMWARE_DIR / "app", FIRMWARE_DIR / "runtime", CHECK_DIR)
                     for p in d.rglob("*.h"))
    key = source_key(srcs + headers + [Path(__file__)], compiler_version(), board.name, cases, OPT_FLAGS,
                     board.source.read_bytes() if board.source else b"", root=FIRMWARE_DIR)
    out_dir = cache_root() / "kernel-check" / f"{board.name}-{key}"
    elf = out_dir / "firmware.elf"
    if rebuild:
        remove_entry(out_dir)
    elif open_entry(out_dir, ("firmware.elf",)) is not None:
        return elf
    with building(out_dir, prefix=f".{board.name}-", label=f"kernel checker for {board.name}") as work:
        (work / "hb_board_config.h").write_text(board_config_header(
            board, arena_bytes=0, db_buffer_bytes=0, semihosting=True, image_kind="kernel-check"))
        (work / "firmware.ld").write_text(linker_script(board))
        (work / "kc_cases.h").write_text(f"#define KC_CASES {int(cases)}\n")  # found through -I{work}
        compile_and_link(board, srcs, work, with_model=True)
    return elf


def run_kernel_check(board: Board, cases: int = 300, *, timeout_s: float = 120.0,
                     log_dir: Path | None = None) -> KernelCheckResult:
    """Build the checker, run it on the board's simulator, and return what it printed and its exit code.

    The simulator is always stopped. Raises LinkTimeoutError (with the output so far) when the
    firmware does not finish within ``timeout_s``; DeviceError when it faults.
    """
    elf = build_kernel_check(board, cases)
    spec = pick_runner(board)
    runner = make_runner(board, elf, spec, log_dir)
    link = None
    try:
        link = SerialLink.open(runner.start(), baud=board.serial.baud if board.serial else 115200,
                               name=f"{board.name} kernel checker ({spec.kind})")
        runner.link_ready()
        try:
            link.read_until(b"kernel-check done", timeout_s)
            link.read_until(b"\n", 10.0, "the end of the checker's last line")
        except (LinkTimeoutError, DeviceError):
            raise
        except LinkError:   # the simulator exited and closed the port: its exit code and output say why
            pass
        code = runner.wait_exit(10.0)
    finally:
        if link is not None:
            link.close()
        runner.stop()
    text = bytes(link.seen).decode(errors="replace")
    if code is None:
        raise DeviceError(f"{board.name}: kernel checker did not exit; output:\n{text[-2000:]}")
    head = re.search(r"kernel-check path=(\w+)", text)
    done = re.search(r"kernel-check done fails=(\d+)", text)
    return KernelCheckResult(board.name, head.group(1) if head else "unknown", code,
                             int(done.group(1)) if done else None, text)
