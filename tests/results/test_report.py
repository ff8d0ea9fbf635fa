from __future__ import annotations

import numpy as np
import pytest
from matplotlib.image import imread

from hil_bench.errors import ResultsError
from hil_bench.results import markdown_table, rows_to_frame, write_report
from tests.results.conftest import make_row

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def bench_frame(synthetic=False):
    return rows_to_frame([
        make_row("qat", dataset_synthetic=synthetic, sparsity_binary=0.02, max_unique_binary=200,
                 sparsity_survived=False, clusters_survived=False, flash_bytes=70000),
        make_row("pcqat", dataset_synthetic=synthetic, latency=98765.0, latency_spread=12.0, flash_bytes=61234),
        make_row("ptq", dataset_synthetic=synthetic, accuracy_device=None, sparsity_survived=None,
                 clusters_survived=None, latency=None, latency_unit="", latency_spread=None),
    ])


def assert_png(path):
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    pixels = imread(path)
    assert pixels.ndim == 3 and pixels.shape[0] > 100 and pixels.shape[1] > 100
    assert np.unique(pixels.reshape(-1, pixels.shape[2]), axis=0).shape[0] > 10  # something was drawn


def test_table_has_one_line_per_recipe_with_the_numbers():
    lines = markdown_table(bench_frame()).splitlines()
    assert len(lines) == 2 + 3
    header = lines[0]
    for column in ("recipe", "accuracy host", "accuracy device", "latency", "timing source", "flash [B]", "RAM [B]",
                   "sparsity trained → binary", "sparsity survived", "clusters survived"):
        assert column in header
    assert "model" not in header.split("|")[1]  # one model, one board: no such columns
    qat, pcqat, ptq = lines[2:]
    assert "| qat |" in qat and "70,000" in qat and "50.0 % → 2.0 %" in qat and "16 → 200" in qat
    assert qat.rstrip(" |").endswith("✗ | ✗")
    assert "98,765 instructions ±12" in pcqat and "qemu-icount-instructions (qemu)" in pcqat
    assert pcqat.rstrip(" |").endswith("✓ | ✓")
    assert "95.3 %" in ptq and ptq.rstrip(" |").endswith("– | –")
    assert "⚠" not in "\n".join(lines)


def test_several_boards_get_a_board_column():
    frame = rows_to_frame([make_row("qat"), make_row("qat", board="mps2-an386")])
    header = markdown_table(frame).splitlines()[0]
    assert header.startswith("| board | recipe |")


def test_report_writes_markdown_and_valid_pngs(tmp_path):
    history = rows_to_frame([make_row(r, latency=1000.0 + day, run_id=f"2026112{day}T010000Z-aaaaaa",
                                      timestamp=f"2026-11-2{day}T01:00:00+00:00")
                             for day in range(3) for r in ("qat", "pcqat")])
    paths = write_report(bench_frame(), tmp_path / "out", layer_latency={"conv_0": 52000, "dwconv_1": 31000,
                                                                        "fc": 9000}, layer_latency_unit="instructions",
                         history=history)
    names = [p.name for p in paths]
    assert names == ["report.md", "accuracy_vs_flash.png", "layer_latency.png", "history.png", "report.html"]
    for png in paths[1:-1]:
        assert_png(png)
    text = paths[0].read_text()
    assert text.startswith("# hil-bench results")
    assert "![Latency per layer](layer_latency.png)" in text and "![Nightly history](history.png)" in text
    assert "git revision: b517b9a" in text and "tensorflow 2.21.0" in text
    assert "- run: 20261126T110000Z-aaaaaa, 2026-11-26T11:00:00+00:00\n" in text
    assert "synthetic" not in text.lower()


def test_synthetic_data_is_flagged_loudly(tmp_path):
    text = write_report(bench_frame(synthetic=True), tmp_path)[0].read_text()
    assert "**⚠ synthetic data — accuracy is meaningless** (all rows" in text
    ptq = next(l for l in text.splitlines() if l.startswith("| ptq |"))
    assert "| 95.3 % ⚠ | – |" in ptq  # the flag marks numbers, not missing ones
    assert "Accuracy vs flash (synthetic data: accuracy is meaningless)" in text


def test_partly_synthetic_names_the_recipes(tmp_path):
    frame = rows_to_frame([make_row("qat", dataset_synthetic=True), make_row("pcqat")])
    text = write_report(frame, tmp_path)[0].read_text()
    assert "(recipes digits_cnn/qat, marked ⚠)" in text


def test_no_plot_without_data_and_errors_that_say_why(tmp_path):
    no_flash = rows_to_frame([make_row("qat", flash_bytes=None)])
    assert [p.name for p in write_report(no_flash, tmp_path)] == ["report.md", "report.html"]
    with pytest.raises(ResultsError, match="no result rows to report"):
        write_report(rows_to_frame([]), tmp_path)
    with pytest.raises(ResultsError, match="layer_latency_unit"):
        write_report(bench_frame(), tmp_path, layer_latency={"conv": 1.0})


def test_history_regressions_judge_each_run_against_the_newest_earlier_row():
    from hil_bench.results.report import history_regressions

    def run(day, **latencies):
        return [make_row(r, latency=v, run_id=f"2026112{day}T010000Z-aaaaaa",
                         timestamp=f"2026-11-2{day}T01:00:00+00:00") for r, v in latencies.items()]

    # Runs are ordered by time, not by their place in the file.
    history = rows_to_frame(run(3, qat=1000.0, pcqat=2000.0) + run(1, pcqat=1500.0) + run(2, qat=1100.0))
    found = [(run_id, v.recipe, v.metric, v.baseline, v.new) for run_id, v in history_regressions(history)]
    assert found == [("20261123T010000Z-aaaaaa", "pcqat", "latency", 1500.0, 2000.0)]
    # qat skips the second night: the third is judged against the first.
    history = rows_to_frame(run(1, qat=1000.0) + run(2, pcqat=1500.0) + run(3, qat=1100.0))
    found = [(run_id, v.recipe, v.baseline, v.new) for run_id, v in history_regressions(history)]
    assert found == [("20261123T010000Z-aaaaaa", "qat", 1000.0, 1100.0)]
    assert history_regressions(None) == [] and history_regressions(history.iloc[:1]) == []
