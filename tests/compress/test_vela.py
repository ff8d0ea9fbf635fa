import pytest

from hil_bench.compress import vela
from hil_bench.errors import ToolMissingError, UnsupportedModelError


def test_vela_estimates_small_model(small_model):
    try:
        vela.vela_executable()
    except ToolMissingError as exc:
        pytest.skip(str(exc))
    est = vela.run_vela(small_model)
    assert est.accelerator == "ethos-u55-128"
    assert 0 < est.vela_encoded_weight_bytes < est.vela_original_weight_bytes
    assert est.vela_npu_cycles > 0 and est.vela_inference_time_s > 0
    assert est.vela_sram_bytes > 0 and est.vela_flash_bytes > 0
    assert "estimate" in est.source


def test_vela_missing_names_pip(monkeypatch):
    monkeypatch.setattr(vela.sys, "executable", "/nonexistent/python")
    monkeypatch.setattr(vela.shutil, "which", lambda name: None)
    with pytest.raises(ToolMissingError, match="pip install ethos-u-vela"):
        vela.run_vela(b"")


def test_vela_rejects_compressed_model(small_model):
    from hil_bench.compress.lut import compress_lut

    try:
        vela.vela_executable()
    except ToolMissingError as exc:
        pytest.skip(str(exc))
    with pytest.raises(UnsupportedModelError, match="Vela"):
        vela.run_vela(compress_lut(small_model))
