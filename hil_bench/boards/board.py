"""A board is data: one ``boards/NAME.toml`` file loaded into frozen dataclasses and checked.

Nothing here starts or talks to anything (that is the runners' and the link's job); the firmware
build reads the memory map and flags from here, the runners read how to start the board.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from hil_bench.boards.runners import RUNNERS
from hil_bench.errors import BoardError

MEMORY_KINDS = ("code", "flash", "ram")  # code/flash: the image lives there (counted as flash); ram: read-write
TIMER_KINDS = ("systick", "dwt", "wallclock")
MAX_WAIT_STATES = 15   # more than any Cortex-M flash controller offers (STM32H7: 7, STM32L4: 5)
# UART drivers the firmware has, and the [serial] keys each needs beyond driver/base/baud.
SERIAL_DRIVERS: dict[str, tuple[str, ...]] = {
    "cmsdk_uart": (),                                  # Arm CMSDK APB UART (firmware/bsp/cmsdk)
    "stm32_lpuart": ("tx_pin", "rx_pin", "pin_af"),    # STM32 LPUART1 on two GPIO pins (firmware/bsp/stm32l4)
}
_PIN = re.compile(r"P([A-K])(\d{1,2})")


@dataclass(frozen=True)
class MemoryRegion:
    """One contiguous memory of the board; ``kind`` says whether the image (flash) or run-time data (ram) goes there."""

    name: str
    origin: int
    size: int
    kind: str

    @property
    def end(self) -> int:
        return self.origin + self.size

    @property
    def flash_like(self) -> bool:
        return self.kind in ("code", "flash")


@dataclass(frozen=True)
class Cpu:
    core: str
    cflags: tuple[str, ...]
    fpu: str
    mve: str  # "none" | "int" | "float"
    clock_hz: int
    # Extra cycles per access the board's memories add at clock_hz (the board's documentation): the
    # cycle estimate (hil_bench.timing) charges them; 0 for TCM / single-cycle SRAM.
    flash_wait_states: int = 0   # instruction fetch from the code region (a refill after a taken branch)
    ram_wait_states: int = 0     # each data load or store


@dataclass(frozen=True)
class Placement:
    """Which region holds what; the linker script is generated from this."""

    boot_address: int
    code: str
    model: str
    data: str
    arena: str
    stack_bytes: int


@dataclass(frozen=True)
class Serial:
    driver: str
    base: int
    baud: int
    tx_pin: str = ""     # e.g. "PG7": GPIO port letter and pin number, for drivers that mux pins
    rx_pin: str = ""
    pin_af: int = -1     # the pins' alternate-function number (0..15)

    def pin(self, which: str) -> tuple[int, int]:
        """(port index A=0, pin number) of ``tx_pin`` or ``rx_pin``."""
        found = _PIN.fullmatch(getattr(self, which))
        return ord(found.group(1)) - ord("A"), int(found.group(2))


@dataclass(frozen=True)
class Timer:
    kind: str
    systick_clksource: int = 1


@dataclass(frozen=True)
class RunnerSpec:
    """How to start the board with one tool; ``options`` are that runner's own keys (checked by the runner)."""

    kind: str
    options: tuple[tuple[str, Any], ...] = ()

    def option(self, key: str, default: Any = None) -> Any:
        return dict(self.options).get(key, default)


NPU_ACCELERATORS = ("ethos-u55-32", "ethos-u55-64", "ethos-u55-128", "ethos-u55-256", "ethos-u65-256",
                    "ethos-u65-512", "ethos-u85-128", "ethos-u85-256", "ethos-u85-512", "ethos-u85-1024",
                    "ethos-u85-2048")


@dataclass(frozen=True)
class Npu:
    """An Ethos-U NPU next to the CPU. hil-bench only estimates it offline with Vela: running on it needs
    Arm's FVP or silicon plus the Ethos-U driver."""

    accelerator: str                     # Vela's --accelerator-config name, e.g. "ethos-u55-128"
    system_config: str = ""              # Vela system config; empty: Vela's default
    memory_mode: str = ""                # Vela memory mode; empty: Vela's default


@dataclass(frozen=True)
class Board:
    name: str
    description: str
    family: str
    cpu: Cpu
    timer: Timer
    runners: tuple[RunnerSpec, ...]
    memory: tuple[MemoryRegion, ...] = ()
    placement: Placement | None = None
    serial: Serial | None = None
    npu: Npu | None = None
    source: Path | None = field(default=None, compare=False)

    @property
    def is_host(self) -> bool:
        return self.family == "host"

    def region(self, name: str) -> MemoryRegion:
        for region in self.memory:
            if region.name == name:
                return region
        raise BoardError(f"board {self.name!r} has no memory region {name!r} "
                         f"(regions: {', '.join(r.name for r in self.memory) or 'none'})")


def _take(table: dict, cls, where: str, **extra):
    """Build dataclass ``cls`` from a TOML table, refusing unknown and missing keys by name."""
    names = {f.name for f in fields(cls)} - set(extra)
    unknown = sorted(set(table) - names)
    if unknown:
        raise BoardError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(names))}")
    required = {f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING}
    missing = sorted(required - set(table) - set(extra))
    if missing:
        raise BoardError(f"{where}: missing key(s) {', '.join(missing)}")
    try:
        return cls(**table, **extra)
    except TypeError as exc:
        raise BoardError(f"{where}: {exc}") from None


def _check_int(value, where: str, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise BoardError(f"{where} must be an integer >= {minimum}, got {value!r}")
    return value


def board_from_dict(data: dict, source: Path | None = None) -> Board:
    """Validate a parsed board file and freeze it; every error names the file and the key."""
    where = str(source) if source else "board"
    data = dict(data)
    for key in ("name", "description", "family", "cpu", "timer", "runner"):
        if key not in data:
            raise BoardError(f"{where}: missing key {key!r}")
    allowed = {"name", "description", "family", "cpu", "timer", "runner", "memory", "placement", "serial", "npu"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise BoardError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")

    cpu_t = dict(data["cpu"])
    cflags = cpu_t.get("cflags", [])
    if not isinstance(cflags, list) or not all(isinstance(f, str) for f in cflags):
        # a string would reach the compiler one character at a time
        raise BoardError(f"{where} [cpu] cflags must be a list of strings, one flag each, e.g. "
                         f"cflags = [\"-mfloat-abi=hard\", \"-mfpu=fpv4-sp-d16\"]; got {cflags!r}")
    cpu_t["cflags"] = tuple(cflags)
    cpu = _take(cpu_t, Cpu, f"{where} [cpu]")
    _check_int(cpu.clock_hz, f"{where} [cpu] clock_hz", 1)
    for key in ("flash_wait_states", "ram_wait_states"):
        if _check_int(getattr(cpu, key), f"{where} [cpu] {key}") > MAX_WAIT_STATES:
            raise BoardError(f"{where} [cpu] {key} = {getattr(cpu, key)} is more than {MAX_WAIT_STATES}; "
                             "give the wait states at clock_hz (e.g. 5 for an STM32L4 at 120 MHz)")
    if cpu.mve not in ("none", "int", "float"):
        raise BoardError(f"{where} [cpu] mve must be none, int or float, got {cpu.mve!r}")

    timer = _take(dict(data["timer"]), Timer, f"{where} [timer]")
    if timer.kind not in TIMER_KINDS:
        raise BoardError(f"{where} [timer] kind {timer.kind!r} unknown; known: {', '.join(TIMER_KINDS)}")

    runners = []
    for i, table in enumerate(data["runner"]):
        table = dict(table)
        kind = table.pop("kind", None)
        if kind not in RUNNERS:
            raise BoardError(f"{where} [[runner]] #{i + 1}: kind {kind!r} unknown; known: {', '.join(RUNNERS)}")
        spec = RunnerSpec(kind, tuple(sorted(table.items())))
        RUNNERS[kind].check_options(spec, f"{where} [[runner]] #{i + 1}")
        runners.append(spec)
    if not runners:
        raise BoardError(f"{where}: at least one [[runner]] is needed")

    memory, placement, serial = (), None, None
    if data["family"] != "host":
        for key in ("memory", "placement", "serial"):
            if key not in data:
                raise BoardError(f"{where}: missing key {key!r} (every target board needs a memory map, "
                                 "a placement and a serial port)")
        memory = tuple(_take(dict(t), MemoryRegion, f"{where} [[memory]] #{i + 1}")
                       for i, t in enumerate(data["memory"]))
        _check_memory(memory, where)
        placement = _take(dict(data["placement"]), Placement, f"{where} [placement]")
        _check_placement(placement, memory, where)
        serial = _take(dict(data["serial"]), Serial, f"{where} [serial]")
        _check_int(serial.base, f"{where} [serial] base")
        _check_int(serial.baud, f"{where} [serial] baud", 1)
        _check_serial(serial, f"{where} [serial]")
    npu = None
    if "npu" in data:
        npu = _take(dict(data["npu"]), Npu, f"{where} [npu]")
        if npu.accelerator not in NPU_ACCELERATORS:
            raise BoardError(f"{where} [npu] accelerator {npu.accelerator!r} unknown; known: "
                             f"{', '.join(NPU_ACCELERATORS)}")
    return Board(name=data["name"], description=data["description"], family=data["family"], cpu=cpu,
                 timer=timer, runners=tuple(runners), memory=memory, placement=placement, serial=serial,
                 npu=npu, source=source)


def _check_serial(serial: Serial, where: str) -> None:
    if serial.driver not in SERIAL_DRIVERS:
        raise BoardError(f"{where} driver {serial.driver!r} unknown; known: {', '.join(SERIAL_DRIVERS)}")
    needs = SERIAL_DRIVERS[serial.driver]
    defaults = {f.name: f.default for f in fields(Serial)}
    given = [k for k in ("tx_pin", "rx_pin", "pin_af") if getattr(serial, k) != defaults[k]]
    missing = [k for k in needs if k not in given]
    if missing:
        raise BoardError(f"{where} driver {serial.driver!r} needs {', '.join(missing)} "
                         '(e.g. tx_pin = "PG7", rx_pin = "PG8", pin_af = 8)')
    extra = [k for k in given if k not in needs]
    if extra:
        raise BoardError(f"{where} driver {serial.driver!r} takes no {', '.join(extra)}")
    for key in ("tx_pin", "rx_pin"):
        value = getattr(serial, key)
        if key in needs and not (isinstance(value, str) and _PIN.fullmatch(value) and int(value[2:]) < 16):
            raise BoardError(f"{where} {key} = {value!r} is not a GPIO pin; write it like \"PG7\" (port A..K, pin 0..15)")
    if "pin_af" in needs and (not isinstance(serial.pin_af, int) or isinstance(serial.pin_af, bool)
                              or not 0 <= serial.pin_af <= 15):
        raise BoardError(f"{where} pin_af = {serial.pin_af!r} must be an alternate-function number 0..15")


def _check_memory(memory: tuple[MemoryRegion, ...], where: str) -> None:
    if not memory:
        raise BoardError(f"{where}: [[memory]] is empty")
    names = set()
    for region in memory:
        if region.name in names:
            raise BoardError(f"{where}: memory region {region.name!r} defined twice")
        names.add(region.name)
        if region.kind not in MEMORY_KINDS:
            raise BoardError(f"{where}: memory {region.name!r} kind {region.kind!r} unknown; "
                             f"known: {', '.join(MEMORY_KINDS)}")
        _check_int(region.origin, f"{where}: memory {region.name!r} origin")
        _check_int(region.size, f"{where}: memory {region.name!r} size", 1)
        if region.end > 1 << 32:
            raise BoardError(f"{where}: memory {region.name!r} ends past 4 GiB (0x{region.end:x})")
    ordered = sorted(memory, key=lambda r: r.origin)
    for a, b in zip(ordered, ordered[1:]):
        if a.end > b.origin:
            raise BoardError(f"{where}: memory regions {a.name!r} and {b.name!r} overlap "
                             f"(0x{a.origin:08x}+0x{a.size:x} vs 0x{b.origin:08x})")


def _check_placement(p: Placement, memory: tuple[MemoryRegion, ...], where: str) -> None:
    by_name = {r.name: r for r in memory}
    for role in ("code", "model", "data", "arena"):
        name = getattr(p, role)
        if name not in by_name:
            raise BoardError(f"{where} [placement] {role} = {name!r} is not a memory region "
                             f"(regions: {', '.join(by_name)})")
    if not by_name[p.code].flash_like:
        raise BoardError(f"{where} [placement] code must go to a code/flash region, {p.code!r} is ram")
    for role in ("data", "arena"):
        if by_name[getattr(p, role)].kind != "ram":
            raise BoardError(f"{where} [placement] {role} must go to a ram region, "
                             f"{getattr(p, role)!r} is {by_name[getattr(p, role)].kind}")
    code = by_name[p.code]
    if p.boot_address != code.origin:
        raise BoardError(f"{where} [placement] boot_address 0x{p.boot_address:08x} must be the start of the "
                         f"code region {code.name!r} (0x{code.origin:08x}): the vector table is linked there")
    _check_int(p.stack_bytes, f"{where} [placement] stack_bytes", 256)


def load_board_file(path: Path) -> Board:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BoardError(f"board file {path} does not exist") from None
    except UnicodeDecodeError as exc:
        raise BoardError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
                         "TOML files are UTF-8: save it as UTF-8") from None
    except OSError as exc:   # a folder named *.toml, no permission
        raise BoardError(f"board file {path} cannot be read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise BoardError(f"{path}: not valid TOML: {exc}") from None
    board = board_from_dict(data, path)
    if board.name != path.stem:
        raise BoardError(f"{path}: name {board.name!r} must match the file name {path.stem!r}")
    return board
