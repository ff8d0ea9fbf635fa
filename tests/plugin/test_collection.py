"""Without --board HIL tests are skipped with the reason; with --board they run once per board."""

import re

import pytest

from hil_bench.boards import list_boards

HIL_AND_UNIT = """
import pytest

@pytest.mark.hil
def test_marked():
    pass

def test_with_board(board):
    with open("boards.txt", "a") as f:
        f.write(board.name + "\\n")

def test_with_dut(dut):
    raise AssertionError("must not start a device without --board")

def test_unit():
    pass
"""


def test_hil_tests_are_skipped_with_the_reason_and_unit_tests_run(pytester, run_inner):
    pytester.makepyfile(test_mixed=HIL_AND_UNIT)
    result = run_inner()
    result.assert_outcomes(passed=1, skipped=3)
    reasons = re.findall(r"SKIPPED \[(\d+)\] test_mixed.py\S*: (.*)", result.stdout.str())
    assert sum(int(n) for n, _ in reasons) == 3
    assert {reason for _, reason in reasons} == {"no --board given; run pytest --board=corstone300"}
    assert not (pytester.path / "boards.txt").exists()


def test_board_fixture_runs_once_per_board_and_unit_tests_once(pytester, run_inner):
    pytester.makepyfile(test_mixed=HIL_AND_UNIT.replace("def test_with_dut(dut):", "def _not_a_test(dut):"))
    result = run_inner("-v", "--board=corstone300", "--board=mps2-an386", "--board=corstone300")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*test_with_board?corstone300? PASSED*", "*test_with_board?mps2-an386? PASSED*"])
    assert (pytester.path / "boards.txt").read_text().split() == ["corstone300", "mps2-an386"]
    unit_only = run_inner("-m", "not hil", "--board=corstone300")    # board users are marked hil too
    unit_only.assert_outcomes(passed=1, deselected=2)


def test_unknown_board_is_a_usage_error_naming_the_known_ones(pytester, run_inner):
    pytester.makepyfile(test_one="def test_unit():\n    pass\n")
    result = run_inner("--board=corstone-300")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--board corstone-300: unknown board 'corstone-300'; known boards: "
                                 f"{', '.join(list_boards())}*"])
    host = run_inner("--board=host")
    assert host.ret == pytest.ExitCode.USAGE_ERROR
    host.stderr.fnmatch_lines(["*--board host: the host build has no device to start*"])


def test_options_are_in_one_group_in_help(pytester, run_inner):
    result = run_inner("--help")
    result.stdout.fnmatch_lines(["hardware-in-the-loop tests (hil-bench):", "*--board=NAME*",
                                 "*--results-dir=DIR*", "*--baseline=PATH*"])
    markers = run_inner("--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.hil: needs a board*", "@pytest.mark.hil_model(path):*"])


def test_boards_dir_adds_the_users_boards(pytester, run_inner, tmp_path):
    from hil_bench.boards import list_boards as known_now
    from hil_bench.resources import builtin_boards_dir

    mine = tmp_path / "my-boards"
    mine.mkdir()
    text = (builtin_boards_dir() / "mps2-an386.toml").read_text().replace('name = "mps2-an386"', 'name = "my-m4"')
    (mine / "my-m4.toml").write_text(text)
    pytester.makepyfile(test_one="def test_board(board):\n    assert board.name == 'my-m4'\n")
    run_inner(f"--boards-dir={mine}", "--board=my-m4").assert_outcomes(passed=1)
    assert "my-m4" not in known_now()          # the folder is dropped again when the session ends
    missing = run_inner(f"--boards-dir={tmp_path / 'nope'}", "--board=my-m4")
    assert missing.ret == pytest.ExitCode.USAGE_ERROR
