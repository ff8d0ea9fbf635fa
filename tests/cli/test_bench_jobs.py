"""`bench --jobs 2` over two QEMU boards gives the rows a sequential run gives, in the same order."""

from __future__ import annotations

import pytest

from dataclasses import replace

from hil_bench.bench import SUITES, run_bench
from hil_bench.boards import load_board
from hil_bench.pytest_plugin import STATE
from hil_bench.results import frame_to_rows

pytestmark = pytest.mark.hil
BOARDS = ["corstone300", "mps2-an386"]
VARYING = ("run_id", "timestamp")   # what two runs of the same work may differ in


@pytest.fixture
def both_boards(pytestconfig):
    given = [b.name for b in pytestconfig.stash[STATE].boards]
    if not set(BOARDS) <= set(given):
        pytest.skip(f"needs --board={BOARDS[0]} --board={BOARDS[1]}")


def test_parallel_rows_equal_sequential_rows(both_boards, tmp_path, monkeypatch):
    monkeypatch.setitem(SUITES, "default", replace(SUITES["default"], recipes=("ptq", "pcqat")))   # 4 jobs

    def rows(jobs):
        found, _, store = run_bench([load_board(name) for name in BOARDS], results_dir=tmp_path / f"jobs{jobs}", quiet=True, limit=3, jobs=jobs)
        stored = [r.to_dict() for r in found]
        assert [r.to_dict() for r in frame_to_rows(store.read())] == stored   # the file: same rows, same order
        return [{k: v for k, v in r.items() if k not in VARYING} for r in stored]

    sequential, parallel = rows(1), rows(2)
    assert [(r["board"], r["recipe"]) for r in parallel] == [(b, r) for b in BOARDS for r in ("ptq", "pcqat")]
    assert parallel == sequential
