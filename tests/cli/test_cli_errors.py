"""Bad input through the CLI: one paragraph on stderr, a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hil_bench.cli.main import main


def _fails_cleanly(capsys, argv, pattern, code=None):
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc != 0 and (code is None or rc == code)
    assert "Traceback" not in err and err.startswith(f"hil-bench {argv[0]}: error:")
    assert pattern in err.replace("\n  ", " "), err


def test_corrupt_and_truncated_tflite(tmp_path, capsys):
    good = tmp_path / "m.tflite"
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"\x00" * 64)
    _fails_cleanly(capsys, ["audit", str(bad)], "not a TFLite flatbuffer")
    from tests.qat.conftest import conv_dw_dense
    from hil_bench.tflite import to_int8_tflite
    import numpy as np

    good.write_bytes(to_int8_tflite(conv_dw_dense(), np.random.rand(8, 8, 8, 1).astype(np.float32)))
    (tmp_path / "cut.tflite").write_bytes(good.read_bytes()[:300])
    _fails_cleanly(capsys, ["audit", str(tmp_path / "cut.tflite")], "cut.tflite")
    _fails_cleanly(capsys, ["export", str(bad), "--out", str(tmp_path / "o")], "not a TFLite flatbuffer")
    assert not (tmp_path / "o" / "model_data.c").exists()


def test_unknown_model_recipe_and_board(tmp_path, capsys):
    _fails_cleanly(capsys, ["optimize", "--model", "resnet9", "--recipe", "pcqat", "--out", str(tmp_path)],
                   "unknown model 'resnet9'", code=2)
    _fails_cleanly(capsys, ["optimize", "--model", "digits_cnn", "--recipe", "pcqat2", "--out", str(tmp_path)],
                   "unknown recipe 'pcqat2'", code=2)
    _fails_cleanly(capsys, ["run", str(tmp_path / "none.tflite"), "--board", "corstone300"], "no such file")


def test_contradictory_recipe(tmp_path, capsys):
    recipe = tmp_path / "r.toml"
    recipe.write_text('[qat]\nmode = "pcqat"\n')
    _fails_cleanly(capsys, ["optimize", "--model", "digits_cnn", "--recipe", str(recipe), "--out", str(tmp_path)],
                   "no [prune] step", code=2)


def test_keras3_model_file_with_a_layer_it_cannot_convert(tmp_path, capsys):
    keras3 = pytest.importorskip("keras")
    model = keras3.Sequential([keras3.Input((8, 8, 1)), keras3.layers.Flatten(),
                               keras3.layers.LayerNormalization(name="ln"), keras3.layers.Dense(10)])
    model.save(tmp_path / "k3.keras")
    _fails_cleanly(capsys, ["optimize", "--model", str(tmp_path / "k3.keras"), "--recipe", "pcqat",
                            "--out", str(tmp_path / "o")], "Keras 3 layer 'ln' (LayerNormalization)", code=2)


def test_every_command_has_help():
    from hil_bench.cli.main import COMMANDS

    for command in COMMANDS:
        out = subprocess.run([sys.executable, "-m", "hil_bench.cli.main", command.NAME, "--help"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0 and "usage: hil-bench" in out.stdout, command.NAME
