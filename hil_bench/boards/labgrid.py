"""A board behind a labgrid coordinator: acquire its place, load the image over GDB, talk to its UART.

Board file::

    [[runner]]
    kind = "labgrid"
    place = "corstone300-qemu"        # the labgrid place
    behind = "qemu"                   # what the place holds: "qemu" (QEMU machine) or "pyocd" (silicon)
    # coordinator = "farm:20408"      # default: $LG_COORDINATOR, else 127.0.0.1:20408

The place must hold a ``NetworkSerialPort`` (the board's UART; ``raw`` or ``rfc2217``) and a
``GDBServer`` resource (``host``, ``port``, ``reset``: the monitor command that resets the core, e.g.
``system_reset`` for QEMU, ``reset halt`` for pyOCD/OpenOCD). ``behind`` says how the board keeps time
and whether images exit through semihosting, exactly as the runner of that kind would run it directly.

labgrid is driven through ``labgrid-client`` (every call with a timeout), so its gRPC machinery never
runs inside hil-bench. The place is released in :meth:`stop`, which the device path always calls;
SIGTERM is turned into KeyboardInterrupt while the place is held, so a terminated run releases it too;
the acquire and release calls run in their own session (a terminal's Ctrl-C reaches only hil-bench) and
signals are held while releasing.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from hil_bench.boards.gdbload import GdbRemote
from hil_bench.boards.runner import Availability, Option, Runner
from hil_bench.errors import BoardError, ToolMissingError

if TYPE_CHECKING:
    from hil_bench.boards.board import Board, RunnerSpec

INSTALL = "labgrid is not installed; install it with: pip install 'hil-bench[farm]' (or pip install 'labgrid>=26')"
DEFAULT_COORDINATOR = "127.0.0.1:20408"
BEHIND = ("qemu", "pyocd")   # runners whose boards take an image over GDB (the FVP has no gdbstub)
CLIENT_TIMEOUT_S = 30.0
# The serial server (QEMU's chardev, ser2net) accepts a connection in its own event loop: give it
# this long after the host connected before the core starts printing its boot banner.
ACCEPT_SETTLE_S = 0.2


def client_program() -> str | None:
    """``labgrid-client`` next to this Python (a venv not on PATH), else on PATH."""
    beside = Path(sys.executable).with_name("labgrid-client")
    return str(beside) if beside.is_file() else shutil.which("labgrid-client")


def coordinator_of(spec: RunnerSpec | None) -> str:
    given = spec.option("coordinator") if spec is not None else None
    return given or os.environ.get("LG_COORDINATOR") or DEFAULT_COORDINATOR


class PlaceResource(NamedTuple):
    """One resource of a place as labgrid-client shows it (``params``: host, port, ...)."""

    name: str
    cls: str
    params: dict


@dataclass(frozen=True)
class PlaceInfo:
    """A place's tags (``hil_bench_board``, ``hil_bench_behind``) and the resources it matches."""

    tags: dict[str, str]
    resources: tuple[PlaceResource, ...]

    def one(self, cls: str, place: str) -> PlaceResource:
        found = [r for r in self.resources if r.cls == cls]
        if len(found) != 1:
            have = ", ".join(f"{r.name} ({r.cls})" for r in self.resources) or "none"
            raise BoardError(f"labgrid place {place!r} must hold exactly one {cls} resource, it holds: {have}; "
                             "see README, \"Board farms (labgrid)\" for the exporter configuration")
        if found[0].params.get("extra", {}).get("proxy_required"):
            raise BoardError(f"resource {found[0].name} of place {place!r} is only reachable through an SSH proxy "
                             "(exporter in isolated mode); hil-bench connects directly: export it without -i")
        return found[0]


def parse_show(text: str) -> PlaceInfo:
    """What ``labgrid-client -p PLACE show`` prints: tags, and each resource's class and parameters."""
    tags: dict[str, str] = {}
    m = re.search(r"^  tags: (.*)$", text, re.M)
    if m:
        tags = dict(item.split("=", 1) for item in m.group(1).split(", ") if "=" in item)
    resources = []
    blocks = re.split(r"^(?:Acquired|Matching) resource '([^']+)' \(([^)]*)\):\n", text, flags=re.M)
    for name, path, body in zip(blocks[1::3], blocks[2::3], blocks[3::3]):
        lines = []
        for line in body.splitlines():
            if not line.startswith("  "):
                break
            lines.append(line[2:])
        try:
            data = ast.literal_eval("\n".join(lines))
        except (ValueError, SyntaxError):
            raise BoardError(f"cannot read resource {path} from labgrid-client show:\n{body[:500]}") from None
        resources.append(PlaceResource(name, data.get("cls", path.split("/")[2]), dict(data.get("params", {}))))
    return PlaceInfo(tags, tuple(resources))


class LabgridClient:
    """``labgrid-client`` calls for one place on one coordinator, each with a deadline and clear errors."""

    def __init__(self, place: str, coordinator: str):
        self.place, self.coordinator = place, coordinator

    def run(self, *args: str, timeout: float = CLIENT_TIMEOUT_S, shielded: bool = False) -> str:
        """``shielded``: in its own session, so a terminal's Ctrl-C (sent to the whole group) cannot stop it."""
        program = client_program()
        if program is None:
            raise ToolMissingError(INSTALL)
        cmd = [program, "-x", self.coordinator, "-p", self.place, *args]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                                  start_new_session=shielded)
        except subprocess.TimeoutExpired:
            raise BoardError(f"labgrid-client {' '.join(args)} for place {self.place!r} did not finish within "
                             f"{timeout:.0f} s (coordinator {self.coordinator})") from None
        if done.returncode != 0:
            raise self._error(args[0], done.stdout + done.stderr)
        return done.stdout

    def _error(self, action: str, output: str) -> BoardError:
        said = " ".join(line.strip() for line in output.splitlines()
                        if line.strip() and not line.startswith("ERROR ")).strip()
        if "connect to coordinator" in output or "coordinator is unavailable" in output:
            return BoardError(f"cannot reach the labgrid coordinator at {self.coordinator}: is labgrid-coordinator "
                              "running there? Set the address with coordinator = \"HOST:PORT\" in the board "
                              "file's labgrid runner or with LG_COORDINATOR.")
        if "You have already acquired" in output:
            return BoardError(f"labgrid place {self.place!r} is already acquired by you (an earlier run that was "
                              f"killed?); release it with: labgrid-client -x {self.coordinator} -p {self.place} "
                              "release")
        taken = re.search(r"already acquired by (\S+?)\.? ", output + " ")
        if taken:
            return BoardError(f"labgrid place {self.place!r} is taken by {taken.group(1)}; wait until it is "
                              f"released (labgrid-client -p {self.place} who / release) and run again.")
        if "matches nothing" in output or "does not exist" in output:
            return BoardError(f"labgrid place {self.place!r} is unknown to the coordinator at {self.coordinator}; "
                              f"list its places with: labgrid-client -x {self.coordinator} places")
        return BoardError(f"labgrid-client {action} for place {self.place!r} failed: {said or 'no message'}")

    def show(self) -> PlaceInfo:
        """The place's tags and resources, asked once per process: a bench starts the board once per
        recipe, and each labgrid-client call costs ~1.4 s (most of it starting Python and gRPC)."""
        key = (self.place, self.coordinator)
        if key not in _SHOWN:
            _SHOWN[key] = parse_show(self.run("show"))
        return _SHOWN[key]


_SHOWN: dict[tuple[str, str], PlaceInfo] = {}


def place_board(place: str) -> Board:
    """``--board labgrid:PLACE``: the board the place's tags name, started through the place.

    The place carries tags ``hil_bench_board=NAME`` (a hil-bench board: memory map, CPU, build flags)
    and ``hil_bench_behind=qemu|pyocd``; the coordinator is $LG_COORDINATOR (else the default).
    """
    # import cycle: hil_bench.boards imports hil_bench.boards.labgrid
    from hil_bench.boards import load_board
    # import cycle: hil_bench.boards.board imports hil_bench.boards.labgrid
    from hil_bench.boards.board import RunnerSpec

    client = LabgridClient(place, coordinator_of(None))
    tags = client.show().tags
    missing = [t for t in ("hil_bench_board", "hil_bench_behind") if t not in tags]
    if missing:
        raise BoardError(f"labgrid place {place!r} lacks the tag(s) {', '.join(missing)} that say which hil-bench "
                         f"board it holds; set them with: labgrid-client -p {place} set-tags "
                         "hil_bench_board=corstone300 hil_bench_behind=qemu")
    base = load_board(tags["hil_bench_board"])
    spec = RunnerSpec("labgrid", (("behind", tags["hil_bench_behind"]), ("place", place)))
    LabgridRunner.check_options(spec, f"labgrid place {place!r}")
    return dataclasses.replace(base, runners=(spec,))


@contextlib.contextmanager
def _signals_held():
    """Ignore SIGINT and SIGTERM inside the block (main thread only; elsewhere Python delivers none)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


class LabgridRunner(Runner):
    kind = "labgrid"
    simulator = False   # never started just to size a model; images use semihosting per `behind`
    options = (Option("place", str, required=True, help='labgrid place name, e.g. place = "corstone300-qemu"'),
               Option("behind", str, required=True,
                      help=f'what the place holds, one of {", ".join(BEHIND)}: how it keeps time'),
               Option("coordinator", str, help=f"HOST:PORT (default: $LG_COORDINATOR, else {DEFAULT_COORDINATOR})"))

    @classmethod
    def check_combination(cls, options, where: str) -> None:
        if options.get("behind") not in BEHIND:
            raise BoardError(f"{where}: labgrid runner option behind must be one of {', '.join(BEHIND)}, "
                             f"got {options.get('behind')!r}")

    @classmethod
    def available(cls, spec) -> Availability:
        return Availability(True) if client_program() else Availability(False, INSTALL)

    @classmethod
    def semihosting(cls, spec: RunnerSpec) -> bool:
        return cls._behind_class(spec).simulator

    @classmethod
    def ticks_count_instructions(cls, spec: RunnerSpec) -> bool:
        return cls._behind_class(spec).timing_unit == "instructions"

    @staticmethod
    def _behind_class(spec: RunnerSpec) -> type[Runner]:
        from hil_bench.boards.runners import runner_class   # runners imports this module

        return runner_class(spec.option("behind"))

    def __init__(self, board: Board, elf: Path, spec: RunnerSpec, *, log_dir: Path | None = None):
        super().__init__(board, elf, spec, log_dir=log_dir)
        behind = self._behind_class(spec)
        # The place's board keeps time as its own runner would: the same unit, the same conversion.
        self.timing_source, self.timing_unit, self._behind = behind.timing_source, behind.timing_unit, behind
        self.client = LabgridClient(spec.option("place"), coordinator_of(spec))
        self._holding = False     # acquire was asked for: release, even if we never heard its answer
        self._gdb: GdbRemote | None = None
        self._old_sigterm = None
        self._started = False

    def start(self) -> str:
        if not self.elf.is_file():
            raise BoardError(f"firmware image {self.elf} does not exist")
        self._catch_sigterm()
        self._holding = True
        try:
            try:
                self.client.run("acquire", shielded=True)
            except BoardError:
                self._holding = False   # refused (taken, unknown, unreachable): the place is not ours
                raise
            place = self.client.show()
            uart = place.one("NetworkSerialPort", self.client.place)
            gdb = place.one("GDBServer", self.client.place)
            self._gdb = GdbRemote(str(gdb.params["host"]), int(gdb.params["port"]),
                                  name=f"GDB server of place {self.client.place!r}")
            self._gdb.load(self.elf, str(gdb.params.get("reset", "reset halt")))
        except BaseException:
            self.stop()
            raise
        self._started = True
        scheme = "rfc2217" if uart.params.get("protocol", "rfc2217") == "rfc2217" else "socket"
        return f"{scheme}://{uart.params['host']}:{uart.params['port']}"

    def link_ready(self) -> None:
        """The host's serial link is connected: let the loaded core run."""
        if self._gdb is not None:
            time.sleep(ACCEPT_SETTLE_S)
            gdb, self._gdb = self._gdb, None
            gdb.resume()

    def stop(self) -> int | None:
        self._started = False
        try:
            if self._gdb is not None:
                self._gdb.close()
                self._gdb = None
            if self._holding:
                self._holding = False
                try:
                    with _signals_held():   # a second Ctrl-C must not leave the place taken
                        self.client.run("release", shielded=True)
                except BoardError as exc:
                    if "is not acquired" not in str(exc) and "different user" not in str(exc):
                        print(f"hil-bench: could not release labgrid place {self.client.place!r}: {exc}; release it "
                              f"with: labgrid-client -x {self.client.coordinator} -p {self.client.place} release",
                              file=sys.stderr)
        finally:
            self._restore_sigterm()
        return None

    def _catch_sigterm(self) -> None:
        if threading.current_thread() is threading.main_thread() and \
                signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            self._old_sigterm = signal.signal(signal.SIGTERM, _interrupt)

    def _restore_sigterm(self) -> None:
        if self._old_sigterm is not None:
            signal.signal(signal.SIGTERM, self._old_sigterm)
            self._old_sigterm = None

    def wait_exit(self, timeout: float) -> int | None:
        return None   # the board's exit status stays on the exporter

    def alive(self) -> bool:
        return self._started

    def ticks_to_unit(self, ticks: int, clock_hz: int) -> float:
        return self._behind.ticks_to_unit(self, ticks, clock_hz)
