"""The one cache-entry mechanism every cache uses (hil_bench.cache): written whole with its digests
recorded, checked on every read, a damaged entry removed and rebuilt with one line, never returned."""

from __future__ import annotations

import json
import os
import time

import pytest

from hil_bench import cache
from tests.cache.damage import KINDS, damage, rebuild_lines


def _entry(tmp_path, text: str = "the object's bytes" * 20):
    final = tmp_path / "objects" / "abc123"
    with cache.building(final, label="runtime/src/op.c") as work:
        (work / "object.o").write_text(text)
        (work / "extra.map").write_text("map")
    return final


def test_an_intact_entry_is_returned_silently(tmp_path, capsys):
    final = _entry(tmp_path)
    assert cache.open_entry(final, ("object.o",)) == final
    assert capsys.readouterr().err == ""
    assert json.loads((final / cache.RECORD).read_text())["label"] == "runtime/src/op.c"


@pytest.mark.parametrize("how", KINDS)
def test_a_damaged_entry_is_removed_with_one_line(tmp_path, capsys, how):
    final = _entry(tmp_path)
    damage(final, "object.o", how)
    assert cache.open_entry(final, ("object.o",)) is None
    lines = rebuild_lines(capsys.readouterr().err)
    assert len(lines) == 1 and str(final) in lines[0], lines
    assert ("runtime/src/op.c" in lines[0]) == (how != "folder-without-files")   # the label, while its record is there
    assert lines[0].endswith("; rebuilding it")
    assert not final.exists()
    assert [p.name for p in final.parent.iterdir()] == []      # nothing left aside either


@pytest.mark.parametrize("how, says", [
    ("changed", "object.o differs from the digest recorded when it was written"),
    ("truncated", "object.o is truncated (180 of 360 bytes)"),
    ("emptied", "object.o is empty (360 bytes recorded)"),
    ("deleted", "object.o is missing"),
])
def test_the_problem_is_named(tmp_path, how, says):
    final = _entry(tmp_path, "x" * 360)
    damage(final, "object.o", how)
    assert cache.entry_problem(final, ("object.o",)) == says


def test_a_damaged_or_missing_record_is_a_damaged_entry(tmp_path):
    final = _entry(tmp_path)
    (final / cache.RECORD).write_text("{not json")
    assert "record .hb-entry.json is damaged" in cache.entry_problem(final)
    (final / cache.RECORD).unlink()
    assert "no record of its contents" in cache.entry_problem(final)


def test_an_emptied_folder_is_named_so(tmp_path):
    final = _entry(tmp_path)
    damage(final, "object.o", "folder-without-files")
    assert cache.entry_problem(final) == "the folder is empty (its files were deleted)"


def test_a_required_file_that_was_never_recorded(tmp_path):
    final = _entry(tmp_path)
    assert cache.entry_problem(final, ("firmware.elf",)) == "firmware.elf was never recorded"
    (final / "planted.o").write_bytes(b"not built here")
    assert cache.entry_problem(final) == "planted.o was never recorded"


@pytest.mark.parametrize("how", KINDS)
def test_a_new_build_replaces_a_damaged_entry(tmp_path, how):
    """A folder kept without its file (or any damage) never blocks the next build: the fresh copy replaces
    it (it used to be discarded while the folder existed, and every later run failed)."""
    final = _entry(tmp_path)
    damage(final, "object.o", how)
    with cache.building(final) as work:
        (work / "object.o").write_text("fresh")
    assert (final / "object.o").read_text() == "fresh" and cache.entry_problem(final) == ""
    assert [p.name for p in final.parent.iterdir()] == ["abc123"]


def test_a_failed_build_leaves_nothing(tmp_path):
    final = tmp_path / "stages" / "k"
    with pytest.raises(RuntimeError):
        with cache.building(final) as work:
            (work / "model.h5").write_text("half")
            raise RuntimeError("compiler died")
    assert list(final.parent.iterdir()) == []


def test_scan_names_every_damaged_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("HIL_BENCH_CACHE", str(tmp_path))
    good = _entry(tmp_path)
    bad = tmp_path / "firmware" / "board-1"
    with cache.building(bad, label="firmware for board") as work:
        (work / "firmware.elf").write_bytes(b"\x7fELF" * 10)
    damage(bad, "firmware.elf", "truncated")
    (tmp_path / "objects" / "0123.o").write_bytes(b"an older layout's object")
    running = tmp_path / "objects" / ".abc-running"
    running.mkdir()
    killed = tmp_path / "stages" / ".tmp-killed"
    killed.mkdir(parents=True)
    old = time.time() - 2 * cache.STALE_BUILD_S
    os.utime(killed, (old, old))
    found = {e.path: e for e in cache.scan()}
    assert found[good].problem == "" and found[good].label == "runtime/src/op.c"
    assert found[bad].problem == "firmware.elf is truncated (20 of 40 bytes)"
    assert found[bad].label == "firmware for board"
    assert "not a cache entry" in found[tmp_path / "objects" / "0123.o"].problem
    assert found[killed].problem == "left by a build that did not finish"
    assert running not in found          # a build going on now is left alone


def test_cache_verify_on_an_unusable_cache_folder_says_so(tmp_path, monkeypatch, capsys):
    from hil_bench.cli.main import main

    (tmp_path / "afile").write_text("")
    monkeypatch.setenv("HIL_BENCH_CACHE", str(tmp_path / "afile" / "cache"))
    assert main(["cache", "verify"]) == 2
    err = capsys.readouterr().err
    assert "cannot use" in err and "set HIL_BENCH_CACHE to a folder you can write" in err and "Traceback" not in err


def test_cache_clean_all_keeps_the_logs(tmp_path, monkeypatch, capsys):
    from hil_bench.cli.main import main

    monkeypatch.setenv("HIL_BENCH_CACHE", str(tmp_path))
    _entry(tmp_path)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "tensorflow.log").write_text("kept")
    assert main(["cache", "clean", "--all"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["logs"]
    assert capsys.readouterr().out.startswith(f"removed everything cached in {tmp_path}")
