"""Only the weight formats a model uses are linked: the compile-time switches derived from the model
(hil_bench.compress.linked) and, on a board, code_bytes of `hil-bench size`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hil_bench.compress.edge_models import edge_base, edge_variant
from hil_bench.compress.linked import format_defines, needed_formats
from hil_bench.compress.model import compress_model


@pytest.fixture(scope="module")
def palette_model() -> bytes:
    return edge_variant(edge_base(), "palette:4")


def test_switches_follow_the_model_and_the_decode_mode(palette_model) -> None:
    assert needed_formats(palette_model, "in-place") == set()
    assert format_defines(palette_model, "in-place") == (
        "-DHB_WITH_IN_PLACE=0", "-DHB_WITH_DECODE_LUT=0", "-DHB_WITH_DECODE_HB=0")
    lut = compress_model(palette_model, "lut", "in-place").model
    assert needed_formats(lut, "in-place") == {"in-place"}
    assert needed_formats(lut, "init") == {"lut"}
    assert needed_formats(compress_model(palette_model, "hb", "init").model, "in-place") == {"hb"}
    nm = compress_model(edge_variant(edge_base(), "nm:1:4"), "nm", "in-place").model
    assert needed_formats(nm, "in-place") == {"in-place"}


@pytest.mark.hil
def test_code_bytes_drop_without_compression(palette_model, board, tmp_path: Path, capsys) -> None:
    from hil_bench.cli.main import main

    path = tmp_path / "m.tflite"
    path.write_bytes(palette_model)
    code = {}
    for method in ("none", "lut"):
        assert main(["size", str(path), "--board", board.name, "--compress", method, "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        code[method] = report["code_bytes"]
        assert {f["format"] for f in report["weight_formats"]} == ({"int8"} if method == "none" else {"palette:4"})
    assert code["none"] + 1000 < code["lut"]   # the in-place kernels are left out of the dense image
