"""Runners as data: one registry keyed by kind; each class declares typed options, simulator or not,
available() with the reason, and alive(). Board files are checked against the declarations."""

import copy

import pytest

from hil_bench.boards import load_board, pick_runner
from hil_bench.boards.board import RunnerSpec, board_from_dict
from hil_bench.boards.runner import Runner
from hil_bench.boards.runners import RUNNERS, runner_class
from hil_bench.errors import BoardError, ToolMissingError

from .test_board import _valid


def test_registry_holds_every_kind_and_each_declares_itself():
    assert set(RUNNERS) == {"qemu", "fvp", "pyocd", "host", "labgrid"}
    for kind, cls in RUNNERS.items():
        assert issubclass(cls, Runner) and cls.kind == kind
        assert all(o.type in (str, list) for o in cls.options)
        assert not cls.__abstractmethods__, f"{kind} leaves {sorted(cls.__abstractmethods__)} unimplemented"
    assert {"alive", "available", "start", "stop"} <= Runner.__abstractmethods__
    assert RUNNERS["qemu"].simulator and RUNNERS["fvp"].simulator and not RUNNERS["pyocd"].simulator
    assert not RUNNERS["labgrid"].simulator   # a place is never started just to size a model
    assert not RUNNERS["host"].starts_image


def test_unknown_kind_names_the_known_ones():
    with pytest.raises(BoardError, match="known: qemu, fvp, pyocd, host"):
        runner_class("jtag")


@pytest.mark.parametrize("runner, message", [
    ({"kind": "qemu"}, "the qemu runner needs machine"),
    ({"kind": "qemu", "machine": 3}, "option machine must be a non-empty str, got 3"),
    ({"kind": "qemu", "machine": "m", "memory": "1G"}, "unknown qemu runner option(s) ['memory']"),
    ({"kind": "fvp", "executable": "F", "extra": "-x"}, "option extra must be a non-empty list"),
    ({"kind": "pyocd", "target": "t"}, "needs serial"),
])
def test_board_file_runner_options_are_checked_on_load(runner, message):
    data = copy.deepcopy(_valid())
    data["runner"] = [runner]
    with pytest.raises(BoardError) as err:
        board_from_dict(data)
    assert message in str(err.value) and "[[runner]] #1" in str(err.value)


def test_available_says_why_not(monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    found = RUNNERS["qemu"].available(RunnerSpec("qemu", (("machine", "m"),)))
    assert not found and "apt-get install qemu-system-arm" in found.reason
    fvp = RUNNERS["fvp"].available(RunnerSpec("fvp", (("executable", "FVP_X"),)))
    assert not fvp and "FVP_X is not on PATH" in fvp.reason


def test_no_runner_here_lists_each_reason(monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ToolMissingError) as err:
        pick_runner(load_board("corstone300"))
    assert "fvp: FVP_Corstone_SSE-300_Ethos-U55 is not on PATH" in str(err.value)
    assert "qemu: qemu-system-arm not found" in str(err.value)
    with pytest.raises(ToolMissingError, match="FVP_Corstone_SSE-300_Ethos-U55 is not on PATH") as err:
        pick_runner(load_board("corstone300"), "fvp")
    assert "qemu" not in str(err.value)
