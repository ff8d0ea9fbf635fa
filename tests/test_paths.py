"""hil_bench.paths: output paths refused before work starts, and no partial file left by a failed write.

Tests run as root, so "unwritable" is made of things root cannot write either: a path under a regular
file, and a path under /proc."""

from __future__ import annotations

import numpy as np
import pytest

from hil_bench.errors import Error, UsageError
from hil_bench.paths import atomic_write, check_output_dir, check_output_file, save_npy_atomic, write_bytes_atomic


def test_good_paths_pass_and_nothing_is_created(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert check_output_file(tmp_path / "a" / "b" / "y.npy", "--x") == tmp_path / "a" / "b" / "y.npy"
    check_output_file("y.npy", "--x")   # a bare name: the current folder
    check_output_dir(tmp_path / "new" / "deeper", "--x")
    check_output_dir(".", "--x")
    (tmp_path / "old.npy").write_bytes(b"x")
    check_output_file(tmp_path / "old.npy", "--x")   # overwriting a file is fine
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.npy"]   # the probe is gone, no folder made


@pytest.mark.parametrize("where, message", [
    ("{dir}", "is a folder; give a file name"),
    ("{file}/y.npy", "{file} is a file, not a folder"),
    ("{file}/deeper/y.npy", "{file} is a file, not a folder"),
    ("/proc/hil-bench-test/y.npy", "cannot create files in /proc"),
])
def test_bad_output_files(tmp_path, where, message):
    afile = tmp_path / "f.txt"
    afile.write_text("x")
    path = where.replace("{dir}", str(tmp_path)).replace("{file}", str(afile))
    with pytest.raises(UsageError, match="^--save-outputs ") as err:
        check_output_file(path, "--save-outputs")
    assert message.replace("{file}", str(afile)) in str(err.value)


@pytest.mark.parametrize("where, message", [
    ("{file}", "is a file, but a folder is needed"),
    ("{file}/out", "{file} is a file, not a folder"),
    ("/proc/hil-bench-test", "cannot create files in /proc"),
    ("/proc/hil-bench-test/a/b", "cannot create files in /proc"),
])
def test_bad_output_dirs(tmp_path, where, message):
    afile = tmp_path / "f.txt"
    afile.write_text("x")
    with pytest.raises(UsageError, match="^--out ") as err:
        check_output_dir(where.replace("{file}", str(afile)), "--out")
    assert message.replace("{file}", str(afile)) in str(err.value)


def test_a_failed_write_leaves_no_partial_file_and_keeps_the_old_one(tmp_path):
    target = tmp_path / "y.npy"
    target.write_bytes(b"previous")
    with pytest.raises(ValueError):   # numpy refuses object arrays without pickle, mid-write
        save_npy_atomic(target, np.array([object()], dtype=object))
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(target) as f:
            f.write(b"half")
            raise KeyboardInterrupt
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["y.npy"]


def test_atomic_writes_create_the_folder_and_replace(tmp_path):
    target = tmp_path / "a" / "y.npy"
    save_npy_atomic(target, np.arange(6, dtype=np.int8).reshape(2, 3))
    assert np.array_equal(np.load(target), np.arange(6, dtype=np.int8).reshape(2, 3))
    assert not target.with_suffix(".npy.npy").exists()   # np.save's habit of adding .npy is avoided
    write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new" and sorted(p.name for p in target.parent.iterdir()) == ["y.npy"]


def test_an_unwritable_target_at_write_time_is_an_error_not_a_traceback(tmp_path):
    afile = tmp_path / "f.txt"
    afile.write_text("x")
    with pytest.raises(Error, match="cannot write"):
        write_bytes_atomic(afile / "y.bin", b"data")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]
