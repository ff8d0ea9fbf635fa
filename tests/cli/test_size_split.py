"""Flash and RAM split the way a firmware engineer plans them (issue 20), on the kws fixture:
`size --json` splits flash into code, weights, quantization parameters, metadata and names, and RAM into
arena, decoded weights, harness buffers and stack, each summing to its total; the default image
reserves the planned arena plus the stated margin (main reserved 512 KiB for every model); and
`--strip-names` shrinks the stored model while the board's outputs stay TFLite Micro's and the binary
audit still pairs every tensor."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

from hil_bench.cli.main import main
from tests.cli.test_run import KWS

pytestmark = pytest.mark.hil

BOARDS = ("corstone300", "mps2-an386")


def _json(argv: list[str]) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*argv, "--json"]) == 0
    return json.loads(out.getvalue())


@pytest.fixture
def on_board(board):
    if board.name not in BOARDS:
        pytest.skip(f"the split is checked on {' and '.join(BOARDS)}")
    return board.name


def test_size_splits_flash_and_ram_into_parts_that_sum_to_the_totals(on_board):
    from hil_bench.firmware.build import ARENA_MARGIN_FRACTION, ARENA_MARGIN_MIN_BYTES
    from hil_bench.runtime.host import model_info

    report = _json(["size", str(KWS), "--board", on_board])
    flash, ram = report["flash_split"], report["ram_split"]
    assert {"code", "weights", "quantization", "metadata", "names"} <= set(flash)
    assert sum(flash.values()) == report["flash_bytes"]
    assert set(ram) >= {"arena", "decoded_weights", "harness_buffers", "stack"}
    assert sum(ram.values()) == report["ram_reserved_bytes"]
    assert flash["weights"] + flash["biases"] + flash["quantization"] + flash["metadata"] + flash["names"] \
        == report["model_bytes"] == KWS.stat().st_size        # nothing compressible: stored as it is
    assert flash["names"] > 4000 and flash["quantization"] > 10000   # long tensor names, per-channel parameters
    assert ram["harness_buffers"] >= 64 * 1024                # the serial load buffer g_buf, not the model's
    planned = model_info(KWS)["arena_bytes"]
    margin = max(ARENA_MARGIN_MIN_BYTES, planned * ARENA_MARGIN_FRACTION)
    assert planned <= report["arena_bytes"] <= planned + margin + 16   # main: 524,288 B whatever the model
    assert report["arena_used_bytes"] <= report["arena_bytes"]


def test_run_reports_ram_used_split(on_board):
    report = _json(["run", str(KWS), "--board", on_board, "--random", "2"])
    split = report["ram_split"]
    assert sum(split.values()) == report["ram_bytes"]
    assert split["arena"] + split["decoded_weights"] == report["arena_used_bytes"]
    assert split["harness_buffers"] == report["harness_ram_bytes"] >= 64 * 1024
    assert report["compress"] == "auto" and report["decode"] and report["names_stripped"] is False
    # nothing compressible in kws: stored as it is, never larger (main counted the checksum table in it)
    assert report["model_bytes"] == KWS.stat().st_size


def test_a_too_small_arena_is_refused_clearly(on_board, capsys):
    assert main(["run", str(KWS), "--board", on_board, "--random", "1", "--arena-bytes", "8KiB"]) == 1
    err = capsys.readouterr().err
    assert "arena too small" in err and "8,192 B" in err and "--arena-bytes" in err


def test_strip_names_shrinks_the_model_and_stays_bit_exact(on_board, tmp_path):
    from hil_bench.evaluate import run_tflm
    from hil_bench.audit import audit_elf

    named = _json(["size", str(KWS), "--board", on_board])
    stripped = _json(["size", str(KWS), "--board", on_board, "--strip-names"])
    assert stripped["model_bytes"] == named["model_bytes"] - named["names_strippable_bytes"] < named["model_bytes"]
    assert stripped["model_parts"]["names"] == 0 and stripped["names_stripped_bytes"] > 4000
    assert stripped["flash_bytes"] < named["flash_bytes"]

    outputs = tmp_path / "y.npy"
    report = _json(["run", str(KWS), "--board", on_board, "--random", "4", "--strip-names",
                    "--save-outputs", str(outputs)])
    assert report["names_stripped"] and report["model_bytes"] == stripped["model_bytes"]
    x = np.random.default_rng(0).integers(-128, 128, size=(4, 49, 10, 1), dtype=np.int8)
    expected = run_tflm(KWS.read_bytes(), x)
    assert np.array_equal(np.load(outputs).reshape(expected.shape), expected)
    # The binary audit pairs the stripped tensors with the named reference by position.
    from hil_bench.tflite import weight_tensors

    audits = audit_elf(report["elf"], KWS.read_bytes())
    assert [a.name for a in audits] == [w.name for w in weight_tensors(KWS)]
