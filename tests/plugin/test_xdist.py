"""Under pytest-xdist every worker records into one run, and the controller compares it with --baseline once."""

import json

import pytest

from hil_bench.results import read_results, write_results
from tests.plugin.conftest import plugin_args
from tests.results.conftest import make_row

pytest.importorskip("xdist")

FOUR_RECORDING_TESTS = """
import json
import os
from pathlib import Path

import pytest

from hil_bench.results import ResultRow

@pytest.mark.parametrize("recipe", ["ptq", "qat", "pqat", "cqat"])
def test_records(hil_results, recipe):
    row = dict(json.loads(Path("row.json").read_text()), run_id=hil_results.run_id, recipe=recipe)
    hil_results.append(ResultRow.from_dict(row))
    Path(f"worker-{recipe}.txt").write_text(os.environ.get("PYTEST_XDIST_WORKER", "none"))
"""


@pytest.fixture
def recorded(pytester):
    pytester.makepyfile(test_record=FOUR_RECORDING_TESTS)
    (pytester.path / "row.json").write_text(json.dumps(make_row(latency=103000.0).to_dict()))
    return pytester.path


def _run(pytester, *args):
    return pytester.runpytest_subprocess(*plugin_args(), "-p", "no:cacheprovider", "-p", "no:labgrid", "-n", "2", *args, timeout=300)


def test_workers_write_one_run(recorded, pytester):
    result = _run(pytester, f"--results-dir={recorded / 'out'}")
    result.assert_outcomes(passed=4)
    workers = {(recorded / f"worker-{r}.txt").read_text() for r in ("ptq", "qat", "pqat", "cqat")}
    assert workers == {"gw0", "gw1"}, "both workers should have run tests"
    (run_file,) = (recorded / "out" / "runs").glob("*.csv")
    rows = read_results(run_file)
    assert sorted(rows["recipe"]) == ["cqat", "pqat", "ptq", "qat"] and rows["run_id"].nunique() == 1


def test_the_controller_compares_every_workers_rows_with_the_baseline(recorded, pytester):
    baseline = write_results(recorded / "base.csv", [make_row(r, latency=103000.0) for r in ("ptq", "qat", "pqat")]
                             + [make_row("cqat", latency=90000.0)])
    result = _run(pytester, f"--baseline={baseline}")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*cqat*latency [[]instructions[]]*REGRESSED*", "FAIL: 1 of 32 checks failed"])
    assert not list(pytester.path.glob("hil-results-*"))
