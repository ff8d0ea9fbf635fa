"""The watchdog's deadlines (hil_bench.watchdog): from the model's work, or the user's --timeout."""

from __future__ import annotations

from pathlib import Path

import pytest

from hil_bench.watchdog import FLOOR_S, Watchdog, expected_instructions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mlperf_tiny"
# Plain C instructions per inference measured on corstone300 (`run --kernels ref`): the estimate must cover them.
MEASURED = {"kws_ref_model.tflite": 37_429_344, "ic_resnet8_int8.tflite": 93_981_750}


@pytest.mark.parametrize("name", sorted(MEASURED))
def test_the_estimate_covers_the_slowest_kernels_with_room(name):
    estimate = expected_instructions((FIXTURES / name).read_bytes())
    assert 1.5 * MEASURED[name] <= estimate <= 6 * MEASURED[name]


def test_the_deadline_grows_with_the_work():
    dog = Watchdog(40_000_000)
    assert dog.seconds() == FLOOR_S
    assert dog.seconds(10) > dog.seconds(1) > FLOOR_S
    assert dog.seconds(1, upload_bytes=40_960) > dog.seconds(1)
    assert "10 inference(s) of at most ~40,000,000 instructions" in dog.why(10)


def test_timeout_replaces_the_estimate():
    dog = Watchdog(40_000_000, timeout_s=3.0)
    assert dog.seconds(1000, upload_bytes=10**6) == 3.0 and dog.why(5) == "--timeout"
