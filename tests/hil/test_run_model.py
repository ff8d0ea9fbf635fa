"""A real MLPerf Tiny model on every --board: outputs byte-identical to the tflite_micro oracle,
deterministic instruction counts across runs, sizes from the ELF."""

from pathlib import Path

import numpy as np
import pytest

from .conftest import needs_tools

pytestmark = needs_tools

KWS = Path(__file__).resolve().parents[1] / "fixtures" / "mlperf_tiny" / "kws_ref_model.tflite"
RUNTIME = Path(__file__).resolve().parents[2] / "firmware" / "runtime" / "src" / "core" / "hb_interpreter.c"


@pytest.mark.skipif(not KWS.is_file() or not RUNTIME.is_file(), reason="needs the kws fixture and the runtime")
def test_kws_matches_oracle_and_is_deterministic(board):
    from tflite_micro.python.tflite_micro import runtime

    from hil_bench.boards import pick_runner
    from hil_bench.dut import run_model

    x = np.random.default_rng(1).integers(-128, 128, size=(2, 1, 49, 10, 1), dtype=np.int8)
    first = run_model(KWS.read_bytes(), board, x, runs=3, warmups=1)
    second = run_model(KWS.read_bytes(), board, x[:1], runs=3, warmups=1, profile_layers=False)

    oracle = runtime.Interpreter.from_bytes(KWS.read_bytes())
    for i in range(len(x)):
        oracle.set_input(x[i], 0)
        oracle.invoke()
        assert np.array_equal(oracle.get_output(0), first.outputs[0][i]), f"sample {i} differs from tflite_micro"

    assert first.board == board.name and first.runner == pick_runner(board).kind
    if first.runner == "qemu":
        assert first.timing_source == "qemu-icount-instructions" and first.latency.unit == "instructions"
    # deterministic across QEMU runs up to one timer tick: the tick's phase at the start of an inference
    # depends on when the host's bytes arrived (seen: 38114531.25 vs 38114562.5 on a loaded machine)
    assert abs(first.latency.median - second.latency.median) <= first.latency.resolution
    assert first.latency.max - first.latency.min <= first.latency.resolution  # only tick quantization
    assert 1e6 < first.latency.median < 2e8
    assert [l["op"] for l in first.layers][:2] == ["CONV_2D", "DEPTHWISE_CONV_2D"]
    assert sum(l["latency"] for l in first.layers) <= first.latency.median * 1.05
    assert first.model_bytes >= KWS.stat().st_size and first.flash_bytes > first.model_bytes
    assert first.ram_reserved_bytes >= first.arena_bytes > first.arena_used_bytes > 0
    assert first.ram_reserved_bytes > first.ram_bytes > first.arena_used_bytes
    assert first.exit_code == 0


@pytest.mark.skipif(not KWS.is_file() or not RUNTIME.is_file(), reason="needs the kws fixture and the runtime")
def test_kws_weights_read_back_from_flash_and_mlperf_infer(board):
    import re
    import zlib

    from hil_bench.boards.session import open_dut
    from hil_bench.firmware import build_firmware

    model = KWS.read_bytes()
    image = build_firmware(board, model)
    with open_dut(board, image.elf) as dut:
        p = dut.protocol
        info = p.info()
        assert info["model_status"] == "ok" and info["model_bytes"] == len(model)
        flash = board.region(board.placement.model)                   # e.g. QSPI flash on corstone300
        assert flash.origin <= int(info["model_address"], 16) < flash.end - len(model) + 1
        assert p.model_crc(0, len(model)) == zlib.crc32(model)
        assert p.read_model(1000, 4000) == model[1000:5000]
        # MLPerf Tiny's way: hex db load, then infer N W -> timestamps and m-results-[...]
        x = np.random.default_rng(2).integers(-128, 128, size=490, dtype=np.int8)
        p.db_load_hex(x.tobytes())
        lines = dut.link.command("infer 2 1", timeout=60)
        assert lines[:3] == ["m-warmup-start-1", "m-warmup-done", "m-infer-start-2"]
        laps = [int(l.removeprefix("m-lap-us-")) for l in lines if l.startswith("m-lap-us-")]
        assert len(laps) == 2 and laps[1] > laps[0]
        assert lines[-2] == "m-infer-done"
        results = re.fullmatch(r"m-results-\[([^]]+)\]", lines[-1]).group(1).split(",")
        assert len(results) == 12
        oracle_out = _oracle(x.reshape(1, 49, 10, 1))
        o = info.outputs[0]
        assert [float(v) for v in results] == pytest.approx(
            [round(o.scale * (int(q) - o.zero_point), 3) for q in oracle_out.ravel()], abs=1.5e-3)


def _oracle(x):
    from tflite_micro.python.tflite_micro import runtime

    ip = runtime.Interpreter.from_bytes(KWS.read_bytes())
    ip.set_input(x, 0)
    ip.invoke()
    return ip.get_output(0)
