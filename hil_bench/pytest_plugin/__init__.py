"""pytest plugin: ``pytest --board=NAME`` runs hardware-in-the-loop tests on a board or simulator.

Registered through the ``pytest11`` entry point (or ``-p hil_bench.pytest_plugin``). Three parts, one
job each: :mod:`.hooks` (options, markers, per-board parametrization, skipping without a board),
:mod:`.fixtures` (``board``, ``dut``, ``hil_model``, ``hil_results``) and :mod:`.device` (the started
device a test talks to). A user's test can be as short as::

    @pytest.mark.hil_model("kws.tflite")
    def test_kws(dut):
        y = dut.infer(x)
        assert y.argmax() == 3 and dut.latency.median < 5e6
"""

from hil_bench.pytest_plugin.device import HilDut
from hil_bench.pytest_plugin.fixtures import board, dut, hil_devices, hil_model, hil_results
from hil_bench.pytest_plugin.hooks import (NO_BOARD_REASON, STATE, HilState, current_device, pytest_addoption,
                                           pytest_collection_modifyitems, pytest_configure, pytest_configure_node,
                                           pytest_generate_tests, pytest_runtest_makereport, pytest_sessionfinish,
                                           pytest_terminal_summary, pytest_unconfigure)

__all__ = ["HilDut", "HilState", "NO_BOARD_REASON", "STATE", "board", "current_device", "dut", "hil_devices",
           "hil_model", "hil_results", "pytest_addoption", "pytest_collection_modifyitems", "pytest_configure",
           "pytest_configure_node", "pytest_generate_tests", "pytest_runtest_makereport", "pytest_sessionfinish",
           "pytest_terminal_summary", "pytest_unconfigure"]
