"""What a user's own HIL test looks like: pick a model, ``dut.infer(x)``, assert on the output and latency.

Run with ``pytest --board=corstone300 tests/hil/test_user_example.py``; skipped without ``--board``.
"""

from pathlib import Path

import numpy as np
import pytest

from hil_bench.evaluate import run_tflm

KWS = Path(__file__).resolve().parents[1] / "fixtures" / "mlperf_tiny" / "kws_ref_model.tflite"


@pytest.mark.hil_model(KWS)
def test_keyword_spotting_on_the_board(dut):
    x = np.random.default_rng(0).integers(-128, 128, size=(1, 49, 10, 1), dtype=np.int8)
    y = dut.infer(x)
    assert np.array_equal(y, run_tflm(KWS.read_bytes(), x)[0])   # bit-exact with TFLite Micro
    assert dut.latency.unit in ("instructions", "cycles") and 1e6 < dut.latency.median < 2e8
