"""One fits check, one answer: `size` and `run` agree at and just past each limit (arena, flash, RAM).

Models are tiny tf_keras graphs converted once per session; their sizes are tuned against the board's
own limits (the host plan for the arena, the ELF regions for flash and RAM), so the same test holds on
every board it runs on.
"""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

from hil_bench.cli.main import main

pytestmark = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc")


def _convert(model, shape) -> bytes:
    from hil_bench.tflite import to_int8_tflite

    rng = np.random.default_rng(0)
    return to_int8_tflite(model, rng.uniform(-1, 1, size=(4, *shape)).astype(np.float32), samples=4)


def conv1x1(h: int, w: int, c: int = 8) -> bytes:
    """A pointwise Conv2D: its arena is input + output, 2 * h * w * c bytes (int8), no kernel scratch."""
    from hil_bench._keras import keras

    inp = keras.Input((h, w, c), batch_size=1)
    return _convert(keras.Model(inp, keras.layers.Conv2D(c, 1)(inp)), (h, w, c))


def dense(n_in: int, units: int) -> bytes:
    """A Dense layer whose int8 weights (n_in * units bytes, random: incompressible) fill flash."""
    from hil_bench._keras import keras

    inp = keras.Input((n_in,), batch_size=1)
    layer = keras.layers.Dense(units)
    model = keras.Model(inp, layer(inp))
    rng = np.random.default_rng(1)
    layer.set_weights([rng.uniform(-1, 1, size=(n_in, units)).astype(np.float32), np.zeros(units, np.float32)])
    return _convert(model, (n_in,))


def with_op(op: str) -> bytes:
    """A graph with an op the runtime has no kernel for (besides supported ones)."""
    from hil_bench._keras import keras, tf

    inp = keras.Input((8, 8, 4), batch_size=1)
    x = keras.layers.Conv2D(4, 1)(inp)
    if op == "two":
        x = keras.layers.Lambda(lambda t: tf.nn.relu(t) * tf.math.tanh(t))(x)
        x = keras.layers.Lambda(lambda t: tf.math.exp(t))(x)
    return _convert(keras.Model(inp, x), (8, 8, 4))


# The agreement is checked on one Helium and one DSP board: the other two DSP boards build the same
# kernels, and every case builds and boots several firmware images (about 40 s per board).
FITS_BOARDS = ("corstone300", "mps2-an386")


@pytest.fixture
def board(board):
    if board.name not in FITS_BOARDS:
        pytest.skip(f"size/run agreement is checked on {' and '.join(FITS_BOARDS)}")
    return board


@pytest.fixture(scope="session")
def models(tmp_path_factory):
    """Writes each model once per session: ``models(name, maker, *args)`` -> path."""
    root = tmp_path_factory.mktemp("fits-models")
    made = {}

    def get(name, maker, *args):
        if name not in made:
            made[name] = root / f"{name}.tflite"
            made[name].write_bytes(maker(*args))
        return made[name]
    return get


def _size(capsys, path, board, *extra) -> tuple[int, dict]:
    code = main(["size", str(path), "--board", board, "--check", "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def _run(capsys, path, board, *extra) -> tuple[int, str]:
    code = main(["run", str(path), "--board", board, "--random", "1", "--runs", "1", *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _agree(capsys, path, board, *extra) -> bool:
    """size --check and run give the same answer; returns it (True: fits and ran)."""
    size_code, report = _size(capsys, path, board, *extra)
    run_code, run_out = _run(capsys, path, board, *extra)
    assert size_code in (0, 1) and run_code in (0, 1), (size_code, run_code, run_out)
    assert (size_code == 0) == report["fits"]
    assert (size_code == 0) == (run_code == 0), (report["reason"], run_out)
    assert "Traceback" not in run_out
    if not report["fits"]:
        assert report["reason"] and "does not fit" in run_out or "refus" in run_out, run_out
    return report["fits"]


# An arena given with --arena-bytes (the default is each model's own plan plus a margin).
ARENA_BYTES = 512 * 1024
ARENA = ("--arena-bytes", str(ARENA_BYTES))


def _arena_rows(board) -> tuple[int, int]:
    """Rows h of a conv1x1(h, 64): the largest an ARENA_BYTES arena holds by the host plan, and one more."""
    per_row = 2 * 64 * 8
    h = ARENA_BYTES // per_row
    return h - 1, h + 1


@pytest.mark.hil
def test_size_and_run_agree_at_and_past_the_arena(board, models, capsys):
    under, over = _arena_rows(board)
    fits_under = _agree(capsys, models(f"conv{under}", conv1x1, under, 64), board.name, *ARENA)
    fits_over = _agree(capsys, models(f"conv{over}", conv1x1, over, 64), board.name, *ARENA)
    assert fits_under and not fits_over
    _, report = _size(capsys, models(f"conv{over}", conv1x1, over, 64), board.name, *ARENA)
    assert "arena" in report["reason"] and report["arena_bytes"] == ARENA_BYTES


def conv3x3(h: int, w: int = 4, c: int = 8) -> bytes:
    """A 3x3 Conv2D: the optimized kernels (Helium, DSP) add im2col scratch the plain C plan lacks."""
    from hil_bench._keras import keras

    inp = keras.Input((h, w, c), batch_size=1)
    return _convert(keras.Model(inp, keras.layers.Conv2D(c, 3, padding="same")(inp)), (h, w, c))


@pytest.mark.hil
def test_the_device_plan_decides_when_only_kernel_scratch_overflows(board, models, tmp_path, capsys):
    """The issue's case: the host build's plan fits the arena by a few bytes, the device's optimized
    kernels need their scratch on top. size must say what run will do: no."""
    from hil_bench.runtime.host import model_info

    a, b = (model_info(conv3x3(h))["arena_bytes"] for h in (1000, 2000))
    h = 1000 + (ARENA_BYTES - a) * 1000 // (b - a)
    path = models(f"conv3x3-{h}", conv3x3, h)
    host_plan = model_info(path)["arena_bytes"]
    assert ARENA_BYTES - 64 < host_plan <= ARENA_BYTES, host_plan   # fits by the host plan
    _, report = _size(capsys, path, board.name, *ARENA)
    if report["kernels"] == "c":
        pytest.skip(f"{board.name} runs plain C kernels: no per-op scratch beyond the host plan")
    assert not _agree(capsys, path, board.name, *ARENA)
    assert "device refuses the model: arena too small" in report["reason"]
    assert report["arena_used_bytes"] > ARENA_BYTES >= host_plan


@pytest.mark.hil
@pytest.mark.skipif(os.environ.get("HIL_BENCH_SLOW_TESTS") != "1",
                    reason="builds firmware with 4-8 MiB of weights (minutes per board); `make nightly` runs it "
                           "(HIL_BENCH_SLOW_TESTS=1)")
def test_size_and_run_agree_at_and_past_flash(board, models, capsys):
    """Raw weights (--compress none) sized to the model's flash region: just under and just over."""
    region = board.region(board.placement.model).size
    n_in = 1024
    under = (region - 256 * 1024) // n_in      # room for the runtime's code where it shares the region
    over = region // n_in + 1
    assert _agree(capsys, models(f"dense{under}", dense, n_in, under), board.name, "--compress", "none")
    assert not _agree(capsys, models(f"dense{over}", dense, n_in, over), board.name, "--compress", "none")
    _, report = _size(capsys, models(f"dense{over}", dense, n_in, over), board.name, "--compress", "none")
    assert "does not fit region" in report["reason"] and report["flash_bytes"] is None


def test_size_names_every_unsupported_op(models, capsys):
    code, report = _size(capsys, models("ops2", with_op, "two"), "host")
    assert code == 1 and not report["fits"]
    assert len(report["unsupported_ops"]) >= 2, report["unsupported_ops"]
    assert all(op in report["reason"] for op in report["unsupported_ops"])
    code, out = _run(capsys, models("ops2", with_op, "two"), "host")
    assert code == 1 and all(op in out for op in report["unsupported_ops"])


def test_size_on_host_has_no_flash_or_ram(capsys):
    from tests.cli.test_run import KWS

    code, report = _size(capsys, KWS, "host")
    assert code == 0 and report["fits"] and report["reason"] is None
    assert report["flash_bytes"] is None and report["ram_reserved_bytes"] is None and report["ram_bytes"] is None
    assert report["arena_used_bytes"] > 0


def pooled(h: int, w: int, c: int) -> bytes:
    """A global average pool: a big input (RAM holds it in the device's input buffer) but a tiny output."""
    from hil_bench._keras import keras

    inp = keras.Input((h, w, c), batch_size=1)
    return _convert(keras.Model(inp, keras.layers.GlobalAveragePooling2D()(inp)), (h, w, c))


@pytest.mark.hil
def test_size_and_run_agree_at_and_past_ram(board, models, capsys):
    """The input buffer lives in the board's data region: an input just over it cannot fit; one 64 KiB
    under it fits where the arena (which holds the input too) is big enough to tell RAM apart."""
    region = board.region(board.placement.data).size
    row = 64 * 16
    over = region // row + 1
    assert not _agree(capsys, models(f"pool{over}", pooled, over, 64, 16), board.name)
    _, report = _size(capsys, models(f"pool{over}", pooled, over, 64, 16), board.name)
    assert f"region {board.placement.data!r}" in report["reason"] or "arena" in report["reason"]
    under = (region - 64 * 1024) // row
    if under * row >= ARENA_BYTES - 16 * 1024:
        return   # this board's data region is bigger than the arena: the arena is the limit (tested above)
    assert _agree(capsys, models(f"pool{under}", pooled, under, 64, 16), board.name)
