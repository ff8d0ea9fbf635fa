"""The device a HIL test talks to: firmware built for a model, board started, ``infer`` and ``latency``.

:class:`HilDut` is :class:`hil_bench.dut.Device` (the one device path) with the test-facing ``infer``.
:class:`DevicePool` keeps at most one device running and restarts it only when a test asks for another
board or model, or after a test failed (its protocol state is then unknown).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from hil_bench.boards import Board
from hil_bench.compress import defaults
from hil_bench.dut import Device, Latency
from hil_bench.errors import UsageError


class HilDut(Device):
    """A started board running the firmware built for one model.

    ``infer(x)`` uploads one sample, runs it and returns the output; ``latency`` describes the timed
    runs of the last ``infer`` in the runner's own unit (instructions under QEMU, cycles on an FVP).
    The image stores and decodes the weights as ``run`` and ``bench`` do by default
    (:mod:`hil_bench.compress.defaults`); ``compress`` and ``decode`` say which.
    """

    def __init__(self, board: Board, model: Path, *, log_dir: Path | None = None, boot_timeout_s: float = 30.0,
                 compress: str = defaults.COMPRESS, decode: str = defaults.DECODE):
        from hil_bench.compress.model import compress_model
        from hil_bench.firmware.features import board_kernel_path

        self.model = Path(model)
        self.compress = compress
        stored = self.model.read_bytes()
        if compress != "none":
            stored = compress_model(stored, compress, decode, board_kernel_path(board)).model
        super().__init__(board, stored, log_dir=log_dir, boot_timeout_s=boot_timeout_s, name=self.model.name,
                         decode=decode)
        self.decode = decode
        self.latency: Latency | None = None

    @property
    def timing_source(self) -> str:
        return self.runner.timing_source

    def infer(self, x, *, runs: int = 1, warmups: int = 0, timeout: float | None = None):
        """Run one sample: ``x`` is an array of the input's dtype and size (or a list, one per input).

        Returns the output array shaped as the model declares it (a list when the model has several).
        ``timeout``: seconds each command may take (None: a deadline from the model's instruction count).
        """
        if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:   # 0: no run, the last outputs
            raise UsageError(f"dut.infer(runs={runs!r}): give runs >= 1 (the timed runs of this sample)")
        if isinstance(warmups, bool) or not isinstance(warmups, int) or warmups < 0:
            raise UsageError(f"dut.infer(warmups={warmups!r}): give warmups >= 0")
        outputs, timing = super().infer(x, runs=runs, warmups=warmups, timeout=timeout)
        self.latency = self.latency_of(timing.ticks)
        return outputs[0] if len(outputs) == 1 else outputs

    def stop(self) -> None:
        """Stop the board (safe to call twice); nothing of it is left running afterwards."""
        self.close(exit_code=None)

    def __repr__(self) -> str:
        return (f"<HilDut {self.board.name} ({self.runner.kind}) running {self.model.name}, weights stored: "
                f"{self.compress}, decoded: {self.decode}>")


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
