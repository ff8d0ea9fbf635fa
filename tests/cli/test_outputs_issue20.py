"""Outputs that misled a firmware engineer (issue 20), without a board: per-layer latencies that read as
thousands, `optimize` calling the pruned and clustered model "float accuracy", and the `dut` fixture
building another image than `run` and `bench` (uncompressed against auto)."""

from __future__ import annotations

from types import SimpleNamespace

from hil_bench.boards import load_board
from hil_bench.cli.optimize import accuracies
from hil_bench.cli.output import latency_text, table
from hil_bench.cli.run import layer_rows
from hil_bench.compress import defaults


def test_per_layer_latencies_carry_the_unit_and_thousands_separators():
    layers = [{"index": 0, "op": "CONV_2D", "latency": 131812.5}, {"index": 1, "op": "RESHAPE", "latency": 250.0},
              {"index": 2, "op": "FULLY_CONNECTED", "latency": 750.0}]
    text = table(layer_rows(layers, "instructions"), [("index", "#"), ("op", "op"), ("latency", "latency")])
    assert "131,812 instructions" in text and "    250 instructions" in text and "750 instructions" in text
    assert "250.000" not in text and "750.000" not in text
    assert latency_text(156.25, "us") == "156.25 us" and latency_text(1234567.0, "cycles") == "1,234,567 cycles"


def _stage(name, score):
    return SimpleNamespace(name=name, score=score)


def test_optimize_names_each_accuracy_after_its_model():
    stages = [_stage("train", 0.95), _stage("prune", 0.93), _stage("cluster", 0.92), _stage("qat", 0.925),
              _stage("int8", 0.921)]
    result = SimpleNamespace(stages=stages, structured_stage=stages[2])
    assert accuracies(result) == [("trained float", 0.95), ("pruned and clustered float", 0.92),
                                  ("QAT float", 0.925), ("int8 on the host (TFLite Micro reference kernels)", 0.921)]
    given = [_stage("float", 0.9), _stage("int8", 0.89)]   # a user's model, not trained here, plain PTQ
    assert accuracies(SimpleNamespace(stages=given, structured_stage=given[0])) == [
        ("float as given", 0.9), ("int8 on the host (TFLite Micro reference kernels)", 0.89)]


def test_the_dut_fixture_stores_the_model_as_run_and_bench_do(monkeypatch, tmp_path):
    """The plugin's device compresses with the shared default (auto), as `run`/`bench` do; main built it raw."""
    from hil_bench.compress import compress_model
    from hil_bench.dut import Device
    from hil_bench.pytest_plugin.device import HilDut
    from tests.cli.test_run import KWS

    seen = {}

    def fake_init(self, board, model, **options):
        seen.update(model=model, **options)

    monkeypatch.setattr(Device, "__init__", fake_init)
    dut = HilDut(load_board("corstone300"), KWS)
    assert dut.compress == defaults.COMPRESS == "auto" and dut.decode == defaults.DECODE
    assert seen["model"] == compress_model(KWS.read_bytes(), defaults.COMPRESS).model
    assert seen["decode"] == defaults.DECODE


def test_every_front_defaults_to_the_one_compression_default():
    from hil_bench.cli.main import build_parser

    parser = build_parser()
    for argv in (["run", "m.tflite", "--board", "x"], ["bench", "--board", "x"], ["size", "m.tflite", "--board", "x"],
                 ["sweep", "--model", "m", "--board", "x"], ["fit", "--model", "m", "--board", "x"]):
        assert parser.parse_args(argv).compress == defaults.COMPRESS, argv[0]
