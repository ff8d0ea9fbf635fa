"""One answer to "does this model fit and run on this board?": ops, flash, RAM and arena.

``size``, ``run`` (before the board starts), ``bench`` and the pytest plugin's device path all call
:func:`check`, so they cannot disagree. Each limit is judged where it is decided for real:
- ops: every operator × type of the model against the op table the runtime reports (all unsupported
  ones named, before any build);
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
from hil_bench.compress.defaults import DECODE
from hil_bench.errors import DoesNotFitError, Error, ToolMissingError, UnsupportedModelError
from hil_bench.boards.session import open_dut
from hil_bench.firmware.runner_image import build_image
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
    """Operator names the runtime implements, as the runtime itself reports its op table
    (:func:`hil_bench.runtime.host.op_table`)."""
    from hil_bench.runtime.host import op_table

    return frozenset(row.key for row in op_table())


def op_type(sg, op) -> str:
    """An operator's type as the op table names it: its first input's tensor type, with ``->`` and the
    first output's when they differ ("int8", "float32->int8")."""
    from hil_bench.tensor_types import type_name

    def tensor_type(indices) -> str | None:
        idx = [int(i) for i in (indices if indices is not None else []) if int(i) >= 0]
        return type_name(sg.tensors[idx[0]].type).lower() if idx else None

    src, dst = tensor_type(op.inputs), tensor_type(op.outputs)
    if src is None or dst is None or src == dst:
        return src or dst or "none"
    return f"{src}->{dst}"


def unsupported_ops(model: bytes) -> list[str]:
    """Every operator × type of ``model`` the runtime's op table lacks ("TANH(int8)",
    "CONV_2D(float32)"), each once, in graph order."""
    from hil_bench.runtime.host import op_table

    m = read_model(model)
    rows = {row.key: row for row in op_table()}
    missing: list[str] = []
    for sg in m.subgraphs or []:
        for op in sg.operators or []:
            name, kind = opcode_name(m, op), op_type(sg, op)
            row = rows.get(name)
            label = f"{name}({kind})"
            if (row is None or not row.accepts(kind)) and label not in missing:
                missing.append(label)
    return missing


def check(model: bytes, board: Board, *, kernels: str = "opt", runner: str | None = None, boot: bool = True,
          decode: str = DECODE, arena_bytes: int | None = None, mlperf_model: str | None = None):
    """(:class:`Fit`, the firmware image or None). ``model`` is the model as it will be stored
    (compressed already), ``mlperf_model`` as the image will be built, so a caller that runs the model
    runs this image (one build, not two). ``boot=False``: skip booting for the arena (``run`` boots
    the board next anyway and the device refuses exactly when this would have). ``arena_bytes`` None:
    the image reserves the host build's plan plus the stated margin (:data:`~hil_bench.firmware.build.ARENA_MARGIN`)."""
    from hil_bench.runtime.host import model_info

    fit = Fit(board.name)
    missing = unsupported_ops(model)
    if missing:
        # Before any build: no image can run the model, and every missing operator is named at once.
        fit.unsupported_ops = missing
        fit.refuse(f"the runtime has no kernel for {', '.join(missing)} (see `hil-bench ops`)")
        return fit, None
    host_needed = None
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
    from hil_bench.firmware.build import arena_with_margin

    if arena_bytes is None and host_needed is not None:
        arena_bytes = arena_with_margin(host_needed)
    try:
        image = build_image(board, model, runner=runner, kernels=kernels, decode=decode, arena_bytes=arena_bytes,
                            installed_only=False, mlperf_model=mlperf_model)[0]
    except DoesNotFitError as exc:
        fit.refuse(str(exc))
        return fit, None
    s = image.sizes
    fit.flash_bytes, fit.ram_reserved_bytes, fit.arena_bytes = s.flash_bytes, s.ram_bytes, s.arena_bytes
    fit.arena_used_bytes, fit.arena_source = host_needed, ARENA_FROM_HOST
    if host_needed is None or host_needed > s.arena_bytes:
        # The plain C plan is a lower bound of every path's: too big here is too big on the device.
        needed = f"{host_needed:,}" if host_needed else "more than its default"
        fit.refuse(f"arena too small: the host build's plan needs {needed} bytes, the image reserves "
                   f"{s.arena_bytes:,} B (give a bigger --arena-bytes)")
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


__all__ = ["ARENA_FROM_DEVICE", "ARENA_FROM_HOST", "Fit", "check", "op_type", "supported_ops", "unsupported_ops"]
