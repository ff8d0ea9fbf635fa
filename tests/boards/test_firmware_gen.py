"""Linker script and config header are generated from the board data; misfits are refused up front."""

import re

import pytest

from hil_bench.boards import load_board
from hil_bench.errors import DoesNotFitError
from hil_bench.firmware.config import board_config_header
from hil_bench.firmware.linker import linker_script
from hil_bench.firmware.sizes import check_fits


@pytest.mark.parametrize("name", ["corstone300", "mps2-an386", "mps2-an500", "mps2-an505"])
def test_linker_script_follows_board(name):
    board = load_board(name)
    ld = linker_script(board)
    for r in board.memory:
        assert re.search(rf"^\s+{re.escape(r.name)} \(r\w+\) : ORIGIN = 0x{r.origin:08x}, LENGTH = 0x{r.size:x}$", ld, re.M)
    p = board.placement
    assert f".vectors 0x{p.boot_address:08x} :" in ld
    assert re.search(rf"__hb_model_end = \.;\s+\}} > {p.model}\b", ld)
    assert re.search(rf"KEEP\(\*\(\.hb_arena\)\)\s+\}} > {p.arena}\b", ld)
    assert f"> {p.data} AT > {p.code}" in ld
    assert f". += 0x{p.stack_bytes:x};" in ld


def test_config_header_has_board_numbers():
    board = load_board("mps2-an505")
    h = board_config_header(board, arena_bytes=1234, db_buffer_bytes=4096, semihosting=True, image_kind="model")
    assert "#define HB_UART_BASE 0x50200000u" in h
    assert "#define HB_CLOCK_HZ 20000000u" in h
    assert "#define HB_ARENA_SIZE 1234u" in h
    assert "#define HB_SEMIHOSTING 1" in h


def test_model_too_big_names_region_and_numbers():
    board = load_board("mps2-an386")
    with pytest.raises(DoesNotFitError) as err:
        check_fits(board, model_bytes=5 * 1024 * 1024, arena_bytes=1024, stack_bytes=1024)
    msg = str(err.value)
    assert "'ssram1'" in msg and "5,242,880" in msg and "4,194,304" in msg and "over by 1,048,576" in msg


def test_arena_too_big():
    board = load_board("corstone300")
    with pytest.raises(DoesNotFitError, match="arena .* region 'isram'"):
        check_fits(board, model_bytes=10, arena_bytes=8 * 1024 * 1024, stack_bytes=1024)


def test_fits():
    check_fits(load_board("corstone300"), model_bytes=100_000, arena_bytes=200_000, stack_bytes=16384)
