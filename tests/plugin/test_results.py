"""--results-dir stores the rows tests record through hil_results; --baseline fails the run on a regression."""

import json

import pytest

from hil_bench.results import read_results, write_results
from tests.results.conftest import make_row

RECORDING_TEST = """
import json
from pathlib import Path

from hil_bench.results import ResultRow

def test_records_a_row(hil_results):
    row = dict(json.loads(Path("row.json").read_text()), run_id=hil_results.run_id)
    hil_results.append(ResultRow.from_dict(row))
"""


@pytest.fixture
def recorded(pytester):
    pytester.makepyfile(test_record=RECORDING_TEST)
    (pytester.path / "row.json").write_text(json.dumps(make_row("pqat", latency=103000.0).to_dict()))
    return pytester.path


def test_rows_go_to_results_dir(recorded, run_inner):
    result = run_inner(f"--results-dir={recorded / 'out'}")
    result.assert_outcomes(passed=1)
    (run_file,) = (recorded / "out" / "runs").glob("*.csv")
    assert read_results(run_file)["latency"].tolist() == [103000.0]


def test_baseline_regression_fails_the_session_and_unchanged_passes(recorded, run_inner):
    slower_now = write_results(recorded / "base_fast.csv", [make_row("pqat", latency=100000.0)])
    result = run_inner(f"--baseline={slower_now}")
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*hil-bench*", "*pqat*latency [[]instructions[]]*REGRESSED*",
                                 "FAIL: 1 of 8 checks failed"])
    same = write_results(recorded / "base_same.csv", [make_row("pqat", latency=103000.0)])
    result = run_inner(f"--baseline={same}")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["OK: 8 checks within tolerance"])


def test_unreadable_baseline_is_a_usage_error(recorded, run_inner):
    result = run_inner(f"--baseline={recorded / 'nope.csv'}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--baseline *nope.csv: *nope.csv: no such results file*"])


def test_unwritable_results_dir_is_a_usage_error(recorded, run_inner, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")   # under a regular file: unwritable even for root, as tests run here
    for where, says in ((afile, "is a file, but a folder is needed"), (afile / "out", "is a file, not a folder")):
        result = run_inner(f"--results-dir={where}")
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines([f"*--results-dir {where}: *{says}*"])
