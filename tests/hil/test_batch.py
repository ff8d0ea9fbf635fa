"""Batched inference (hb-batch) on real QEMU boards (every --board): outputs byte-identical to the
tflite_micro oracle, deterministic latency, and a round-trip count that no longer grows with the samples."""

from pathlib import Path

import numpy as np
import pytest

from hil_bench.dut import run_model
from hil_bench.errors import DeviceError
from hil_bench.evaluate import run_tflm

from .conftest import needs_tools

pytestmark = [needs_tools, pytest.mark.hil]

RESNET8 = Path(__file__).resolve().parents[1] / "fixtures" / "mlperf_tiny" / "ic_resnet8_int8.tflite"


@pytest.fixture(scope="session")
def digits_pcqat(tmp_path_factory) -> Path:
    """The digits CNN through the PCQAT recipe (prune, cluster, preserve-QAT, int8), built once."""
    from hil_bench.cli.main import main

    out = tmp_path_factory.mktemp("digits-pcqat")
    assert main(["optimize", "--model", "digits_cnn", "--recipe", "pcqat", "--out", str(out), "--quiet"]) == 0
    return out / "model_int8.tflite"


def _inputs(model: Path, count: int, seed: int) -> np.ndarray:
    from hil_bench.tflite import read_model

    sg = read_model(model.read_bytes()).subgraphs[0]
    shape = [int(d) for d in sg.tensors[int(sg.inputs[0])].shape[1:]]
    return np.random.default_rng(seed).integers(-128, 128, size=(count, *shape), dtype=np.int8)


@pytest.mark.parametrize("which,count", [("digits", 40), ("resnet8", 4)])
def test_batched_outputs_equal_the_oracle(board, which, count, digits_pcqat):
    model = digits_pcqat if which == "digits" else RESNET8
    x = _inputs(model, count, seed=3)
    result = run_model(model.read_bytes(), board, x, runs=1, warmups=0, profile_layers=False)
    oracle = run_tflm(model.read_bytes(), x)
    assert result.outputs[0].shape == oracle.shape
    for i in range(count):
        assert np.array_equal(result.outputs[0][i], oracle[i]), f"{which} sample {i} differs from tflite_micro"
    # put + infer + get for the timed first sample, then hb-batch: the count is fixed, not per sample
    assert result.round_trips <= 8, result.round_trips
    assert result.exit_code == 0


def test_latency_is_identical_across_three_qemu_runs(board, digits_pcqat):
    x = _inputs(digits_pcqat, 5, seed=4)
    results = [run_model(digits_pcqat.read_bytes(), board, x, runs=3, warmups=1, profile_layers=False) for _ in range(3)]
    medians = {r.latency.median for r in results}
    # lower bound: the Helium kernels run digits in ~9e4 instructions (reference kernels: ~1e6)
    assert len(medians) == 1 and 1e4 < medians.pop() < 1e8, [r.latency.samples for r in results]
    for r in results:
        assert r.latency.max == r.latency.min                     # same input, same instruction count
        assert np.array_equal(r.outputs[0], results[0].outputs[0])


def test_batching_removes_per_sample_round_trips(board, digits_pcqat):
    x = _inputs(digits_pcqat, 100, seed=5)
    batched = run_model(digits_pcqat.read_bytes(), board, x, runs=1, warmups=0, profile_layers=False)
    single = run_model(digits_pcqat.read_bytes(), board, x, runs=1, warmups=0, profile_layers=False, batch=False)
    assert np.array_equal(batched.outputs[0], single.outputs[0])
    assert np.array_equal(batched.outputs[0], run_tflm(digits_pcqat.read_bytes(), x))
    # per sample: put + infer + get (3 x 100); batched: 3 for the timed sample + one hb-batch + info/exit
    assert single.round_trips >= 300
    assert batched.round_trips * 30 <= single.round_trips, (batched.round_trips, single.round_trips)


def test_garbled_batch_upload_is_resent(board, digits_pcqat):
    from hil_bench.boards.session import open_dut
    from hil_bench.firmware import build_firmware

    x = _inputs(digits_pcqat, 30, seed=6)
    image = build_firmware(board, digits_pcqat.read_bytes())
    with open_dut(board, image.elf) as dut:
        info = dut.protocol.info()
        assert info["batch_max"] * (info.inputs[0].bytes + info.outputs[0].bytes) <= info["db_buffer_bytes"]
        link_write, garbled = dut.link.write, []

        def write_garbling_once(data: bytes) -> None:
            if len(data) == x.nbytes and not garbled:
                garbled.append(True)
                data = bytes([data[0] ^ 0x40]) + data[1:]
            link_write(data)

        dut.link.write = write_garbling_once
        out = dut.protocol.batch(x.tobytes(), len(x), info.outputs[0].bytes, timeout=60)
        assert garbled and dut.protocol.retransmissions == 1
        expected = run_tflm(digits_pcqat.read_bytes(), x)
        assert out == expected.tobytes()
        n = info["batch_max"] + 1                                    # more samples than the buffer holds
        with pytest.raises(DeviceError, match=r"need 1\.\.\d+ samples"):
            dut.protocol.batch(bytes(n * info.inputs[0].bytes), n, info.outputs[0].bytes, timeout=60)
        assert dut.link.command("name") == [f"m-name-dut-[hil-bench {board.name}]"]   # still in step
        dut.protocol.exit(0)
        assert dut.runner.wait_exit(10) == 0
