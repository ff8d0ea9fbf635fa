"""Board files load into frozen dataclasses; bad files fail with messages that name the problem."""

import dataclasses

import pytest

from hil_bench.boards import list_boards, load_board, pick_runner
from hil_bench.boards.board import board_from_dict
from hil_bench.errors import BoardError

SHIPPED = {"corstone300", "mps2-an386", "mps2-an500", "mps2-an505", "host"}


def test_shipped_boards_load():
    assert SHIPPED <= set(list_boards())
    for name in SHIPPED:
        board = load_board(name)
        assert board.name == name
        with pytest.raises(dataclasses.FrozenInstanceError):
            board.name = "x"


@pytest.mark.parametrize("name,boot,machine,uart", [
    ("corstone300", 0x0, "mps3-an547", 0x49303000),
    ("mps2-an386", 0x0, "mps2-an386", 0x40004000),
    ("mps2-an500", 0x0, "mps2-an500", 0x40004000),
    ("mps2-an505", 0x10000000, "mps2-an505", 0x50200000),
])
def test_memory_maps_and_runners(name, boot, machine, uart):
    board = load_board(name)
    assert board.placement.boot_address == boot
    assert board.region(board.placement.code).origin == boot
    assert board.serial.base == uart
    qemu = [r for r in board.runners if r.kind == "qemu"]
    assert qemu and qemu[0].option("machine") == machine


def test_corstone300_prefers_fvp_then_qemu():
    kinds = [r.kind for r in load_board("corstone300").runners]
    assert kinds == ["fvp", "qemu"]


def test_unknown_board_lists_known():
    with pytest.raises(BoardError) as err:
        load_board("mps9-an999")
    assert "mps9-an999" in str(err.value) and "corstone300" in str(err.value) and "mps2-an386" in str(err.value)


def _valid():
    return {
        "name": "t", "description": "d", "family": "cmsdk",
        "cpu": {"core": "cortex-m4", "cflags": [], "fpu": "x", "mve": "none", "clock_hz": 1},
        "timer": {"kind": "systick"},
        "runner": [{"kind": "qemu", "machine": "m"}],
        "memory": [{"name": "rom", "origin": 0, "size": 0x1000, "kind": "code"},
                   {"name": "ram", "origin": 0x2000_0000, "size": 0x1000, "kind": "ram"}],
        "placement": {"boot_address": 0, "code": "rom", "model": "rom", "data": "ram", "arena": "ram",
                      "stack_bytes": 1024},
        "serial": {"driver": "cmsdk_uart", "base": 0x4000_4000, "baud": 115200},
    }


def test_valid_dict_loads():
    assert board_from_dict(_valid()).region("ram").size == 0x1000


@pytest.mark.parametrize("mutate,message", [
    (lambda d: d["memory"].append({"name": "x", "origin": 0x800, "size": 0x1000, "kind": "ram"}), "overlap"),
    (lambda d: d["placement"].update(arena="nowhere"), "not a memory region"),
    (lambda d: d["placement"].update(data="rom"), "must go to a ram region"),
    (lambda d: d["placement"].update(boot_address=0x100), "boot_address"),
    (lambda d: d["cpu"].update(clokc_hz=3), "unknown key(s) clokc_hz"),
    (lambda d: d.pop("serial"), "missing key 'serial'"),
    (lambda d: d["runner"].append({"kind": "jtag"}), "kind 'jtag' unknown"),
    (lambda d: d["memory"][0].update(kind="eeprom"), "kind 'eeprom' unknown"),
    (lambda d: d["memory"][0].update(size=-1), "size must be an integer"),
    (lambda d: d["timer"].update(kind="rtc"), "kind 'rtc' unknown"),
])
def test_invalid_boards_are_refused(mutate, message):
    data = _valid()
    mutate(data)
    with pytest.raises(BoardError) as err:
        board_from_dict(data)
    assert message in str(err.value)


def test_file_name_must_match(tmp_path, monkeypatch):
    (tmp_path / "other.toml").write_text('name = "t"\ndescription = "d"\nfamily = "host"\n'
                                         '[cpu]\ncore = "h"\nfpu = "h"\nmve = "none"\nclock_hz = 1\n'
                                         '[timer]\nkind = "wallclock"\n[[runner]]\nkind = "host"\n')
    monkeypatch.setenv("HIL_BENCH_BOARDS", str(tmp_path))
    with pytest.raises(BoardError, match="must match the file name"):
        load_board("other")


def test_bad_toml_names_file(tmp_path, monkeypatch):
    (tmp_path / "bad.toml").write_text("name = [")
    monkeypatch.setenv("HIL_BENCH_BOARDS", str(tmp_path))
    with pytest.raises(BoardError, match="bad.toml: not valid TOML"):
        load_board("bad")


def test_pick_runner_skips_missing_fvp(monkeypatch):
    import shutil

    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda n: None if n.startswith("FVP_") else real(n))
    spec = pick_runner(load_board("corstone300"))
    assert spec.kind == ("qemu" if real("qemu-system-arm") else spec.kind)
