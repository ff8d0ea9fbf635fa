"""Shared compiled objects: a second image recompiles only what can differ, and comes out the same."""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from pathlib import Path

import pytest

from hil_bench.boards import load_board
from hil_bench.firmware import build

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mlperf_tiny"
KWS = FIXTURES / "kws_ref_model.tflite"
pytestmark = pytest.mark.skipif(build.shutil.which(build.CC) is None, reason="needs arm-none-eabi-gcc")


def _loaded_bytes(elf: Path) -> str:
    with tempfile.TemporaryDirectory() as folder:   # not beside the ELF: a cache entry holds what it recorded
        out = Path(folder) / "firmware.bin"
        subprocess.run(["arm-none-eabi-objcopy", "-O", "binary", str(elf), str(out)], check=True)
        return hashlib.sha256(out.read_bytes()).hexdigest()


def _compiled(monkeypatch) -> list[str]:
    """Names of the sources the next builds compile (linking is not counted)."""
    names: list[str] = []
    real = build._run

    def counting(cmd, what):
        if what.startswith("compiling "):
            names.append(what.removeprefix("compiling "))
        return real(cmd, what)

    monkeypatch.setattr(build, "_run", counting)
    return names


def test_a_new_model_compiles_its_array_and_the_board_dependent_sources_only(monkeypatch, tmp_path):
    monkeypatch.setenv("HIL_BENCH_CACHE", str(tmp_path / "cache"))
    compiled = _compiled(monkeypatch)
    kws = build.build_firmware(load_board("mps2-an386"), KWS.read_bytes())
    everything = len(compiled)
    assert everything > 50 and "model_data.c" in compiled
    compiled.clear()
    ic = build.build_firmware(load_board("mps2-an386"), (FIXTURES / "ic_resnet8_int8.tflite").read_bytes())
    # The runtime is shared; the app and board support see the board configuration (input buffer
    # size differs between the two models), the model array is new.
    assert "model_data.c" in compiled and not any(name.startswith("hb_op_") for name in compiled)
    assert len(compiled) < everything / 3
    assert kws.sizes.code_bytes != 0 and ic.sizes.model_bytes > kws.sizes.model_bytes


def test_an_image_from_cached_objects_equals_a_fresh_build(monkeypatch, tmp_path):
    monkeypatch.setenv("HIL_BENCH_CACHE", str(tmp_path / "warm"))
    build.build_firmware(load_board("corstone300"), KWS.read_bytes(), arena_bytes=256 * 1024)
    compiled = _compiled(monkeypatch)
    warm = build.build_firmware(load_board("corstone300"), KWS.read_bytes())   # other arena: new image
    assert 0 < len(compiled) < 30
    monkeypatch.setenv("HIL_BENCH_CACHE", str(tmp_path / "cold"))
    cold = build.build_firmware(load_board("corstone300"), KWS.read_bytes())
    assert _loaded_bytes(warm.elf) == _loaded_bytes(cold.elf)


def test_a_changed_header_is_a_new_object(tmp_path, monkeypatch):
    from hil_bench.firmware.objcache import ObjectCache

    monkeypatch.setenv("HIL_BENCH_CACHE", str(tmp_path / "cache"))
    fw = tmp_path / "fw"
    (fw / "runtime" / "src").mkdir(parents=True)
    src = fw / "runtime" / "src" / "op.c"
    src.write_text("#include \"k.h\"\n")
    header = fw / "runtime" / "k.h"
    header.write_text("#define K 1\n")
    before = ObjectCache(fw, [header], "config A", "-O2")._path(src)
    assert ObjectCache(fw, [header], "config B", "-O2")._path(src) == before   # the runtime ignores the config
    assert ObjectCache(fw, [header], "config A", "-O3")._path(src) != before
    header.write_text("#define K 2\n")
    assert ObjectCache(fw, [header], "config A", "-O2")._path(src) != before
    src.write_text("#include \"hb_bsp.h\"\n")   # a runtime source that reaches the board configuration
    assert ObjectCache(fw, [header], "config B", "-O2")._path(src) != ObjectCache(fw, [header], "config A",
                                                                                "-O2")._path(src)


def test_a_cache_entry_another_process_finished_first_is_kept(tmp_path):
    """Two builders of the same content-named entry: the first one's stays (a board may be running its ELF)."""
    from hil_bench.cache import building

    final = tmp_path / "entry"
    with building(final) as work:
        (work / "firmware.elf").write_text("first")
    with building(final) as work:
        (work / "firmware.elf").write_text("second")
    assert (final / "firmware.elf").read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["entry"]     # the second builder left nothing behind
