"""NUCLEO-L4R5ZI, a real board that cannot run here: its firmware builds warning-free, lies in the STM32L4R5
memory map, boots from a valid vector table, sizes without pyOCD, and pokes the documented registers."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from hil_bench.boards import load_board
from hil_bench.boards.board import board_from_dict
from hil_bench.errors import BoardError
from hil_bench.firmware.build import CC, OPT_FLAGS
from hil_bench.firmware.config import board_config_header
from hil_bench.resources import firmware_dir

pytestmark = pytest.mark.skipif(shutil.which(CC) is None, reason="needs arm-none-eabi-gcc")

BOARD = "nucleo-l4r5zi"
KWS = Path(__file__).resolve().parents[1] / "fixtures" / "mlperf_tiny" / "kws_ref_model.tflite"
FW = firmware_dir()
FAMILY = FW / "bsp" / "stm32l4"
FLASH = (0x0800_0000, 2 * 1024 * 1024)     # RM0432 / stm32l4r5xx.h: FLASH_BASE, 2 MiB
SRAM = (0x2000_0000, 640 * 1024)           # SRAM1 192 KiB + SRAM2 64 KiB (at 0x20030000) + SRAM3 384 KiB

# Documented addresses (ST's CMSIS device header stm32l4r5xx.h, peripheral memory map and register
# structs, cross-checked with RM0432 and the Armv7-M ARM for the core's DWT/DEMCR).
REFERENCE = {
    "RCC_CR": 0x4002_1000, "RCC_CFGR": 0x4002_1008, "RCC_PLLCFGR": 0x4002_100C, "RCC_AHB2ENR": 0x4002_104C,
    "RCC_APB1ENR1": 0x4002_1058, "RCC_APB1ENR2": 0x4002_105C,
    "PWR_CR2": 0x4000_7004, "PWR_SR2": 0x4000_7014, "PWR_CR5": 0x4000_7080,
    "FLASH_ACR": 0x4002_2000,
    "GPIO_MODER(6)": 0x4800_1800, "GPIO_OSPEEDR(6)": 0x4800_1808, "GPIO_PUPDR(6)": 0x4800_180C,
    "GPIO_AFR(6, 7)": 0x4800_1820, "GPIO_AFR(6, 8)": 0x4800_1824,
    "HB_UART_BASE + LPUART_BRR_OFF": 0x4000_800C, "HB_UART_BASE + LPUART_ISR_OFF": 0x4000_801C,
    "HB_UART_BASE + LPUART_ICR_OFF": 0x4000_8020, "HB_UART_BASE + LPUART_RDR_OFF": 0x4000_8024,
    "HB_UART_BASE + LPUART_TDR_OFF": 0x4000_8028,
}
REFERENCE_BITS = {
    "RCC_CR_PLLON": 1 << 24, "RCC_CR_PLLRDY": 1 << 25, "RCC_PLLCFGR_REN": 1 << 24,
    "RCC_AHB2ENR_GPIO(6)": 1 << 6, "RCC_APB1ENR1_PWREN": 1 << 28, "RCC_APB1ENR2_LPUART1EN": 1 << 0,
    "PWR_CR2_IOSV": 1 << 9, "PWR_SR2_VOSF": 1 << 10, "PWR_CR5_R1MODE": 1 << 8,
    "FLASH_ACR_ICEN": 1 << 9, "FLASH_ACR_DCEN": 1 << 10,
    "LPUART_ISR_RXNE": 1 << 5, "LPUART_ISR_TXE": 1 << 7, "LPUART_ISR_ORE": 1 << 3,
    "LPUART_ISR_TEACK": 1 << 21, "LPUART_ISR_REACK": 1 << 22,
}
DWT_REFERENCE = {"DEMCR": 0xE000_EDFC, "DWT_CTRL": 0xE000_1000, "DWT_CYCCNT": 0xE000_1004}


@pytest.fixture(scope="module")
def image():
    """The kws firmware exactly as `hil-bench size` builds it (same cache key), without pyOCD."""
    from hil_bench.compress.model import compress_model
    from hil_bench.firmware.features import board_kernel_path
    from hil_bench.firmware.runner_image import build_image

    board = load_board(BOARD)
    model = compress_model(KWS.read_bytes(), "auto", path=board_kernel_path(board)).model
    return build_image(board, model, installed_only=False)[0]


def _config(tmp: Path, **cpu_or_serial) -> Path:
    """hb_board_config.h of the board with some [cpu]/[serial] values changed, in ``tmp``."""
    board = load_board(BOARD)
    cpu = dataclasses.replace(board.cpu, **{k: v for k, v in cpu_or_serial.items() if k == "clock_hz"})
    serial = dataclasses.replace(board.serial, **{k: v for k, v in cpu_or_serial.items() if k == "baud"})
    board = dataclasses.replace(board, cpu=cpu, serial=serial)
    (tmp / "hb_board_config.h").write_text(board_config_header(board, arena_bytes=1024, db_buffer_bytes=1024,
                                                               semihosting=False, image_kind="model"))
    return tmp


def _compile(src: Path, include: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    board = load_board(BOARD)
    cmd = [CC, *board.cpu.cflags, "-mthumb", *OPT_FLAGS, "-Wextra", "-Werror", *extra,
           f"-I{include}", f"-I{FW / 'bsp' / 'include'}", f"-I{FW / 'bsp' / 'cortex_m'}", f"-I{FAMILY}",
           f"-I{FW / 'app'}", f"-I{FW / 'runtime' / 'include'}", "-c", str(src), "-o", str(out)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _literals(obj: Path) -> set[int]:
    """The 32-bit words an object's code loads from its literal pools."""
    text = subprocess.run(["arm-none-eabi-objdump", "-d", str(obj)], capture_output=True, text=True,
                          timeout=60).stdout
    return {int(w, 16) for w in re.findall(r"^\s+[0-9a-f]+:\s+([0-9a-f]{8})\s+\.word", text, re.M)}


def test_board_file_describes_the_stm32l4r5():
    board = load_board(BOARD)
    assert board.family == "stm32l4" and board.cpu.core == "cortex-m4" and board.cpu.fpu == "fpv4-sp-d16"
    assert [(r.name, r.origin, r.size, r.kind) for r in board.memory] == [
        ("flash", *FLASH, "code"), ("sram", *SRAM, "ram")]
    assert board.placement.boot_address == FLASH[0]
    assert (board.serial.driver, board.serial.base) == ("stm32_lpuart", 0x4000_8000)
    assert (board.serial.tx_pin, board.serial.rx_pin, board.serial.pin_af) == ("PG7", "PG8", 8)
    assert board.timer.kind == "dwt" and board.cpu.clock_hz == 120_000_000
    assert [(r.kind, r.option("target")) for r in board.runners] == [("pyocd", "stm32l4r5zitx")]


def test_firmware_builds_warning_free(image, tmp_path):
    """The board-dependent sources (generic Cortex-M and stm32l4 BSP, app, the model array) compiled once
    more with the build's flags plus -Wextra -Werror against the image's own config header. The runtime
    does not see the board; it is built -Werror for cortex-m4 in tests/runtime/test_builds.py."""
    work = image.elf.parent
    sources = [*sorted((FW / "bsp" / "cortex_m").glob("*.c")), *sorted(FAMILY.glob("*.c")),
               *(p for p in sorted((FW / "app").glob("*.c")) if p.name != "model_none.c"), work / "model_data.c"]
    assert len(list(FAMILY.glob("*.c"))) >= 4
    for src in sources:
        proc = _compile(src, work, tmp_path / f"{src.stem}.o")
        assert proc.returncode == 0, f"{src}:\n{proc.stderr}"


def test_sections_lie_in_the_stm32l4r5_memory_map(image):
    from elftools.elf.elffile import ELFFile

    flash_end, sram_end = FLASH[0] + FLASH[1], SRAM[0] + SRAM[1]
    with open(image.elf, "rb") as fh:
        elf = ELFFile(fh)
        sections = {s.name: (s["sh_addr"], s["sh_size"], s["sh_type"]) for s in elf.iter_sections()
                    if s["sh_flags"] & 0x2 and s["sh_size"]}
        loads = [(seg["p_paddr"], seg["p_filesz"]) for seg in elf.iter_segments()
                 if seg["p_type"] == "PT_LOAD" and seg["p_filesz"]]
    for name in (".vectors", ".text", ".hb_model", ".rodata"):
        addr, size, _ = sections[name]
        assert FLASH[0] <= addr and addr + size <= flash_end, name
    for name in (".data", ".bss", ".hb_arena", ".stack"):
        addr, size, _ = sections[name]
        assert SRAM[0] <= addr and addr + size <= sram_end, name
    # What pyOCD writes (loadable bytes at their load address) goes to flash only, .data's image included.
    assert loads and all(FLASH[0] <= a and a + n <= flash_end for a, n in loads)
    assert sections[".vectors"][0] == FLASH[0]
    mem = (image.elf.parent / "firmware.map").read_text()
    assert re.search(r"^flash\s+0x0*08000000\s+0x0*00200000\s+xr", mem, re.M)
    assert re.search(r"^sram\s+0x0*20000000\s+0x0*000a0000\s+xrw", mem, re.M)


def test_vector_table_boots_from_flash(image):
    from elftools.elf.elffile import ELFFile

    with open(image.elf, "rb") as fh:
        elf = ELFFile(fh)
        vectors = elf.get_section_by_name(".vectors").data()
        syms = {s.name: s["st_value"] for s in elf.get_section_by_name(".symtab").iter_symbols()}
    sp, reset = int.from_bytes(vectors[0:4], "little"), int.from_bytes(vectors[4:8], "little")
    assert SRAM[0] < sp <= SRAM[0] + SRAM[1] and sp % 8 == 0 and sp == syms["__stack_top"]
    assert reset & 1 == 1, "reset vector must have the Thumb bit"
    assert reset & ~1 == syms["Reset_Handler"] & ~1 and FLASH[0] < reset < FLASH[0] + FLASH[1]
    assert syms["hb_vectors"] == FLASH[0]
    # Faults are reported over the LPUART by the generic handlers (cortex_m/fault.c), and the DWT fold
    # runs from SysTick: their entries must be those handlers, in Thumb state.
    for index, handler in ((3, "HardFault_Handler"), (4, "MemManage_Handler"), (5, "BusFault_Handler"),
                           (6, "UsageFault_Handler"), (15, "SysTick_Handler")):
        entry = int.from_bytes(vectors[4 * index:4 * index + 4], "little")
        assert entry == syms[handler] | 1, handler


def test_size_json_reports_flash_and_ram_without_pyocd(image, capsys):
    from hil_bench.cli.main import main

    assert main(["size", str(KWS), "--board", BOARD, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["board"] == BOARD and report["fits"] is True
    assert report["flash_bytes"] == image.sizes.flash_bytes and report["ram_reserved_bytes"] == image.sizes.ram_bytes
    assert 0 < report["flash_bytes"] <= FLASH[1] and 0 < report["ram_reserved_bytes"] <= SRAM[1]
    assert report["regions"]["flash"]["size"] == FLASH[1] and report["regions"]["sram"]["size"] == SRAM[1]


def test_register_addresses_match_the_reference(tmp_path):
    """Expand the BSP's register macros with the preprocessor (HB_REG(addr) -> addr) and compare."""
    names = {**REFERENCE, **REFERENCE_BITS}
    probe = tmp_path / "probe.c"
    probe.write_text('#include "hb_board_config.h"\n#include "stm32l4_regs.h"\n#undef HB_REG\n#define HB_REG(a) (a)\n'
                     + "".join(f"@{i}@ {expr}\n" for i, expr in enumerate(names)))
    out = subprocess.run([CC, "-E", "-P", f"-I{_config(tmp_path)}", f"-I{FAMILY}", str(probe)],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    values = {}
    for line in out.splitlines():
        found = re.fullmatch(r"@(\d+)@ (.*)", line.strip())
        if found:
            expr = re.sub(r"(0x[0-9A-Fa-f]+|\d+)[uU]?[lL]*", r"\1", found.group(2))
            assert re.fullmatch(r"[0-9A-Fa-fx()+*<> ]+", expr), expr
            values[list(names)[int(found.group(1))]] = eval(expr, {"__builtins__": {}})  # digits and operators only
    assert values == names
    timer = (FW / "bsp" / "cortex_m" / "timer_systick.c").read_text()
    dwt = dict(re.findall(r"#define (DEMCR|DWT_CTRL|DWT_CYCCNT) \(\*\(volatile uint32_t \*\)(0x[0-9A-Fa-f]+)u\)", timer))
    assert {k: int(v, 16) for k, v in dwt.items()} == DWT_REFERENCE


@pytest.mark.parametrize("clock_hz, pllcfgr, latency", [
    (120_000_000, 0x0100_3C01, 5),   # MSI 4 MHz, M=1, N=60, R=2, PLLREN: the ST template's 120 MHz set-up
    (80_000_000, 0x0100_2801, 3),    # N=40, no boost
])
def test_clock_setup_follows_clock_hz(tmp_path, clock_hz, pllcfgr, latency):
    obj = tmp_path / "clock.o"
    proc = _compile(FAMILY / "clock.c", _config(tmp_path, clock_hz=clock_hz), obj)
    assert proc.returncode == 0, proc.stderr
    assert pllcfgr in _literals(obj)
    dis = subprocess.run(["arm-none-eabi-objdump", "-d", str(obj)], capture_output=True, text=True).stdout
    assert re.search(rf"cmp\s+r\d+, #{latency}\b", dis), "flash latency read-back"
    boost = re.search(r"bic\.w\s+r\d+, r\d+, #256\b", dis)       # PWR_CR5 &= ~R1MODE (bit 8)
    assert bool(boost) == (clock_hz > 80_000_000), "range 1 boost mode only above 80 MHz"


@pytest.mark.parametrize("change, message", [
    ({"clock_hz": 50_500_000}, "clock_hz must be"),
    ({"clock_hz": 130_000_000}, "clock_hz must be"),
    ({"baud": 9600}, "baud is out of the LPUART"),   # 256 * 120 MHz / 9600 > 0xFFFFF
])
def test_unreachable_clock_or_baud_is_a_build_error(tmp_path, change, message):
    src = FAMILY / ("uart_lpuart.c" if "baud" in change else "clock.c")
    proc = _compile(src, _config(tmp_path, **change), tmp_path / "x.o")
    assert proc.returncode != 0 and message in proc.stderr


def test_lpuart_divider_for_115200_at_120_mhz(tmp_path):
    obj = tmp_path / "uart.o"
    assert _compile(FAMILY / "uart_lpuart.c", _config(tmp_path), obj).returncode == 0
    assert round(256 * 120_000_000 / 115200) == 0x411AB and 0x411AB in _literals(obj)


def _board_dict(**serial) -> dict:
    import tomllib

    data = tomllib.loads(load_board(BOARD).source.read_text())
    data["serial"] = {"driver": "stm32_lpuart", "base": 0x4000_8000, "baud": 115200, **serial}
    return data


@pytest.mark.parametrize("serial, message", [
    ({}, "needs tx_pin, rx_pin, pin_af"),
    ({"tx_pin": "PG7", "rx_pin": "PZ8", "pin_af": 8}, "rx_pin = 'PZ8' is not a GPIO pin"),
    ({"tx_pin": "PG7", "rx_pin": "PG16", "pin_af": 8}, "rx_pin = 'PG16' is not a GPIO pin"),
    ({"tx_pin": "PG7", "rx_pin": "PG8", "pin_af": 16}, "pin_af = 16 must be"),
    ({"driver": "cmsdk_uart", "tx_pin": "PG7"}, "takes no tx_pin"),
    ({"driver": "pl011"}, "unknown; known: cmsdk_uart, stm32_lpuart"),
])
def test_serial_pins_are_checked(serial, message):
    with pytest.raises(BoardError, match=re.escape(message)):
        board_from_dict(_board_dict(**serial))


def test_boards_says_why_it_cannot_run_here(monkeypatch, capsys):
    """No pyOCD: says so with the install command; pyOCD but no board on USB: says that instead."""
    import importlib.util

    from hil_bench.cli.main import main

    real_find_spec = importlib.util.find_spec

    def reasons(pyocd_installed: bool, ports: list) -> list[str]:
        monkeypatch.setattr(importlib.util, "find_spec",
                            lambda name, *a: (object() if pyocd_installed else None) if name == "pyocd"
                            else real_find_spec(name, *a))
        monkeypatch.setattr("serial.tools.list_ports.comports", lambda: ports)
        assert main(["boards", "--json"]) == 0
        row = next(r for r in json.loads(capsys.readouterr().out) if r["board"] == BOARD)
        return [r.get("reason", "available") for r in row["runners"]]

    assert reasons(False, []) == ["pyocd is not installed; install it with: pip install pyocd"]
    assert reasons(True, []) == ["no serial port with USB id 0483:374b is connected; connect the board's debug USB port"]
    stlink = type("Port", (), {"device": "/dev/ttyACM0", "vid": 0x0483, "pid": 0x374B})()
    assert reasons(True, [stlink]) == ["available"]


def test_pyocd_holds_the_core_until_the_link_is_open(monkeypatch, tmp_path):
    """pyOCD faked at its API edge: flash, halt at reset, return the port; run only once the link is open."""
    import sys
    import types

    from hil_bench.boards.pyocd import PyocdRunner

    calls: list[str] = []

    class Target:
        def reset_and_halt(self):
            calls.append("reset_and_halt")

        def resume(self):
            calls.append("resume")

    class Session:
        board = types.SimpleNamespace(target=Target())

        def open(self):
            calls.append("open")

        def close(self):
            calls.append("close")

    class ConnectHelper:
        @staticmethod
        def session_with_chosen_probe(**kwargs):
            calls.append(f"probe target={kwargs['target_override']}")
            return Session()

    class FileProgrammer:
        def __init__(self, session):
            pass

        def program(self, path):
            calls.append(f"program {Path(path).name}")

    modules = {"pyocd": types.ModuleType("pyocd"), "pyocd.core": types.ModuleType("pyocd.core"),
               "pyocd.core.helpers": types.ModuleType("pyocd.core.helpers"),
               "pyocd.flash": types.ModuleType("pyocd.flash"),
               "pyocd.flash.file_programmer": types.ModuleType("pyocd.flash.file_programmer")}
    modules["pyocd.core.helpers"].ConnectHelper = ConnectHelper
    modules["pyocd.flash.file_programmer"].FileProgrammer = FileProgrammer
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    stlink = type("Port", (), {"device": "/dev/ttyACM7", "vid": 0x0483, "pid": 0x374B})()
    monkeypatch.setattr("serial.tools.list_ports.comports", lambda: [stlink])

    board = load_board(BOARD)
    runner = PyocdRunner(board, tmp_path / "firmware.elf", board.runners[0])
    assert runner.start() == "/dev/ttyACM7"
    assert calls == ["probe target=stm32l4r5zitx", "open", "program firmware.elf", "reset_and_halt"]
    runner.link_ready()
    assert calls[4:] == ["resume", "close"]
    runner.stop()
    assert calls[6:] == [] and not runner.alive()
