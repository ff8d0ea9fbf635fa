"""The HTML report opens in headless Chromium (Debian's ``chromium``): it renders, logs no console
message, and the rendered page holds the results table and every plot. Synthetic rows, no board run."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess

import numpy as np
import pytest
from matplotlib.image import imread

from hil_bench.boards import load_board
from hil_bench.results import compare, rows_to_frame, write_report
from tests.results.conftest import VERSIONS, make_row

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                    "(`make install` installs it; or `apt-get install chromium`)")
# A string that runs if the page forgot to escape it: Chromium would log the console error.
INJECTED = '<script>console.error("unescaped")</script><img src="http://example.invalid/x.png">'


def chromium(tmp_path, url: str, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess:
    """Run headless Chromium in its own process group and profile; kill the whole group on timeout."""
    cmd = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           f"--user-data-dir={tmp_path / 'chromium-profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",
           "--enable-logging=stderr", "--v=0", *args, url]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"chromium did not finish within {timeout:.0f} s; stderr tail:\n{err[-2000:]}")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)   # helpers it left behind, if any
        except ProcessLookupError:
            pass
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def console_lines(stderr: str) -> list[str]:
    """The page's console messages as Chromium logs them (``INFO:CONSOLE``, ``ERROR:CONSOLE``...)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def report_inputs():
    """Two boards, one row too big for its board, one synthetic, one regressed against a baseline."""
    rows = [make_row("ptq", flash_bytes=58000, accuracy_device=0.94, latency=90000.0),
            make_row("qat", flash_bytes=70000, accuracy_device=0.96, sparsity_survived=False,
                     clusters_survived=False, max_unique_binary=200),
            make_row("pcqat", flash_bytes=61234, accuracy_device=0.951, latency=98765.0),
            make_row("pcqat", board="mps2-an386", flash_bytes=5_000_000, latency=300000.0,
                     tool_versions=json.dumps({**json.loads(VERSIONS), "note": INJECTED})),
            make_row("qat", board="mps2-an386", dataset_synthetic=True, flash_bytes=71000, clusters_survived=False)]
    frame = rows_to_frame(rows)
    baseline = rows_to_frame([make_row("pcqat", latency=50000.0), make_row("qat", flash_bytes=69000)])
    history = rows_to_frame([make_row(r, latency=1000.0 + day * (100 if r == "pcqat" else 1),
                                      run_id=f"2026112{day}T010000Z-aaaaaa", timestamp=f"2026-11-2{day}T01:00:00+00:00")
                             for day in range(3) for r in ("qat", "pcqat")])
    layers = {("corstone300", r): {"0:CONV_2D": 52000.0, "1:DEPTHWISE_CONV_2D": 31000.0, "2:FULLY_CONNECTED": 9000.0}
              for r in ("ptq", "pcqat")}
    return frame, dict(comparison=compare(baseline, frame, missing_ok=True), history=history, layer_latencies=layers,
                       layer_latency=layers[("corstone300", "pcqat")], layer_latency_unit="instructions",
                       boards={name: load_board(name) for name in ("corstone300", "mps2-an386")})


PLOTS = 2 * 2 + 1 + 1   # per board accuracy vs flash and vs latency, latency per layer, history


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("html-report")
    frame, options = report_inputs()
    paths = write_report(frame, out, title="digits <suite> & co", **options)
    return paths[-1]


def test_page_is_self_contained_and_escaped(report):
    text = report.read_text()
    assert report.name == "report.html" and text.startswith("<!DOCTYPE html>")
    sources = re.findall(r'\b(?:src|href)="([^"]*)"', text)
    assert len(sources) == PLOTS and all(s.startswith("data:image/png;base64,") for s in sources)
    for uri in sources:   # each inline image is a real PNG
        png = base64.b64decode(uri.split(",", 1)[1])
        assert png[:8] == PNG_SIGNATURE and len(png) > 5000
    assert "<script" not in text and "<img src=\"http" not in text
    assert "&lt;script&gt;console.error" in text and "digits &lt;suite&gt; &amp; co" in text


def test_page_highlights_what_went_wrong(report):
    text = report.read_text()
    assert 'id="synthetic"' in text and "⚠ synthetic data" in text
    assert "FAIL: " in text   # the baseline verdict
    regressed = re.findall(r'<td class="bad" title="([^"]*)">([^<]*)</td>', text)
    assert ("regressed against the baseline: 50,000 → 98,765", "98,765 instructions") in regressed
    assert any(cell == "70,000" and "69,000 → 70,000" in tip for tip, cell in regressed)
    lost = [tip for tip, _ in regressed if tip.startswith("lost against the baseline: yes → no")]
    assert len(lost) == 2   # qat on corstone300 lost both structures the baseline kept
    assert text.count('<td class="lost" title="the structure trained into the model did not survive') == 1
    assert "2 metric(s) got worse than in the run before" in text
    assert "Budget from the board file: flash" in text and "ssram1" in text   # mps2-an386's flash region
    assert "corstone300: accuracy vs flash — Pareto front digits_cnn: ptq, pcqat, qat</figcaption>" in text
    assert "mps2-an386: accuracy vs flash — Pareto front digits_cnn: qat</figcaption>" in text   # smaller, as good
    assert "52,000 (57 %)" in text   # per-layer table: share of the total
    assert "arm-none-eabi" not in text and "tensorflow" in text and "2.21.0" in text


@needs_chromium
def test_chromium_renders_the_page_without_console_messages(report, tmp_path):
    shot = tmp_path / "shot.png"
    result = chromium(tmp_path, report.as_uri(), f"--screenshot={shot}", "--window-size=1280,2000", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_lines(result.stderr) == []
    data = shot.read_bytes()
    assert data[:8] == PNG_SIGNATURE and len(data) > 50_000
    pixels = imread(shot)
    assert pixels.shape[:2] == (2000, 1280)
    rgb = (255 * pixels[..., :3]).astype(np.uint32)
    colors = np.unique((rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2])
    assert colors.size > 100   # text and plots, not a blank page

    dom = result.stdout   # the DOM as rendered, not the file
    table = re.search(r'<table id="results">.*?</table>', dom, re.S)
    assert table and table.group(0).count("<tr") == 1 + 5   # header + every row
    assert len(re.findall(r'<img src="data:image/png;base64,', dom)) == PLOTS
    for caption in ("corstone300: accuracy vs flash", "corstone300: accuracy vs latency [instructions]",
                    "mps2-an386: accuracy vs flash", "mps2-an386: accuracy vs latency [instructions]",
                    "Latency per layer", "Nightly history"):
        assert f'alt="{caption}"' in dom


@needs_chromium
def test_the_console_check_sees_a_page_error(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><body><script>console.error("boom"); missing();</script></body></html>')
    lines = console_lines(chromium(tmp_path, page.as_uri(), "--dump-dom").stderr)
    assert any("boom" in line for line in lines) and any("Uncaught" in line for line in lines)
