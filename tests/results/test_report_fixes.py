"""Report outputs that misled (issue 20): per-layer rows shifted by the DECODE layers compression inserts,
a budget note drawn over a point, a per-layer plot that did not say which recipe it shows, report files
written 0600 whatever the umask."""

from __future__ import annotations

import os
import re

import pandas as pd

from hil_bench.results import rows_to_frame, write_report
from hil_bench.results.plots import accuracy_figure
from hil_bench.results.report import layer_latencies_by_layer
from tests.results.conftest import make_row

RAW = [{"index": 0, "op": "CONV_2D", "latency": 5000.0}, {"index": 1, "op": "DEPTHWISE_CONV_2D", "latency": 3000.0},
       {"index": 2, "op": "FULLY_CONNECTED", "latency": 900.0}]
# The same model with its two weight tensors compressed: a DECODE before each weighted layer.
COMPRESSED = [{"index": 0, "op": "DECODE", "latency": 400.0}, {"index": 1, "op": "CONV_2D", "latency": 5100.0},
              {"index": 2, "op": "DECODE", "latency": 300.0}, {"index": 3, "op": "DEPTHWISE_CONV_2D", "latency": 3000.0},
              {"index": 4, "op": "FULLY_CONNECTED", "latency": 900.0}]


def test_decode_layers_never_shift_the_model_layers():
    raw, compressed = layer_latencies_by_layer(RAW), layer_latencies_by_layer(COMPRESSED)
    assert list(raw) == ["0:CONV_2D", "1:DEPTHWISE_CONV_2D", "2:FULLY_CONNECTED"]
    assert list(compressed) == [*raw, "DECODE (2 ops)"]
    assert compressed["0:CONV_2D"] == 5100.0 and compressed["DECODE (2 ops)"] == 700.0
    assert sum(compressed.values()) == sum(layer["latency"] for layer in COMPRESSED)   # no time dropped


def _report(tmp_path, **options):
    frame = rows_to_frame([make_row("ptq"), make_row("pcqat")])
    layers = {("corstone300", "ptq"): layer_latencies_by_layer(RAW),
              ("corstone300", "pcqat"): layer_latencies_by_layer(COMPRESSED)}
    return write_report(frame, tmp_path, layer_latencies=layers, layer_latency=layers[("corstone300", "pcqat")],
                        layer_latency_unit="instructions", **options)


def test_per_layer_table_has_every_layer_once_in_both_recipes(tmp_path):
    html = _report(tmp_path)[-1].read_text()
    table = html[html.index('class="layers"'):]
    table = table[:table.index("</table>")]
    for layer in ("0:CONV_2D", "1:DEPTHWISE_CONV_2D", "2:FULLY_CONNECTED"):
        cell = f'<td class="text">{layer}</td>'
        assert table.count(cell) == 1, layer
        row = table[table.index(cell):]
        assert "–" not in row[:row.index("</tr>")], f"{layer} is missing in a recipe"


def test_the_per_layer_plot_names_its_recipe(tmp_path):
    paths = _report(tmp_path, layer_latency_of="pcqat on corstone300")
    assert "Latency per layer: pcqat on corstone300" in paths[-1].read_text()
    assert "Latency per layer: pcqat on corstone300" in paths[0].read_text()


def test_a_far_budget_is_named_beside_the_axes_never_over_a_point():
    # The old note sat in the lower right corner of the axes: where the largest, least accurate point is.
    frame = rows_to_frame([make_row("ptq", flash_bytes=40_000, accuracy_device=0.90),
                           make_row("pcqat", flash_bytes=400_000, accuracy_device=0.10)])
    fig = accuracy_figure(frame, "flash_bytes", budget=4 * 1024 * 1024, budget_label="flash budget 4,096 KiB")
    ax = fig.axes[0]
    fig.canvas.draw()
    legend = ax.get_legend()
    assert any("off scale" in t.get_text() for t in legend.get_texts())
    assert legend.get_window_extent().x0 >= ax.get_window_extent().x1   # outside the axes
    assert not [t for t in ax.texts if "budget" in t.get_text()]   # no note inside the axes


def test_report_files_honour_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        paths = _report(tmp_path)
    finally:
        os.umask(old)
    for path in paths:
        assert path.stat().st_mode & 0o777 == 0o644, path


def test_frame_roundtrip_keeps_the_new_columns():
    row = make_row(harness_ram_bytes=68689, decoded_weight_bytes=0, stack_used_bytes=824, compress="auto",
                   decode="init", names_stripped=True)
    back = rows_to_frame([row]).iloc[0]
    assert back["harness_ram_bytes"] == 68689 and back["compress"] == "auto" and bool(back["names_stripped"])
    assert not pd.isna(back["stack_used_bytes"])
    assert re.fullmatch(r"\d+", str(back["decoded_weight_bytes"]))


def test_the_table_splits_ram_and_says_how_weights_were_stored(tmp_path):
    """main's one "RAM [B]" column held the harness's 64 KiB serial buffer beside the model's arena."""
    frame = rows_to_frame([make_row("pcqat", ram_bytes=77_000, arena_used_bytes=7_779, decoded_weight_bytes=1_200,
                                    harness_ram_bytes=68_689, stack_used_bytes=824, compress="auto", decode="init")])
    text = write_report(frame, tmp_path)[0].read_text()
    assert "model RAM [B]" in text and "harness RAM [B]" in text and "stack [B]" in text
    assert "7,779 (decoded weights 1,200)" in text and "68,689" in text and "auto, decoded init" in text
