"""The device a HIL test talks to: firmware built for a model, board started, ``infer`` and ``latency``.

:class:`HilDut` wraps :func:`hil_bench.boards.session.open_dut`, so stopping it is the session's
always-stop. :class:`DevicePool` keeps at most one device running and restarts it only when a test
asks for another board or model, or after a test failed (its protocol state is then unknown).
"""

from __future__ import annotations

import contextlib
import hashlib
import statistics
from pathlib import Path

import numpy as np

from hil_bench.boards import Board, pick_runner
from hil_bench.boards.run import _DTYPES, Latency
from hil_bench.boards.session import open_dut
from hil_bench.errors import DeviceError, UsageError


class HilDut:
    """A started board running the firmware built for one model.

    ``infer(x)`` uploads one sample, runs it and returns the output; ``latency`` describes the timed
    runs of the last ``infer`` in the runner's own unit (instructions under QEMU, cycles on an FVP).
    """

    def __init__(self, board: Board, model: Path, *, log_dir: Path | None = None, boot_timeout_s: float = 30.0):
        from hil_bench.firmware import build_firmware

        self.board, self.model = board, Path(model)
        self._stack_closed = False
        spec = pick_runner(board)
        # Semihosting exits only exist on simulators; on silicon a BKPT without a debugger would fault.
        self.image = build_firmware(board, self.model.read_bytes(), semihosting=spec.kind in ("qemu", "fvp"))
        self._stack = contextlib.ExitStack()
        session = self._stack.enter_context(open_dut(board, self.image.elf, runner=spec.kind, log_dir=log_dir,
                                                     boot_timeout_s=boot_timeout_s))
        try:
            if session.boot_status != "ok":
                raise DeviceError(f"{board.name}: the firmware's runtime refused {self.model.name}: "
                                  f"{session.boot_status}")
            self.info = session.protocol.info()
        except BaseException:
            self._stack.close()
            raise
        self.runner, self.link, self.protocol = session.runner, session.link, session.protocol
        self.latency: Latency | None = None

    @property
    def timing_source(self) -> str:
        return self.runner.timing_source

    def alive(self) -> bool:
        """False once stopped, or when the simulator process has died."""
        process = getattr(self.runner, "process", None)
        return not self._stack_closed and (process is None or process.alive())

    def infer(self, x, *, runs: int = 1, warmups: int = 0, timeout: float = 120.0):
        """Run one sample: ``x`` is an array of the input's dtype and size (or a list, one per input).

        Returns the output array shaped as the model declares it (a list when the model has several).
        """
        arrays = [x] if isinstance(x, np.ndarray) else [np.asarray(a) for a in x]
        if len(arrays) != len(self.info.inputs):
            raise UsageError(f"{self.model.name} has {len(self.info.inputs)} input(s), {len(arrays)} array(s) given")
        blob = b""
        for i, (arr, spec) in enumerate(zip(arrays, self.info.inputs)):
            want = _DTYPES.get(spec.type)
            if want is None or arr.dtype != want or arr.nbytes != spec.bytes:
                name = np.dtype(want).name if want else f"tflite type {spec.type}"
                raise UsageError(f"input {i} of {self.model.name} is {name} shaped {spec.dims} ({spec.bytes} bytes); "
                                 f"got {arr.dtype} shaped {arr.shape} (quantize with hil_bench.evaluate.quantize)")
            blob += np.ascontiguousarray(arr).tobytes()
        self.protocol.put(blob, timeout=timeout)
        ticks = self.protocol.infer(runs, warmups, timeout=timeout)
        outputs = [np.frombuffer(self.protocol.get_output(j, timeout=timeout), dtype=_DTYPES.get(spec.type, np.uint8))
                   .reshape(spec.dims) for j, spec in enumerate(self.info.outputs)]
        values = [self.runner.ticks_to_unit(t, self.board.cpu.clock_hz) for t in ticks.ticks]
        self.latency = Latency(self.runner.timing_unit, statistics.median(values), min(values), max(values),
                               statistics.pstdev(values), values,
                               self.runner.ticks_to_unit(1, self.board.cpu.clock_hz))
        return outputs[0] if len(outputs) == 1 else outputs

    def stop(self) -> None:
        """Stop the board (safe to call twice); nothing of it is left running afterwards."""
        if not self._stack_closed:
            self._stack_closed = True
            self._stack.close()

    def __repr__(self) -> str:
        return f"<HilDut {self.board.name} ({self.runner.kind}) running {self.model.name}>"


def model_key(board: Board, model: Path) -> tuple[str, str]:
    return board.name, hashlib.sha256(Path(model).read_bytes()).hexdigest()


class DevicePool:
    """At most one running device for the whole session, reused while tests ask for the same one."""

    def __init__(self, log_dir: Path | None = None):
        self.log_dir = log_dir
        self.current: HilDut | None = None
        self._key: tuple[str, str] | None = None

    def get(self, board: Board, model: Path) -> HilDut:
        model = Path(model)
        if not model.is_file():
            raise UsageError(f"model {model} does not exist; mark the test @pytest.mark.hil_model(PATH) "
                             "or override the hil_model fixture")
        key = model_key(board, model)
        if self.current is not None and (key != self._key or not self.current.alive()):
            self.stop()
        if self.current is None:
            self.current = HilDut(board, model, log_dir=self.log_dir)
            self._key = key
        return self.current

    def stop(self) -> None:
        device, self.current, self._key = self.current, None, None
        if device is not None:
            device.stop()
