"""Each board states its clock and wait states (the cycle model's inputs); `boards` shows them."""

import json
from pathlib import Path

import pytest

from hil_bench.boards import load_board
from hil_bench.boards.board import board_from_dict
from hil_bench.cli import main as cli_main
from hil_bench.errors import BoardError
from tests.boards.test_board import _valid

# Board documentation: QEMU's machine clocks for the FPGA images (hw/arm/mps2.c, mps2-tz.c, mps3 an547),
# RM0432's wait-state table for the STM32L4R5 at 120 MHz.
EXPECTED = {"corstone300": (32_000_000, 0, 0), "mps2-an386": (25_000_000, 0, 0), "mps2-an500": (25_000_000, 0, 0),
            "mps2-an505": (20_000_000, 0, 0), "nucleo-l4r5zi": (120_000_000, 5, 0)}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_board_clock_and_wait_states(name):
    cpu = load_board(name).cpu
    assert (cpu.clock_hz, cpu.flash_wait_states, cpu.ram_wait_states) == EXPECTED[name]


def test_nucleo_wait_states_match_what_its_clock_setup_programs():
    cpu = load_board("nucleo-l4r5zi").cpu
    assert cpu.flash_wait_states == (cpu.clock_hz - 1) // 20_000_000   # firmware/bsp/stm32l4/clock.c


@pytest.mark.parametrize("value", [-1, 16, 2.5, True])
def test_wait_states_out_of_range_are_refused(value):
    data = _valid()
    data["cpu"]["flash_wait_states"] = value
    with pytest.raises(BoardError, match="flash_wait_states"):
        board_from_dict(data)


def test_boards_shows_clock_kernels_and_timing_source(capsys):
    assert cli_main.main(["boards", "--json"]) == 0
    rows = {r["board"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["corstone300"]["clock_hz"] == 32_000_000
    assert rows["corstone300"]["timing_source"] in ("qemu-icount-instructions", "fvp")
    assert rows["nucleo-l4r5zi"]["timing_source"] == "dwt-cycles"
    assert rows["nucleo-l4r5zi"]["flash_wait_states"] == 5
    assert cli_main.main(["boards"]) == 0
    text = capsys.readouterr().out
    assert "timing source" in text and "120 MHz, flash 5 WS" in text and "dwt-cycles" in text


def test_images_for_instruction_counting_runners_say_so():
    """The MLPerf timestamps' time base follows the runner: QEMU's SysTick counts instructions."""
    from hil_bench.boards.runners import runner_class
    from hil_bench.firmware.config import board_config_header

    board = load_board("corstone300")
    kinds = {s.kind: runner_class(s.kind).ticks_count_instructions(s) for s in board.runners}
    assert kinds == {"fvp": False, "qemu": True}
    from hil_bench.boards.board import load_board_file

    farm = load_board_file(Path(__file__).resolve().parents[2] / "boards" / "examples" / "labgrid" / "corstone300.toml")
    assert [runner_class(s.kind).ticks_count_instructions(s) for s in farm.runners if s.kind == "labgrid"] == [True]
    nucleo = load_board("nucleo-l4r5zi")
    assert not runner_class("pyocd").ticks_count_instructions(nucleo.runners[0])
    header = board_config_header(board, arena_bytes=1024, db_buffer_bytes=1024, semihosting=True,
                                 image_kind="model", instruction_ticks=True)
    assert "#define HB_TIMER_COUNTS_INSTRUCTIONS 1" in header
    assert "#define HB_TIMER_COUNTS_INSTRUCTIONS 0" in board_config_header(
        nucleo, arena_bytes=1024, db_buffer_bytes=1024, semihosting=False, image_kind="model")
