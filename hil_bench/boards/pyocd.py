"""Flash a real board with pyOCD's documented Python API and hand back its serial port.

Options (in the board file): ``target`` (pyOCD target type), ``probe`` (probe unique id, optional),
``serial`` (device path) or ``usb`` ("VID:PID" of the board's USB serial). Timing on silicon comes
from the DWT cycle counter (``dwt-cycles``). pyOCD is imported only here, when a real board is used.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from hil_bench.boards.runner import Availability, Option, Runner
from hil_bench.errors import BoardError, ToolMissingError

if TYPE_CHECKING:
    from hil_bench.boards.board import Board, RunnerSpec


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
    simulator = False
    program = "pyocd"
    options = (Option("target", str, required=True, help="pyOCD target type, e.g. target = \"stm32l4r5zitx\""),
               Option("probe", str, help="debug probe unique id"),
               Option("serial", str, help="serial device path of the board's UART"),
               Option("usb", str, help="VID:PID (hex) of the board's USB serial"))

    @classmethod
    def check_combination(cls, options, where: str) -> None:
        if not (options.get("serial") or options.get("usb")):
            raise BoardError(f"{where}: the pyocd runner needs serial = \"/dev/...\" or usb = \"VID:PID\"")

    @classmethod
    def available(cls, spec) -> Availability:
        if importlib.util.find_spec("pyocd") is None:
            return Availability(False, "pyocd is not installed; install it with: pip install pyocd")
        if spec.option("usb") and not spec.option("serial"):
            try:   # a board found by its USB id must be plugged in (the probe and its serial port share it)
                find_serial_port(spec.option("usb"))
            except BoardError as exc:
                return Availability(False, f"{exc}; connect the board's debug USB port")
        return Availability(True)

    def __init__(self, board: Board, elf: Path, spec: RunnerSpec, *, log_dir: Path | None = None):
        super().__init__(board, elf, spec, log_dir=log_dir)
        self._started = False
        self._session = None   # open from start() until link_ready(): the core waits halted meanwhile

    def start(self) -> str:
        """Flash the image and hold the core halted at its reset vector: a USB serial port drops what the
        board prints before the host opens it, and the host waits for the boot banner. link_ready() lets it run."""
        ConnectHelper, FileProgrammer = _import_pyocd()
        port = self.spec.option("serial") or find_serial_port(self.spec.option("usb"))
        session = ConnectHelper.session_with_chosen_probe(
            blocking=False, unique_id=self.spec.option("probe"), target_override=self.spec.option("target"))
        if session is None:
            raise BoardError(f"no debug probe found for board {self.board.name!r}")
        session.open()
        self._session = session
        try:
            FileProgrammer(session).program(str(self.elf))
            session.board.target.reset_and_halt()
        except BaseException:
            self._close()
            raise
        self._started = True
        return port

    def link_ready(self) -> None:
        """The host's serial link is open: let the core run from reset, and let go of the probe."""
        if self._session is not None:
            self._session.board.target.resume()
            self._close()

    def _close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close()   # pyOCD resumes a halted core when it disconnects

    def stop(self) -> int | None:
        self._close()
        self._started = False
        return None  # the board keeps running its image; nothing to kill

    def alive(self) -> bool:
        return self._started  # a board on a probe cannot be seen to die; the link's deadlines tell

    def wait_exit(self, timeout: float) -> int | None:
        return None
