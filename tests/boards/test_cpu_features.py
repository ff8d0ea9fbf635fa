"""A board's cflags must give the CPU features its file declares ([cpu] mve, fpu), checked with the
compiler's own predefined macros before anything is built."""

import dataclasses
import shutil

import pytest

from hil_bench.boards import list_boards, load_board
from hil_bench.errors import BoardError
from hil_bench.firmware import build_firmware
from hil_bench.firmware.build import CC
from hil_bench.firmware.features import check_cpu_features

pytestmark = pytest.mark.skipif(shutil.which(CC) is None, reason=f"needs {CC} (make install)")


@pytest.mark.parametrize("name", [b for b in list_boards() if not load_board(b).is_host])
def test_shipped_boards_declare_what_their_flags_give(name):
    board = load_board(name)
    check_cpu_features(board, CC, (*board.cpu.cflags, "-mthumb"))


def _with_cpu(board, **changes):
    return dataclasses.replace(board, cpu=dataclasses.replace(board.cpu, **changes))


def test_mve_declared_but_not_in_the_flags_fails_naming_the_file():
    board = _with_cpu(load_board("corstone300"), cflags=("-mcpu=cortex-m55+nomve", "-mfloat-abi=hard"))
    with pytest.raises(BoardError) as err:
        build_firmware(board, None)
    text = str(err.value)
    assert "corstone300.toml" in text and "mve = 'int'" in text and "'none'" in text


def test_mve_flags_on_a_board_that_declares_none():
    board = _with_cpu(load_board("corstone300"), mve="none")
    with pytest.raises(BoardError, match="mve = 'none' but the flags give MVE 'int'"):
        check_cpu_features(board, CC, (*board.cpu.cflags, "-mthumb"))


def test_fpu_declared_but_soft_float_flags():
    board = _with_cpu(load_board("mps2-an386"), cflags=("-mcpu=cortex-m4", "-mfloat-abi=soft"))
    with pytest.raises(BoardError, match="fpu = 'fpv4-sp-d16' but the flags give no FPU"):
        check_cpu_features(board, CC, (*board.cpu.cflags, "-mthumb"))


def test_double_precision_declared_but_single_given():
    board = _with_cpu(load_board("mps2-an500"), cflags=("-mcpu=cortex-m7", "-mfpu=fpv5-sp-d16",
                                                        "-mfloat-abi=hard"))
    with pytest.raises(BoardError, match="single-precision FPU"):
        check_cpu_features(board, CC, (*board.cpu.cflags, "-mthumb"))
