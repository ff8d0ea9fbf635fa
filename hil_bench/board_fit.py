"""One answer to "does this model fit and run on this board?": ops, flash, RAM and arena.

``size``, ``run`` (before the board starts), ``bench`` and the pytest plugin's device path all call
:func:`check`, so they cannot disagree. Each limit is judged where it is decided for real:
- ops: every operator of the model against the runtime's op table (all unsupported ones named);
- flash and RAM: the firmware build itself (the pre-compile region check and the linker);
- arena: the device build's own plan when a simulator of the board is installed here (the board
  boots the image and reports the arena it planned, the optimized kernels' per-op scratch
  included); otherwise the host build's plan, which covers the plain C kernels only (stated in
  ``arena_source``: an optimized path may need more).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hil_bench.boards import Board, pick_runner, runner_class
from hil_bench.errors import DoesNotFitError, Error, ToolMissingError, UnsupportedModelError
from hil_bench.boards.session import open_dut
from hil_bench.firmware.runner_image import build_image
from hil_bench.resources import firmware_dir
from hil_bench.tflite import opcode_name, read_model

ARENA_FROM_DEVICE = "device build's own plan (optimized kernels' scratch included)"
ARENA_FROM_HOST = "host build's plan (plain C kernels; an optimized path's per-op scratch not included)"


@dataclass
class Fit:
    """The answer: ``fits`` and, when not, every reason with its numbers."""
    board: str
    fits: bool = True
    reasons: list[str] = field(default_factory=list)
    unsupported_ops: list[str] = field(default_factory=list)
    flash_bytes: int | None = None        # the whole image in flash (code + model + data load image)
    ram_reserved_bytes: int | None = None # data + bss + arena + stack the image reserves
    arena_bytes: int | None = None        # the arena the image reserves
    arena_used_bytes: int | None = None   # what the runtime plans in it
    arena_source: str | None = None

    def refuse(self, reason: str) -> None:
        self.fits = False
        self.reasons.append(reason)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    def as_dict(self) -> dict:
        return {"fits": self.fits, "reason": self.reason or None, "unsupported_ops": self.unsupported_ops,
                "flash_bytes": self.flash_bytes, "ram_reserved_bytes": self.ram_reserved_bytes,
                "arena_bytes": self.arena_bytes, "arena_used_bytes": self.arena_used_bytes,
                "arena_source": self.arena_source}

    def raise_if_not(self, what: str = "the model") -> None:
        """Raise hil-bench's error (unsupported ops first: no memory helps them)."""
        if self.fits:
            return
        cls = UnsupportedModelError if self.unsupported_ops else DoesNotFitError
        raise cls(f"{what} does not fit or run on {self.board}: {self.reason}")


def supported_ops() -> frozenset[str]:
    """Operator names the runtime's op rows implement (each family file in firmware/runtime/src/ops
    ends with its rows): the rows are the truth."""
    table = "\n".join(p.read_text() for p in sorted((firmware_dir() / "runtime" / "src" / "ops").glob("*.c")))
    builtins = re.findall(r"\{HB_ROW_BUILTIN\((\w+)\)", table)
    customs = re.findall(r"\{HB_BUILTIN_CUSTOM,\s*\"(\w+)\"", table)
    return frozenset(builtins + [f"CUSTOM:{c}" for c in customs])


def unsupported_ops(model: bytes) -> list[str]:
    """Every operator name of ``model`` the runtime has no kernel for, each once, in graph order."""
    m = read_model(model)
    known = supported_ops()
    missing: list[str] = []
    for sg in m.subgraphs or []:
        for op in sg.operators or []:
            name = opcode_name(m, op)
            if name not in known and name not in missing:
                missing.append(name)
    return missing


def check(model: bytes, board: Board, *, kernels: str = "opt", runner: str | None = None, boot: bool = True,
          decode: str = "init", arena_bytes: int | None = None, mlperf_model: str | None = None):
    """(:class:`Fit`, the firmware image or None). ``model`` is the model as it will be stored
    (compressed already), ``mlperf_model`` as the image will be built, so a caller that runs the model
    runs this image (one build, not two). ``boot=False``: skip booting for the arena (``run`` boots
    the board next anyway and the device refuses exactly when this would have)."""
    # start-up cost: every `hil-bench` call loads this module; this waits until used
    from hil_bench.runtime.host import model_info

    fit = Fit(board.name)
    missing = unsupported_ops(model)
    if missing:
        fit.unsupported_ops = missing
        fit.refuse(f"the runtime has no kernel for {', '.join(missing)}")
    host_needed = None
    if not missing:
        try:
            host_needed = int(model_info(model, decode=decode)["arena_bytes"])
        except DoesNotFitError:
            pass   # the host build's default arena: judged against the board's below
        except Error as exc:
            fit.refuse(str(exc))
            return fit, None
    if board.is_host:
        fit.arena_used_bytes, fit.arena_source = host_needed, ARENA_FROM_HOST
        return fit, None

    try:
        image = build_image(board, model, runner=runner, kernels=kernels, decode=decode, arena_bytes=arena_bytes,
                            installed_only=False, mlperf_model=mlperf_model)[0]
    except DoesNotFitError as exc:
        fit.refuse(str(exc))
        return fit, None
    s = image.sizes
    fit.flash_bytes, fit.ram_reserved_bytes, fit.arena_bytes = s.flash_bytes, s.ram_bytes, s.arena_bytes
    fit.arena_used_bytes, fit.arena_source = host_needed, ARENA_FROM_HOST
    if missing:
        return fit, image
    if host_needed is None or host_needed > s.arena_bytes:
        # The plain C plan is a lower bound of every path's: too big here is too big on the device.
        fit.refuse(f"arena too small: the host build's plan needs {host_needed or 'more than its default'} "
                   f"bytes, the image reserves {s.arena_bytes:,} B")
        return fit, image
    if boot:
        _device_arena(fit, image, board, runner)
    return fit, image


def _device_arena(fit: Fit, image, board, runner: str | None) -> None:
    """Boot the image on an installed simulator and take the arena answer from the device itself."""
    try:
        spec = pick_runner(board, runner)
    except ToolMissingError:
        return
    if not runner_class(spec.kind).simulator:
        return   # never start real hardware just to size a model
    with open_dut(board, image.elf, runner=spec.kind) as dut:
        if dut.boot_status != "ok":
            needs = re.search(r"needs (\d+) bytes", dut.boot_status)   # the planner's own figure, when it gave one
            fit.arena_used_bytes = int(needs.group(1)) if needs else None
            fit.arena_source = ARENA_FROM_DEVICE
            fit.refuse(f"the device refuses the model: {dut.boot_status}")
            return
        fit.arena_used_bytes = int(dut.protocol.info().values.get("arena_used", 0))
        fit.arena_source = ARENA_FROM_DEVICE
        dut.protocol.exit(0)
        dut.runner.wait_exit(10.0)


__all__ = ["ARENA_FROM_DEVICE", "ARENA_FROM_HOST", "Fit", "check", "supported_ops", "unsupported_ops"]
