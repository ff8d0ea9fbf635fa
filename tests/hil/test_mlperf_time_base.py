"""MLPerf Tiny's timestamps (m-lap-us-) share `run`'s time base: under QEMU, executed instructions at the
board clock (one instruction counted as one cycle), not 1 instruction = 1 ns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.hil.conftest import needs_tools

KWS = Path(__file__).resolve().parents[1] / "fixtures" / "mlperf_tiny" / "kws_ref_model.tflite"


@needs_tools
@pytest.mark.hil
def test_mlperf_laps_are_instructions_at_the_board_clock(board):
    if board.name not in ("corstone300", "mps2-an386"):   # one conversion for all; two clocks suffice
        pytest.skip("checked on corstone300 (32 MHz) and mps2-an386 (25 MHz)")
    from hil_bench.dut import Device

    x = np.random.default_rng(2).integers(-128, 128, size=(1, 49, 10, 1), dtype=np.int8)
    with Device(board, KWS.read_bytes(), mlperf_model="kws01") as dev:
        instructions = dev.to_unit(dev.infer(x, runs=1)[1].ticks[0])   # hil-bench's own timing (run's base)
        dev.protocol.db_load_hex(x.tobytes())
        lines = dev.link.command("infer 4 1", timeout=120)
    laps = [int(line.removeprefix("m-lap-us-")) for line in lines if line.startswith("m-lap-us-")]
    per_inference_us = (laps[1] - laps[0]) / 4
    expected_us = instructions / (board.cpu.clock_hz / 1e6)
    # the window also holds the input reloads and printing the first timestamp: well under 1 %
    assert expected_us <= per_inference_us < expected_us * 1.01
    assert per_inference_us > instructions / 1000 * 10     # not the old 1 instruction = 1 ns
