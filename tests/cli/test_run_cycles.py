"""`hil-bench run --cycles` on a QEMU board: the exact instruction count, a cycle estimate and its time
at the board clock, named by the core's model; the profile's count equals what SysTick measured."""

from __future__ import annotations

from pathlib import Path

import pytest

from hil_bench.timing import core_timing
from hil_bench.timing.profile import profile_inference
from tests.cli.test_run import KWS, _random_inputs, _run_json


@pytest.mark.hil
def test_run_cycles_reports_an_estimate_beside_the_instructions(board, capsys):
    report = _run_json(capsys, ["run", str(KWS), "--board", board.name, "--cycles", "--random", "1"])
    assert report["runner"] == "qemu" and report["latency"]["unit"] == "instructions"
    assert report["cycle_model"] == core_timing(board.cpu.core).label
    assert report["cycle_model"].endswith("(estimate)")
    assert any("flash_wait_states" in note for note in report["cycle_model_assumptions"])
    histogram = report["cycle_histogram"]
    assert sum(c["instructions"] for c in histogram.values()) == report["instructions"]
    assert abs(sum(c["cycles"] for c in histogram.values()) - report["cycles_est"]) <= len(histogram)
    # the profile counted the same inference SysTick timed: within one tick (plus the timer read)
    assert abs(report["instructions"] - report["latency"]["median"]) <= report["latency"]["resolution"] + 64
    assert report["clock_hz"] == board.cpu.clock_hz
    assert report["ms_est"] == pytest.approx(report["cycles_est"] * 1e3 / board.cpu.clock_hz)
    assert report["instructions"] <= report["cycles_est"] <= 3 * report["instructions"]   # CPI of a Cortex-M
    assert report["cycles"] is None and report["ms"] is None   # nothing here measures cycles
    if board.name != "corstone300":
        return
    # deterministic: another profile pass of the same image and input, cut into blocks wherever QEMU
    # cuts them this time, gives the same estimate (checked on the main board: the code is the same)
    again = profile_inference(board, Path(report["elf"]), _random_inputs(KWS, 1, 0).tobytes())
    assert (again.instructions, again.cycles) == (report["instructions"], report["cycles_est"])
