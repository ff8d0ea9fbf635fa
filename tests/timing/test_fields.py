"""Latency in cycles and ms: measured where the device counts cycles (DWT), estimated and named under QEMU."""

import dataclasses
from pathlib import Path

import numpy as np

from hil_bench.boards import load_board
from hil_bench.boards.pyocd import PyocdRunner
from hil_bench.boards.qemu import QemuRunner
from hil_bench.cli.run import _time_lines
from hil_bench.link import Protocol, SerialLink
from hil_bench.timing import CycleEstimate
from hil_bench.timing.fields import timing_fields
from tests.boards.test_link import FakeDevice


def test_dwt_cycles_are_measured_and_say_so(tmp_path):
    """The nucleo path with its link faked: the device's DWT ticks are cycles at 120 MHz, never an estimate."""
    reply = b"m-hb-ticks-2400000\r\nm-hb-infer-done\r\nm-ready\r\n"
    proto = Protocol(SerialLink(FakeDevice(lambda d: reply if d.startswith(b"hb-infer") else b""), name="nucleo"))
    ticks = proto.infer(1, 0).ticks
    board = load_board("nucleo-l4r5zi")
    runner = PyocdRunner(board, tmp_path / "firmware.elf", board.runners[0])
    median = runner.ticks_to_unit(ticks[0], board.cpu.clock_hz)
    got = timing_fields(median, runner.timing_unit, board.cpu.clock_hz)
    assert got == {"clock_hz": 120_000_000, "instructions": None, "cycles": 2_400_000, "ms": 20.0,
                   "cycles_est": None, "ms_est": None, "cycle_model": None, "cycle_histogram": None,
                   "cycle_model_assumptions": None}
    report = {**got, "timing_source": runner.timing_source, "runner": runner.kind}
    assert _time_lines(report) == ["cycles 2,400,000 measured (dwt-cycles) = 20.000 ms at 120 MHz"]


def test_qemu_counts_instructions_and_only_an_estimate_gives_cycles():
    board = load_board("corstone300")
    plain = timing_fields(1_352_093.75, QemuRunner.timing_unit, board.cpu.clock_hz)
    assert plain["instructions"] == 1_352_094 and plain["cycles"] is None and plain["cycles_est"] is None
    est = CycleEstimate("hil-bench cm55-v1 (estimate)", 1_352_092, 1_776_025, board.cpu.clock_hz,
                        {"mve_load": (1_000_000, 1_500_000.0), "alu": (352_092, 276_025.0)})
    got = timing_fields(1_352_093.75, QemuRunner.timing_unit, board.cpu.clock_hz, est)
    assert got["instructions"] == 1_352_092     # the profile's exact count
    assert (got["cycles"], got["ms"]) == (None, None)
    assert got["cycles_est"] == 1_776_025 and got["ms_est"] == 1_776_025 / 32e3
    assert got["cycle_model"] == "hil-bench cm55-v1 (estimate)"
    assert got["cycle_histogram"] == {"mve_load": {"instructions": 1_000_000, "cycles": 1_500_000},
                                      "alu": {"instructions": 352_092, "cycles": 276_025}}
    line = _time_lines({**got, "timing_source": QemuRunner.timing_source, "runner": "qemu"})[0]
    assert line.startswith("cycles_est 1,776,025 = 55.501 ms at 32 MHz, 1,352,092 instructions (CPI 1.31); "
                           "hil-bench cm55-v1 (estimate)")


def test_fvp_cycles_are_named_as_the_simulators_count():
    from hil_bench.boards.fvp import FvpRunner

    got = timing_fields(2_000_000.0, FvpRunner.timing_unit, 25_000_000)
    assert (got["cycles"], got["ms"], got["cycles_est"]) == (2_000_000, 80.0, None)
    report = {**got, "timing_source": FvpRunner.timing_source, "runner": "fvp"}
    assert _time_lines(report) == ["cycles 2,000,000 counted by the fvp simulator = 80.000 ms at 25 MHz"]


def test_cycles_through_a_runner_without_a_profile_is_refused_before_running(monkeypatch):
    """A labgrid place holding a QEMU counts instructions but cannot hand over QEMU's log."""
    import pytest

    from hil_bench.boards.board import load_board_file
    from hil_bench.boards.labgrid import LabgridRunner
    from hil_bench.boards.runner import Availability

    monkeypatch.setattr(LabgridRunner, "available", classmethod(lambda cls, spec: Availability(True)))
    from hil_bench.dut import run_model
    from hil_bench.errors import UsageError

    farm = Path(__file__).resolve().parents[2] / "boards" / "examples" / "labgrid" / "corstone300.toml"
    board = load_board_file(farm)
    spec = next(s for s in board.runners if s.kind == "labgrid")
    board = dataclasses.replace(board, runners=(spec,))
    with pytest.raises(UsageError, match="cannot give; run it with --runner qemu"):
        run_model((Path(__file__).resolve().parents[1] / "fixtures" / "mlperf_tiny" / "kws_ref_model.tflite").read_bytes(), board,
                  np.zeros((1, 49, 10, 1), np.int8), cycles=True)
