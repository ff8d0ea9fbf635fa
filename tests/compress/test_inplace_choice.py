"""--compress auto under --decode in-place: per tensor the smallest form the kernels run in place,
where the static cost model of the kernel path says it is no slower than dense."""

from __future__ import annotations

import pytest

from hil_bench.compress.edge_models import edge_base, edge_variant
from hil_bench.compress.decode import decode_tensor
from hil_bench.compress.model import compress_model, in_place_pays
from hil_bench.errors import UsageError


@pytest.fixture(scope="module")
def base() -> bytes:
    return edge_base()


@pytest.fixture(scope="module")
def resnet8_1_8() -> bytes:
    from pathlib import Path

    from hil_bench.compress.synthetic import restructure_tflite

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "mlperf_tiny" / "ic_resnet8_int8.tflite"
    return restructure_tflite(fixture.read_bytes(), nm=(1, 8))


def test_cost_model_takes_in_place_forms_only_where_they_pay() -> None:
    assert in_place_pays(64, "c") and not in_place_pays(4, "c")
    assert not in_place_pays(10_000, "helium") and not in_place_pays(10_000, "dsp")


def test_auto_in_place_on_the_c_path_picks_nm(resnet8_1_8) -> None:
    cm = compress_model(resnet8_1_8, "auto", "in-place", "c")
    formats = {f["tensor"]: f["format"] for f in cm.weight_formats}
    assert sum(f.startswith("nm:1:8") for f in formats.values()) >= 6
    assert all(f == "int8" for name, f in formats.items() if "dense" in name.lower() or "matmul" in name.lower())
    assert cm.weight_bytes < 0.3 * sum(c.raw_bytes for c in cm.choices)
    helium = compress_model(resnet8_1_8, "auto", "in-place", "helium")
    assert {f["format"] for f in helium.weight_formats} == {"int8"}


def test_tiny_tensors_stay_int8_because_a_decode_op_costs_more(base) -> None:
    cm = compress_model(edge_variant(base, "nm:1:8"), "auto", "in-place", "c")
    assert {f["format"] for f in cm.weight_formats} == {"int8"}


def test_auto_in_place_never_takes_a_form_decoded_into_ram(base) -> None:
    cm = compress_model(edge_variant(base, "palette:4"), "auto", "in-place", "c")
    assert {f["format"] for f in cm.weight_formats} <= {"int8", "palette:4", "nm:2:4+palette:4"}
    assert "hb" not in {c.method for c in cm.choices}


def test_nm_round_trips_through_the_independent_decoder(base) -> None:
    from hil_bench.compress.nm import encode_nm
    from hil_bench.tflite import edit_model
    from hil_bench.compress.lut import weight_refs

    model = edge_variant(base, "nm:2:4+palette")
    editor = edit_model(model)
    for ref in weight_refs(model):
        values = editor.subgraphs[ref.subgraph].tensors[ref.tensor].array
        for palette in (False, True):
            enc = encode_nm(values, 2, 4, ref.channel_axis, palette=palette)
            assert (decode_tensor(enc.encoded, enc.ancillary, values.shape) == values).all()


def test_unknown_decode_mode_is_a_usage_error(base) -> None:
    with pytest.raises(UsageError, match="in-place"):
        compress_model(base, "auto", "lazy")
    with pytest.raises(UsageError, match="executed in place only"):
        compress_model(base, "nm", "init")
