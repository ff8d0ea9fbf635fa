"""`hil-bench run` as a user types it: outputs equal TFLite Micro's, the JSON carries what it promises."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hil_bench.cli.main import main
from hil_bench.evaluate import run_tflm

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mlperf_tiny"
KWS = FIXTURES / "kws_ref_model.tflite"


def _run_json(capsys, argv) -> dict:
    code = main(argv + ["--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def _random_inputs(model: Path, count: int, seed: int) -> np.ndarray:
    """The inputs `--random N --seed S` sends (same generator, same order)."""
    from hil_bench.cli.run import _input_shape

    rng = np.random.default_rng(seed)
    return rng.integers(-128, 128, size=(count, *_input_shape(model.read_bytes())), dtype=np.int8)


@pytest.mark.hil
def test_run_random_inputs_matches_tflite_micro(board, tmp_path, capsys):
    saved = tmp_path / "Y.npy"
    report = _run_json(capsys, ["run", str(KWS), "--board", board.name, "--random", "20", "--seed", "7",
                                "--save-outputs", str(saved)])
    expected = run_tflm(KWS.read_bytes(), _random_inputs(KWS, 20, 7))
    assert np.array_equal(np.load(saved).reshape(expected.shape), expected)
    assert report["board"] == board.name and report["runner"] == "qemu"
    assert report["timing_source"] == "qemu-icount-instructions"
    assert report["latency"]["unit"] == "instructions" and report["latency"]["median"] > 0
    assert report["flash_bytes"] > report["model_bytes"] > 0 and report["ram_bytes"] > 0
    assert [layer["op"] for layer in report["layers"]][:1] == ["CONV_2D"]


def test_run_on_host_board(tmp_path, capsys):
    saved = tmp_path / "Y.npy"
    report = _run_json(capsys, ["run", str(KWS), "--board", "host", "--random", "5", "--save-outputs", str(saved)])
    expected = run_tflm(KWS.read_bytes(), _random_inputs(KWS, 5, 0))
    assert np.array_equal(np.load(saved).reshape(expected.shape), expected)
    assert report["runner"] == "host" and report["timing_source"] == "none"


def test_run_refuses_a_corrupt_model_before_building(tmp_path, capsys):
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(KWS.read_bytes()[:1000])
    assert main(["run", str(bad), "--board", "corstone300", "--random", "1"]) != 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and "bad.tflite" in err


# The path `--kernels opt` must take on each simulated core (firmware/runtime/include/internal/hb_kpath.h).
OPTIMIZED_PATH = {"cortex-m55": "helium", "cortex-m4": "dsp", "cortex-m7": "dsp", "cortex-m33": "dsp"}


@pytest.mark.hil
def test_run_optimized_and_reference_kernels_agree(board, tmp_path, capsys):
    reports, outputs = {}, {}
    for kernels in ("opt", "ref"):
        saved = tmp_path / f"{kernels}.npy"
        reports[kernels] = _run_json(capsys, ["run", str(KWS), "--board", board.name, "--random", "3",
                                              "--kernels", kernels, "--save-outputs", str(saved)])
        outputs[kernels] = np.load(saved)
    assert reports["opt"]["kernels"] == OPTIMIZED_PATH[board.cpu.core]
    assert reports["ref"]["kernels"] == "c" and "-DHB_KERNELS_REF" in reports["ref"]["compiler_flags"]
    assert "-DHB_KERNELS_REF" not in reports["opt"]["compiler_flags"]
    assert all(flag in reports["opt"]["compiler_flags"] for flag in board.cpu.cflags)
    assert np.array_equal(outputs["opt"], outputs["ref"])


def test_boards_lists_each_boards_kernel_path(capsys):
    assert main(["boards", "--json"]) == 0
    rows = {row["board"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["corstone300"]["kernels"] == "helium"
    assert rows["mps2-an386"]["kernels"] == "dsp" and rows["host"]["kernels"] == "c"


def test_unknown_kernels_choice_is_bad_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", str(KWS), "--board", "corstone300", "--kernels", "fast"])
    assert exc.value.code == 2 and "--kernels" in capsys.readouterr().err
