"""The firmware image a board's runner will start: the runner picked, then the build it needs.

Shared by the device path (:mod:`hil_bench.dut`) and the fits check (:mod:`hil_bench.board_fit`), which both
need "the image this board would run" without depending on each other.
"""

from __future__ import annotations

from hil_bench.boards import Board, RunnerSpec, pick_runner, runner_class
from hil_bench.compress.defaults import DECODE
from hil_bench.errors import ToolMissingError, UsageError
from hil_bench.firmware.build import FirmwareImage, build_firmware


def build_image(board: Board, model: bytes | None, *, runner: str | None = None,
                arena_bytes: int | None = None, decode: str = DECODE, kernels: str = "opt",
                installed_only: bool = True, mlperf_model: str | None = None) -> tuple[FirmwareImage, RunnerSpec]:
    """The firmware for ``board`` as the runner that will start it needs it, and that runner's spec.

    ``installed_only=False`` (sizing without running): when no runner of the board is installed here,
    build for the board file's first runner instead of failing. ``mlperf_model``: the MLPerf Tiny id
    the image answers to ``profile%`` (None: "hil-bench").
    """
    try:
        spec = pick_runner(board, runner)
    except ToolMissingError:
        if installed_only:
            raise
        spec = next(s for s in board.runners if runner in (None, s.kind))
    if not runner_class(spec.kind).starts_image:
        raise UsageError(f"board {board.name!r} runs models natively ({spec.kind}); it has no firmware image")
    # Semihosting exits only exist on simulators; on silicon a BKPT without a debugger would fault.
    image = build_firmware(board, model,
                           semihosting=runner_class(spec.kind).semihosting(spec), decode=decode, kernels=kernels,
                           instruction_ticks=runner_class(spec.kind).ticks_count_instructions(spec),
                           mlperf_model=mlperf_model, arena_bytes=arena_bytes)
    return image, spec
