"""A user's own board folders add to the built-in boards (``--boards-dir``, ``$HIL_BENCH_BOARDS``); a user
board named like a built-in one overrides it and ``hil-bench boards`` says so."""

import json

import pytest

import hil_bench.boards as boards
from hil_bench.boards import board_files, list_boards, load_board
from hil_bench.cli.main import main
from hil_bench.errors import BoardError
from hil_bench.resources import builtin_boards_dir


@pytest.fixture(autouse=True)
def no_added_dirs(monkeypatch):
    monkeypatch.setattr(boards, "_added_dirs", [])
    monkeypatch.delenv("HIL_BENCH_BOARDS", raising=False)


def _copy(name, folder, description):
    text = (builtin_boards_dir() / "mps2-an386.toml").read_text()
    text = text.replace('name = "mps2-an386"', f'name = "{name}"')
    text = "\n".join(f'description = "{description}"' if line.startswith("description =") else line
                     for line in text.splitlines())
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.toml").write_text(text + "\n")


def test_user_boards_add_to_the_built_in_ones(tmp_path, monkeypatch):
    _copy("my-m4", tmp_path / "a", "mine")
    monkeypatch.setenv("HIL_BENCH_BOARDS", str(tmp_path / "a"))
    assert "my-m4" in list_boards() and "corstone300" in list_boards()
    assert load_board("my-m4").description == "mine"
    assert not board_files()["my-m4"].builtin and board_files()["corstone300"].builtin


def test_a_user_board_overrides_a_built_in_one_and_boards_says_so(tmp_path, monkeypatch, capsys):
    _copy("mps2-an386", tmp_path / "a", "my own an386")
    assert main(["boards", "--boards-dir", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    assert "my own an386" in out
    assert f"note: board 'mps2-an386' from {tmp_path / 'a' / 'mps2-an386.toml'} overrides " \
           f"{builtin_boards_dir() / 'mps2-an386.toml'}" in out
    assert load_board("mps2-an386").description == "my own an386"   # the command's --boards-dir stays in effect


def test_boards_dir_comes_before_the_environment_and_several_folders_are_searched_in_order(tmp_path, monkeypatch,
                                                                                          capsys):
    _copy("x", tmp_path / "env1", "env1")
    _copy("y", tmp_path / "env2", "env2")
    _copy("x", tmp_path / "cli", "cli")
    monkeypatch.setenv("HIL_BENCH_BOARDS", f"{tmp_path / 'env1'}:{tmp_path / 'env2'}")
    assert main(["boards", "--json", "--boards-dir", str(tmp_path / "cli")]) == 0
    rows = {r["board"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["x"]["description"] == "cli" and rows["x"]["overrides"] == str(tmp_path / "env1" / "x.toml")
    assert rows["y"]["description"] == "env2"


def test_a_missing_boards_dir_is_an_error(tmp_path, capsys):
    assert main(["boards", "--boards-dir", str(tmp_path / "nope")]) == 2   # bad usage
    assert "does not exist" in " ".join(capsys.readouterr().err.split())   # wrapped wherever the path ends
    with pytest.raises(BoardError, match="unknown board 'nope'.*searched"):
        load_board("nope")
