"""A full disk under the results folder, a baseline folder or the cache is reported as a full disk, naming
the path, and leaves every file as it was; checked before any work where the folder alone decides.

The disk is filled at the edge (``os.write``/``os.fsync`` raising ENOSPC, as the kernel does); where the
tests run as root, one case also fills a real 64 KiB tmpfs.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hil_bench.errors import Error, ResultsError, UsageError
from hil_bench.paths import check_output_dir
from hil_bench.results import read_rows, write_results
from hil_bench.results.store import append_rows
from tests.results.conftest import make_row

ROOT = Path(__file__).resolve().parents[2]
KWS = ROOT / "tests" / "fixtures" / "mlperf_tiny" / "kws_ref_model.tflite"


def _full(*args):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_appending_a_row_on_a_full_disk_names_the_file_and_keeps_it(tmp_path, monkeypatch):
    path = tmp_path / "runs" / "run.csv"
    append_rows(path, [make_row("ptq")])
    before = path.read_bytes()
    monkeypatch.setattr(os, "write", _full)
    with pytest.raises(ResultsError, match=rf"cannot write results to {path}: the disk is full \(No space left"):
        append_rows(path, [make_row("qat")])
    monkeypatch.undo()
    assert path.read_bytes() == before and [p.name for p in path.parent.iterdir()] == ["run.csv"]


def test_a_baseline_on_a_full_disk_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "fsync", _full)   # delayed allocation: the write passes, the sync finds no space
    target = tmp_path / "baseline" / "default-suite.csv"
    with pytest.raises(ResultsError, match=f"cannot write results to {target}: the disk is full"):
        write_results(target, [make_row("ptq")])


def test_an_output_folder_on_a_full_disk_is_refused_before_work(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "fsync", _full)
    with pytest.raises(UsageError, match=rf"--results-dir {tmp_path}/r: cannot write to {tmp_path}: the disk is full"):
        check_output_dir(tmp_path / "r", "--results-dir")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []   # the probe is gone


def test_the_c_array_on_a_full_disk_names_the_file(tmp_path, monkeypatch):
    from hil_bench.export import export_c_array

    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", _full)
    with pytest.raises(Error, match=r"writing the C array to .*/out/\S+ failed: the disk is full") as caught:
        export_c_array(KWS, tmp_path / "out")
    assert not isinstance(caught.value, UsageError)   # the work failed (exit 1), the usage was right
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert list((tmp_path / "out").iterdir()) == []


@pytest.fixture
def full_tmpfs(tmp_path):
    """A real 64 KiB tmpfs filled to the last byte (root only; skipped elsewhere)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"\0" * 512):
                pass
        except OSError:   # ENOSPC: full
            pass
        finally:
            os.close(fd)
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_bench_into_a_full_disk_fails_at_once_naming_it(full_tmpfs, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("HIL_BENCH_DEBUG", None)
    out = subprocess.run([sys.executable, "-m", "hil_bench.cli.main", "bench", "--board", "corstone300",
                          "--results-dir", str(full_tmpfs / "results")], capture_output=True, text=True, env=env,
                         timeout=120)
    message = " ".join(out.stderr.split())
    assert out.returncode == 2, out.stderr
    assert f"--results-dir {full_tmpfs}/results: cannot write to {full_tmpfs}: the disk is full" in message
    assert "Traceback" not in out.stderr
