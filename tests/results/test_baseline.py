"""The committed baseline describes what this tree builds; a firmware change that grows an image is caught.

No board runs here: `baseline check` rebuilds images from the suite's trained models (the stage cache
the bench tests fill) and compares what an image alone decides.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from hil_bench.cli.main import main
from hil_bench.firmware import build
from hil_bench.results import frame_to_rows, read_results, write_results

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "results" / "baseline"
pytestmark = pytest.mark.skipif(shutil.which(build.CC) is None, reason="needs arm-none-eabi-gcc (make install)")


def test_the_committed_baseline_matches_what_main_builds(capsys):
    code = main(["baseline", "check", "--dir", str(BASELINE), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, "\n".join(m["message"] for m in report["mismatches"]) + f"\n{report['update_command']}"
    boards = {r.board for r in frame_to_rows(read_results(BASELINE))}
    assert len(boards) >= 4 and report["checked"] >= 4 * len(boards)


def _one_board_baseline(tmp_path: Path, board: str) -> Path:
    rows = [r for r in frame_to_rows(read_results(BASELINE)) if r.board == board and r.recipe in ("ptq", "pcqat")]
    assert rows, f"the committed baseline has no {board} rows"
    return write_results(tmp_path / "baseline" / "default-suite.csv", rows)


def test_a_firmware_change_that_grows_the_image_fails_naming_board_quantity_and_command(tmp_path, monkeypatch,
                                                                                          capsys):
    baseline = _one_board_baseline(tmp_path, "mps2-an386")
    firmware = tmp_path / "firmware"
    shutil.copytree(build.FIRMWARE_DIR, firmware)
    main_c = firmware / "app" / "main.c"
    text = main_c.read_text()
    assert 'hb_printf("m-init-done\\r\\n");' in text
    main_c.write_text(text.replace('hb_printf("m-init-done\\r\\n");',
                                   'hb_printf("m-init-done-and-a-longer-banner-than-before-0123456789\\r\\n");'))
    monkeypatch.setattr(build, "FIRMWARE_DIR", firmware)
    code = main(["baseline", "check", "--dir", str(baseline.parent)])
    out = capsys.readouterr().out
    assert code == 1
    assert "mps2-an386: code_bytes of digits_cnn/ptq is" in out and "mps2-an386: flash_bytes of digits_cnn/pcqat" in out
    assert f"hil-bench baseline update --board mps2-an386 --dir {baseline.parent}" in out


def test_rows_from_another_toolchain_or_training_are_not_held_to_sizes_they_cannot_match(tmp_path, capsys):
    path = _one_board_baseline(tmp_path, "corstone300")
    rows = frame_to_rows(read_results(path))
    other_gcc = json.dumps({**json.loads(rows[0].tool_versions), "arm-none-eabi-gcc": "arm-none-eabi-gcc 99.1"})
    write_results(path, [replace(rows[0], tool_versions=other_gcc, flash_bytes=1),
                         replace(rows[1], model_digest="0123456789abcdef", model_bytes=1, flash_bytes=1)])
    code = main(["baseline", "check", "--dir", str(path.parent)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "built with another toolchain (arm-none-eabi-gcc:" in out and "incomparable" in out
    assert "training here gave another int8 model" in out and "model and flash bytes are not held" in out


def test_check_of_a_missing_baseline_is_a_usage_error(tmp_path, capsys):
    assert main(["baseline", "check", "--dir", str(tmp_path / "nowhere")]) == 2
    assert "no such results file" in " ".join(capsys.readouterr().err.split())   # wrapped wherever the path ends


def test_a_baseline_with_a_header_and_no_rows_fails(tmp_path, capsys):
    empty = write_results(tmp_path / "default-suite.csv", [])
    assert main(["baseline", "check", "--dir", str(empty)]) == 1
    err = capsys.readouterr().err
    err = " ".join(err.split())
    assert "holds no rows" in err and "hil-bench baseline update --board" in err and "OK" not in err
