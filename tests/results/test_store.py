from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from hil_bench.errors import ResultsError
from hil_bench.results import COLUMNS, ResultsStore, append_rows, frame_to_rows, read_results, write_results
from hil_bench.results.store import _HOST
from tests.results.conftest import make_row

REPO = Path(__file__).resolve().parents[2]
RUN = "20261126T110000Z-aaaaaa"


def _awkward_rows():
    """Rows exercising every encoding edge: None in each optional kind, commas, quotes, newlines, exact floats."""
    return [
        make_row("ptq", latency=0.1 + 0.2, accuracy_host=1 / 3, sparsity_survived=None, clusters_survived=False),
        make_row("qat", model='odd,"name"\nwith newline', latency=None, latency_unit="", latency_spread=None,
                 accuracy_device=None, flash_bytes=None, ram_bytes=None, seed=None, max_unique_binary=None,
                 dataset_synthetic=True),
        make_row("pqat", flash_bytes=0, sparsity_binary=0.0),
    ]


def test_round_trip_keeps_every_value_and_type(tmp_path):
    store = ResultsStore(tmp_path, run_id=RUN)
    rows = _awkward_rows()
    store.append(rows[0])
    store.append(rows[1:])
    frame = store.read()
    assert list(frame.columns) == list(COLUMNS)
    assert frame_to_rows(frame) == rows
    assert str(frame["flash_bytes"].dtype) == "Int64" and str(frame["sparsity_survived"].dtype) == "boolean"
    assert frame["latency"].iloc[0] == 0.1 + 0.2  # repr round trip: bit-exact
    assert pd.isna(frame["flash_bytes"].iloc[1]) and frame["flash_bytes"].iloc[2] == 0
    assert pd.isna(frame["sparsity_survived"].iloc[0]) and not frame["clusters_survived"].iloc[0]


def test_layout_run_file_and_optional_history(tmp_path):
    adhoc = ResultsStore(tmp_path, run_id="20261126T110000Z-aaaaaa")
    adhoc.append(make_row(run_id=adhoc.run_id))
    assert adhoc.run_path == tmp_path / "runs" / f"{adhoc.run_id}.csv" and adhoc.run_path.exists()
    assert not adhoc.history_path.exists()  # an ad-hoc run leaves the history alone

    for run_id in ("20261127T010000Z-bbbbbb", "20261128T010000Z-cccccc"):
        nightly = ResultsStore(tmp_path, run_id=run_id, history=True)
        nightly.append([make_row(r, run_id=run_id) for r in ("qat", "pqat")])
    history = nightly.read_history()
    assert list(history["run_id"]) == ["20261127T010000Z-bbbbbb"] * 2 + ["20261128T010000Z-cccccc"] * 2
    assert len(nightly.read()) == 2
    assert nightly.run_ids() == ["20261126T110000Z-aaaaaa", "20261127T010000Z-bbbbbb", "20261128T010000Z-cccccc"]


def test_empty_store_reads_as_an_empty_typed_frame(tmp_path):
    store = ResultsStore(tmp_path)
    assert store.read().empty and list(store.read().columns) == list(COLUMNS)
    assert store.read_history().empty
    store.append([])
    assert not store.run_path.exists()


def test_rows_of_another_run_are_refused(tmp_path):
    store = ResultsStore(tmp_path, run_id=RUN)
    with pytest.raises(ResultsError, match="run_id=store.run_id"):
        store.append(make_row(run_id="20990101T000000Z-ffffff"))
    with pytest.raises(ResultsError, match="takes ResultRow"):
        store.append([make_row().to_dict()])


def test_read_results_of_a_directory_concatenates_its_csv_files(tmp_path):
    write_results(tmp_path / "base" / "b.csv", [make_row("qat")])
    write_results(tmp_path / "base" / "a.csv", [make_row("ptq"), make_row("pqat")])
    (tmp_path / "base" / "README.md").write_text("not a results file")
    assert list(read_results(tmp_path / "base")["recipe"]) == ["ptq", "pqat", "qat"]


@pytest.mark.parametrize("content, expected", [
    (b"", "empty file"),
    (b"\xff\xfe\x00garbage\x00", "cannot be read"),
    (b"model,recipe\ndigits_cnn,qat\n", "header lacks column(s) board"),
    ("{header}\n{row}".encode(), "not terminated"),
    ("{header}\n{row_bad_latency}\n".encode(), "line 2: column latency: 'fast' is not a number"),
    ("{header}\n{row_short}\n".encode(), f"line 2: {len(COLUMNS) - 1} cells where the header has {len(COLUMNS)}"),
    ("{header}\n{row_bad_bool}\n".encode(), "line 2: column dataset_synthetic: 'maybe' is not true/false"),
    ('{header}\n"unterminated\n'.encode(), "line"),
])
def test_unreadable_files_name_the_file_the_line_and_the_fix(tmp_path, content, expected):
    good = tmp_path / "good.csv"
    write_results(good, [make_row()])
    header, row = good.read_text().splitlines()
    cells = row.split(",")
    latency = list(COLUMNS).index("latency")
    synthetic = list(COLUMNS).index("dataset_synthetic")
    text = content.decode("utf-8", errors="surrogateescape").format(
        header=header, row=row,
        row_bad_latency=",".join(c if i != latency else "fast" for i, c in enumerate(cells)),
        row_short=",".join(cells[:5] + cells[6:]),
        row_bad_bool=",".join(c if i != synthetic else "maybe" for i, c in enumerate(cells)),
    ) if b"{" in content else None
    bad = tmp_path / "bad.csv"
    bad.write_bytes(text.encode("utf-8") if text is not None else content)
    with pytest.raises(ResultsError) as info:
        read_results(bad)
    message = str(info.value)
    assert str(bad) in message and expected in message
    assert "restore it" in message or "not a results file" in message


def test_missing_paths_say_what_to_pass(tmp_path):
    with pytest.raises(ResultsError, match="no such results file"):
        read_results(tmp_path / "nope.csv")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ResultsError, match="no .csv results files"):
        read_results(tmp_path / "empty")


def test_append_refuses_a_file_with_a_foreign_header_and_leaves_it_alone(tmp_path):
    store = ResultsStore(tmp_path, run_id=RUN)
    store.run_path.parent.mkdir(parents=True)
    store.run_path.write_text("model,recipe,latency\nx,y,1\n")
    with pytest.raises(ResultsError, match="header is not this hil-bench version"):
        store.append(make_row())
    assert store.run_path.read_text() == "model,recipe,latency\nx,y,1\n"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temp_files_of_dead_writers_are_removed_live_ones_kept(tmp_path):
    (tmp_path / "runs").mkdir()
    dead = tmp_path / "runs" / f".x.csv.{_HOST}.{_dead_pid()}.tmp"
    live = tmp_path / f".history.csv.{_HOST}.{os.getpid()}.tmp"
    foreign = tmp_path / ".history.csv.otherhost.1.tmp"
    for path in (dead, live, foreign):
        path.write_text("partial")
    ResultsStore(tmp_path)
    assert not dead.exists() and live.exists() and foreign.exists()


WRITER = """
import sys
from tests.results.conftest import make_row
from hil_bench.results import ResultsStore
root, run_id, tag, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
store = ResultsStore(root, run_id=run_id, history=True)
for i in range(n):
    store.append(make_row(f"{tag}{i}", run_id=run_id))
"""


def test_concurrent_writers_lose_no_rows(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), run_id, tag, "25"], cwd=REPO)
             for run_id, tag in (("20261126T110000Z-aaaaaa", "a"), ("20261126T110000Z-bbbbbb", "b"))]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    history = read_results(tmp_path / "history.csv")
    assert sorted(history["recipe"]) == sorted([f"a{i}" for i in range(25)] + [f"b{i}" for i in range(25)])
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_run_id_that_cannot_name_a_file_is_refused(tmp_path):
    for bad in ("../up", ".hidden", "a/b", "run id"):
        with pytest.raises(ResultsError, match="cannot name a file"):
            ResultsStore(tmp_path, run_id=bad)
    assert not list(tmp_path.iterdir())


def test_append_refuses_undecodable_bytes_instead_of_rewriting_them(tmp_path):
    path = write_results(tmp_path / "h.csv", [make_row()])
    damaged = path.read_bytes() + b"\xff\xfe\n"
    path.write_bytes(damaged)
    with pytest.raises(ResultsError, match="not UTF-8"):
        append_rows(path, [make_row()])
    assert path.read_bytes() == damaged


def test_a_file_of_an_older_schema_is_read_and_upgraded_on_append(tmp_path):
    """A file from before `kernels`...`code_bytes` and the `model_bytes` rename keeps its rows and takes new ones."""
    import csv

    from hil_bench.results.store import read_rows

    path = tmp_path / "old.csv"
    write_results(path, [make_row(run_id="old-run", model_bytes=4100)])
    with path.open(newline="") as fh:
        table = list(csv.reader(fh))
    keep = table[0].index("metric") + 1                       # the columns every older file has
    table = [cells[:keep] for cells in table]
    table[0] = ["model_bytes_compressed" if c == "model_bytes" else c for c in table[0]]
    with path.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(table)
    old = read_rows(path)[0]
    assert old.model_bytes == 4100 and old.kernels == "" and old.code_bytes is None
    append_rows(path, [make_row(run_id="new-run", kernels="helium", compiler_flags="-mcpu=cortex-m55",
                                code_bytes=60000)])
    rows = read_rows(path)
    assert [r.run_id for r in rows] == ["old-run", "new-run"]
    assert rows[0].kernels == "" and rows[1].kernels == "helium"
    assert [r.model_bytes for r in rows] == [4100, 4100] and rows[1].code_bytes == 60000
    with path.open(newline="") as fh:
        assert next(csv.reader(fh)) == list(COLUMNS)
