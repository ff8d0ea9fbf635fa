"""Damage each kind of cache entry in each way, then run the command a user would run next: it rebuilds
the entry (one line on stderr naming it) and gives exactly the clean run's numbers -- never different
numbers with exit 0, never an internal error.

Images truncated, emptied, deleted or left as an empty folder are run through the console script by
the CLI contract test (tests/cli/test_contract.py). The module works in a cache of its own (its entries are damaged on purpose): the digits CNN through
``ptq`` is trained once, built and run on corstone300 once, and those are the clean numbers.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from hil_bench.cache import RECORD, cache_dir, record_entry, read_record
from hil_bench.cli.main import main
from tests.cache.damage import KINDS, copy_entries, damage, entries, rebuild_lines

pytestmark = [pytest.mark.hil,
              pytest.mark.skipif(shutil.which("qemu-system-arm") is None or shutil.which("arm-none-eabi-gcc") is None,
                                 reason="needs qemu-system-arm and arm-none-eabi-gcc (make install)")]

BOARD = "corstone300"
LIMIT = "20"
FC_C = "runtime/src/kernels/fc/hb_fully_connected_s8_c.c"


def cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def clean(request, tmp_path_factory):
    """This module's own cache, and the clean numbers: optimize's model and metrics, run's report and
    outputs (plain C kernels), bench's row."""
    if BOARD not in request.config.getoption("hil_boards"):
        pytest.skip(f"the damaged-cache tests run on {BOARD} (pass --board={BOARD})")
    before = os.environ["HIL_BENCH_CACHE"]
    folder = tmp_path_factory.mktemp("damaged-cache")
    _seed(folder / "cache")
    os.environ["HIL_BENCH_CACHE"] = str(folder / "cache")
    try:
        out = folder / "ptq"
        code, _, err = cli(["optimize", "--model", "digits_cnn", "--recipe", "ptq", "--out", str(out), "-q"])
        assert code == 0, err
        model = out / "model_int8.tflite"
        report, outputs = run_json(model, folder / "clean.npy")
        row = bench_row(folder / "bench")
        yield {"cache": folder / "cache", "folder": folder, "model": model, "tflite": model.read_bytes(),
               "metrics": json.loads((out / "metrics.json").read_text()), "run": report, "outputs": outputs,
               "row": row}
    finally:
        os.environ["HIL_BENCH_CACHE"] = before


def _seed(private: Path) -> None:
    """Copy into the private cache what the session's cache has for this module (trained there once for
    every test that needs it): the stages of the digits CNN through ptq, and the compiled objects."""
    from hil_bench.bench import get_suite, trained_suite_recipe
    from hil_bench.models import build_model
    from hil_bench.optimize.pipeline import fingerprint_data, fingerprint_model, stage_keys

    suite = get_suite("default")
    recipe, data, _ = trained_suite_recipe(suite, "ptq")
    shared = cache_dir()
    for key in stage_keys(fingerprint_model(build_model(suite.model, seed=recipe.seed)), fingerprint_data(data),
                          recipe).values():
        shutil.copytree(shared / "stages" / key, private / "stages" / key)
    if (shared / "objects").is_dir():
        copy_entries(shared / "objects", private / "objects")


def run_json(model: Path, save: Path, expect_rebuilt: int | None = None) -> tuple[dict, np.ndarray]:
    code, out, err = cli(["run", str(model), "--board", BOARD, "--kernels", "ref", "--dataset", "digits",
                          "--limit", LIMIT, "--save-outputs", str(save), "--json"])
    assert code == 0, err
    if expect_rebuilt is not None:
        assert len(rebuild_lines(err)) == expect_rebuilt, err
    return json.loads(out), np.load(save)


def bench_row(results: Path) -> dict:
    code, out, err = cli(["bench", "--board", BOARD, "--recipe", "ptq", "--limit", LIMIT, "--results-dir",
                          str(results), "-q", "--json"])
    assert code == 0, err
    (row,) = json.loads(out)
    return {"stderr": err, **{k: row[k] for k in ("accuracy_host", "accuracy_device", "sparsity_survived",
                                                  "clusters_survived", "model_digest", "flash_bytes")}}


def optimize_again(clean, name: str) -> tuple[bytes, dict, str]:
    out = clean["folder"] / name
    code, _, err = cli(["optimize", "--model", "digits_cnn", "--recipe", "ptq", "--out", str(out), "-q"])
    assert code == 0, err
    return (out / "model_int8.tflite").read_bytes(), json.loads((out / "metrics.json").read_text()), err


def only(found: list[Path]) -> Path:
    assert len(found) == 1, found
    return found[0]


def warm_image(clean) -> Path:
    """The entry of the image `run` uses, cached by running it once."""
    report, _ = run_json(clean["model"], clean["folder"] / "warm.npy")
    return Path(report["elf"]).parent


def firmware_entries(clean) -> list[Path]:
    """The images `run --kernels ref` builds (bench's and the plugin's have the helium kernels)."""
    return entries(clean["cache"], "firmware", "firmware for corstone300, model, c kernels")


# -- trained stages ------------------------------------------------------------------------------------

STAGE_DAMAGE = [("model_int8.tflite", how) for how in KINDS] + [
    ("stage.json", "changed"), ("stage.json", "truncated"), (RECORD, "changed")]


@pytest.mark.parametrize("name, how", STAGE_DAMAGE, ids=[f"{n}-{h}" for n, h in STAGE_DAMAGE])
def test_a_damaged_int8_stage_is_converted_again(clean, name, how):
    stage = only(entries(clean["cache"], "stages", "int8 stage"))
    damage(stage, name, how)
    tflite, metrics, err = optimize_again(clean, f"again-{name}-{how}")
    lines = rebuild_lines(err)
    assert len(lines) == 1 and str(stage) in lines[0], err
    assert tflite == clean["tflite"]
    assert metrics["int8_accuracy"] == clean["metrics"]["int8_accuracy"]


def test_a_damaged_float_stage_is_trained_again(clean):
    stage = only(entries(clean["cache"], "stages", "train stage"))
    damage(stage, "model.h5", "changed", count=64)
    tflite, metrics, err = optimize_again(clean, "again-train")
    assert len(rebuild_lines(err)) == 1 and str(stage) in err
    assert tflite == clean["tflite"]
    assert metrics["float_accuracy"] == clean["metrics"]["float_accuracy"]


def test_bench_never_reports_a_damaged_stage_s_numbers(clean):
    """The issue's case: a few weight bytes altered in the cached int8 model made bench --recipe ptq report
    0.920 where a clean run gives 0.980, and "structure kept: NO", with exit 0."""
    from hil_bench.tflite import weight_tensors

    stage = only(entries(clean["cache"], "stages", "int8 stage"))
    data = (stage / "model_int8.tflite").read_bytes()
    dense = weight_tensors(data)[-1].values.tobytes()
    damage(stage, "model_int8.tflite", "changed", offset=data.find(dense), count=16)
    row = bench_row(clean["folder"] / "bench-damaged")
    assert len(rebuild_lines(row.pop("stderr"))) == 1
    expected = dict(clean["row"])
    expected.pop("stderr")
    assert row == expected


# -- compiled objects -----------------------------------------------------------------------------------

def _damage_fc_objects(clean, how: str) -> list[Path]:
    """Damage every cached object of the plain C fully connected kernel and drop the images, so the next
    build links objects again (as it does for any new model)."""
    objects = [e for e in entries(clean["cache"], "objects", FC_C) if (e / "object.o").is_file()]
    assert objects          # (an entry an earlier case damaged and no build used since stays damaged)
    for entry in objects:
        if how == "replaced":   # another kernel's code under this one's name
            other = only([e for e in entries(clean["cache"], "objects", "fc/hb_fully_connected_s8_dsp.c")
                          if (e / "object.o").read_bytes() != (entry / "object.o").read_bytes()][:1])
            shutil.copyfile(other / "object.o", entry / "object.o")
        else:
            damage(entry, "object.o", how)
    for entry in firmware_entries(clean):
        shutil.rmtree(entry)
    return objects


def test_replaced_code_in_a_cached_object_is_compiled_again(clean):
    """The issue's case: the plain C fully connected kernel's object replaced made run report 0.40."""
    _damage_fc_objects(clean, "replaced")
    report, outputs = run_json(clean["model"], clean["folder"] / "replaced.npy")
    assert np.array_equal(outputs, clean["outputs"])
    assert report["accuracy"] == clean["run"]["accuracy"] and report["flash_bytes"] == clean["run"]["flash_bytes"]


@pytest.mark.parametrize("how", KINDS)
def test_a_damaged_object_is_compiled_again(clean, how, capfd):
    from hil_bench.boards import load_board
    from hil_bench.firmware import build_firmware
    from hil_bench.firmware.image import loaded_bytes

    image = build_firmware(load_board(BOARD), Path(clean["model"]).read_bytes(), kernels="ref")
    reference = loaded_bytes(image.elf)
    objects = _damage_fc_objects(clean, how)
    rebuilt = build_firmware(load_board(BOARD), Path(clean["model"]).read_bytes(), kernels="ref")
    assert not rebuilt.cached and loaded_bytes(rebuilt.elf) == reference
    lines = rebuild_lines(capfd.readouterr().err)
    assert lines and all(any(str(o) in line for o in objects) for line in lines), lines


# -- firmware images -----------------------------------------------------------------------------------

def _model_offset(clean, elf: bytes) -> int:
    """Where the model starts in the ELF file: compressed as `run` stores it by default, or as it is (the
    plugin's images)."""
    from hil_bench.compress import compress_model

    for stored in (compress_model(clean["tflite"], "auto").model, clean["tflite"]):
        offset = elf.find(stored[:256])
        if offset > 0 and elf[offset:offset + len(stored)] == stored:
            return offset
    raise AssertionError("the model is not in the ELF")


def test_run_rebuilds_an_image_with_flipped_model_bytes(clean):
    """The issue's case: 64 model bytes flipped in a cached firmware.elf; run reused it and gave other
    outputs, with exit 0. (A truncated, emptied or deleted ELF, or its folder left empty, is the
    contract test's: tests/cli/test_contract.py, through the console script.)"""
    image = warm_image(clean)
    elf = (image / "firmware.elf").read_bytes()
    damage(image, "firmware.elf", "changed", offset=_model_offset(clean, elf) + 512, count=64)
    report, outputs = run_json(clean["model"], clean["folder"] / "flipped.npy", expect_rebuilt=1)
    assert np.array_equal(outputs, clean["outputs"])
    assert report["accuracy"] == clean["run"]["accuracy"]


def _flip_model_bytes_keeping_the_record(clean, image: Path) -> None:
    """64 model bytes flipped and the record written again: only the weight CRC-32 table can tell."""
    label = read_record(image)["label"]
    elf = (image / "firmware.elf").read_bytes()
    damage(image, "firmware.elf", "changed", offset=_model_offset(clean, elf) + 512, count=64)
    (image / RECORD).unlink()
    record_entry(image, label)


def test_run_checks_a_cached_image_s_weight_crcs(clean):
    image = warm_image(clean)
    _flip_model_bytes_keeping_the_record(clean, image)
    code, out, err = cli(["run", str(clean["model"]), "--board", BOARD, "--kernels", "ref", "--dataset", "digits",
                          "--limit", LIMIT, "--json"])
    assert code == 0, err
    (line,) = rebuild_lines(err)
    assert str(image) in line and "fails the weight check" in line and "CRC-32" in line
    assert json.loads(out)["accuracy"] == clean["run"]["accuracy"]


def test_the_pytest_plugin_checks_a_cached_image_s_weight_crcs(clean, capfd):
    from hil_bench.boards import load_board
    from hil_bench.evaluate import run_tflm
    from hil_bench.pytest_plugin.device import HilDut

    x = np.random.default_rng(3).integers(-128, 128, size=(1, 8, 8, 1), dtype=np.int8)
    first = HilDut(load_board(BOARD), clean["model"])                 # build (or reuse) the image
    first.stop()
    _flip_model_bytes_keeping_the_record(clean, first.elf.parent)
    capfd.readouterr()
    dut = HilDut(load_board(BOARD), clean["model"])
    try:
        y = dut.infer(x)
    finally:
        dut.stop()
    assert "fails the weight check" in " ".join(rebuild_lines(capfd.readouterr().err))
    assert np.array_equal(y.reshape(-1), run_tflm(clean["tflite"], x).reshape(-1))


# -- hil-bench cache verify | clean ---------------------------------------------------------------------

def test_cache_verify_and_clean(clean):
    assert cli(["cache", "clean"])[0] == 0     # what earlier cases left damaged (objects no build used since)
    image = warm_image(clean)
    stage = only(entries(clean["cache"], "stages", "int8 stage"))
    damage(image, "firmware.elf", "truncated")
    damage(stage, "stage.json", "changed")
    code, out, _ = cli(["cache", "verify", "--json"])
    assert code == 1
    report = json.loads(out)
    assert report["cache"] == str(cache_dir())
    damaged = {d["entry"]: d["problem"] for d in report["damaged"]}
    assert damaged == {str(image.relative_to(clean["cache"])): damaged[str(image.relative_to(clean["cache"]))],
                       str(stage.relative_to(clean["cache"])): "stage.json differs from the digest recorded when "
                                                               "it was written"}
    assert "firmware.elf is truncated" in damaged[str(image.relative_to(clean["cache"]))]
    code, out, _ = cli(["cache", "verify"])
    assert code == 1 and "2 damaged" in out and image.name in out and stage.name in out
    code, out, _ = cli(["cache", "clean"])
    assert code == 0 and out.startswith("removed 2 damaged entries")
    assert not image.exists() and not stage.exists()
    code, out, _ = cli(["cache", "verify"])
    assert code == 0 and "0 damaged" in out
    # the next run rebuilds what clean removed, and gives the clean numbers
    report, outputs = run_json(clean["model"], clean["folder"] / "after-clean.npy", expect_rebuilt=0)
    assert np.array_equal(outputs, clean["outputs"])
