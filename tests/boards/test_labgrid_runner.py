"""The labgrid runner as data (no coordinator): options checked on load, timing and semihosting taken
from the kind behind the place, and labgrid-client's failures turned into messages that say what to do.
The runner against a real coordinator and exporter: tests/hil/test_labgrid.py."""

import copy

import pytest

from hil_bench.boards import load_board
from hil_bench.boards.board import RunnerSpec, board_from_dict
from hil_bench.boards.labgrid import LabgridClient, LabgridRunner
from hil_bench.errors import BoardError

from .test_board import _valid


def _spec(behind):
    return RunnerSpec("labgrid", (("behind", behind), ("place", "p1")))


@pytest.mark.parametrize("runner, message", [
    ({"kind": "labgrid", "behind": "qemu"}, "the labgrid runner needs place"),
    ({"kind": "labgrid", "place": "p1", "behind": "fvp"}, "behind must be one of qemu, pyocd, got 'fvp'"),
])
def test_board_file_options_are_checked(runner, message):
    data = copy.deepcopy(_valid())
    data["runner"] = [runner]
    with pytest.raises(BoardError, match=message):
        board_from_dict(data)


@pytest.mark.parametrize("behind, semihosting, source, unit, ticks", [
    ("qemu", True, "qemu-icount-instructions", "instructions", 31.25),   # 1 tick at 32 MHz = 31.25 ns
    ("pyocd", False, "dwt-cycles", "cycles", 1.0),
])
def test_timing_and_semihosting_follow_what_is_behind_the_place(tmp_path, behind, semihosting, source, unit, ticks):
    board = load_board("corstone300")
    runner = LabgridRunner(board, tmp_path / "firmware.elf", _spec(behind))
    assert LabgridRunner.semihosting(_spec(behind)) is semihosting and not LabgridRunner.simulator
    assert (runner.timing_source, runner.timing_unit) == (source, unit)
    assert runner.ticks_to_unit(1, board.cpu.clock_hz) == ticks
    assert not runner.alive() and runner.wait_exit(0) is None


@pytest.mark.parametrize("output, message", [
    ("ERROR root: coordinator is unavailable\nServer error: Error: Could not connect to coordinator",
     "cannot reach the labgrid coordinator at 127.0.0.1:1: is labgrid-coordinator running there?"),
    ("labgrid-client: Error: Place p1 is already acquired by lab/alice. To work simultaneously, ...",
     "labgrid place 'p1' is taken by lab/alice; wait until it is released"),
    ("labgrid-client: Error: You have already acquired place p1.",
     "already acquired by you (an earlier run that was killed?); release it with: labgrid-client -x 127.0.0.1:1"),
    ("labgrid-client: Error: place pattern p1 matches nothing", "labgrid place 'p1' is unknown to the coordinator"),
    ("labgrid-client: Error: something new", "labgrid-client acquire for place 'p1' failed: labgrid-client: Error: "
                                             "something new"),
])
def test_client_failures_say_what_to_do(output, message):
    assert message in str(LabgridClient("p1", "127.0.0.1:1")._error("acquire", output))
