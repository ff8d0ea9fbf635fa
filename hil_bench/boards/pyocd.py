"""Flash a real board with pyOCD's documented Python API and hand back its serial port.

Options (in the board file): ``target`` (pyOCD target type), ``probe`` (probe unique id, optional),
``serial`` (device path) or ``usb`` ("VID:PID" of the board's USB serial). Timing on silicon comes
from the DWT cycle counter (``dwt-cycles``). pyOCD is imported only here, when a real board is used.
"""

from __future__ import annotations

from pathlib import Path

from hil_bench.boards.board import Board, RunnerSpec
from hil_bench.boards.runner import Runner
from hil_bench.errors import BoardError, ToolMissingError

_OPTIONS = {"target", "probe", "serial", "usb"}


def _import_pyocd():
    try:
        from pyocd.core.helpers import ConnectHelper
        from pyocd.flash.file_programmer import FileProgrammer
    except ImportError:
        raise ToolMissingError("pyocd is not installed; install it with: pip install pyocd") from None
    return ConnectHelper, FileProgrammer


def find_serial_port(usb: str) -> str:
    """Device path of the USB serial port with vendor:product ``usb`` (hex, e.g. "0d28:0204")."""
    from serial.tools import list_ports

    try:
        vid, pid = (int(x, 16) for x in usb.split(":"))
    except ValueError:
        raise BoardError(f"usb = {usb!r} must be VID:PID in hex, e.g. \"0d28:0204\"") from None
    ports = [p.device for p in list_ports.comports() if p.vid == vid and p.pid == pid]
    if not ports:
        raise BoardError(f"no serial port with USB id {usb} is connected")
    return sorted(ports)[0]


class PyocdRunner(Runner):
    kind = "pyocd"
    timing_source = "dwt-cycles"
    timing_unit = "cycles"

    def __init__(self, board: Board, elf: Path, spec: RunnerSpec):
        unknown = set(dict(spec.options)) - _OPTIONS
        if unknown:
            raise BoardError(f"board {board.name!r}: unknown pyocd option(s) {sorted(unknown)}; "
                             f"allowed: {sorted(_OPTIONS)}")
        if not spec.option("target"):
            raise BoardError(f"board {board.name!r}: the pyocd runner needs target = \"...\"")
        if not (spec.option("serial") or spec.option("usb")):
            raise BoardError(f"board {board.name!r}: the pyocd runner needs serial = \"/dev/...\" or usb = \"VID:PID\"")
        self.board, self.elf, self.spec = board, Path(elf), spec

    def start(self) -> str:
        ConnectHelper, FileProgrammer = _import_pyocd()
        port = self.spec.option("serial") or find_serial_port(self.spec.option("usb"))
        session = ConnectHelper.session_with_chosen_probe(
            blocking=False, unique_id=self.spec.option("probe"), target_override=self.spec.option("target"))
        if session is None:
            raise BoardError(f"no debug probe found for board {self.board.name!r}")
        with session:
            FileProgrammer(session).program(str(self.elf))
            session.board.target.reset()
        return port

    def stop(self) -> int | None:
        return None  # the board keeps running its image; nothing to kill

    def wait_exit(self, timeout: float) -> int | None:
        return None
