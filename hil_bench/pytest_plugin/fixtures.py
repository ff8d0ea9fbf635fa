"""Fixtures: ``board`` (one per ``--board``), ``dut`` (a started device), ``hil_model``, ``hil_results``.

``dut`` hands out the session's running device for (board, model); the device is built and started
the first time a test asks for it, reused by the next tests that ask for the same board and model,
restarted after a failed test, and always stopped when the session ends.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hil_bench.boards import Board
from hil_bench.pytest_plugin.device import DevicePool, HilDut
from hil_bench.resources import default_model
from hil_bench.pytest_plugin.hooks import NO_BOARD_REASON, STATE, item_failed



@pytest.fixture(scope="session")
def board(request) -> Board:
    """The board of this test's ``--board`` value (tests using it run once per given board)."""
    name = getattr(request, "param", None)
    if name is None:
        pytest.skip(NO_BOARD_REASON)
    return next(b for b in request.config.stash[STATE].boards if b.name == name)   # loaded once, at configure


@pytest.fixture
def hil_model(request) -> Path:
    """The .tflite ``dut`` runs: the test's ``@pytest.mark.hil_model(path)``, else MLPerf Tiny's KWS model.

    Override this fixture in a conftest.py to give a whole directory of tests another model.
    """
    marker = request.node.get_closest_marker("hil_model")
    if marker is None:
        return default_model()
    if len(marker.args) != 1 or marker.kwargs or not isinstance(marker.args[0], (str, os.PathLike)):
        raise pytest.UsageError(f"{request.node.nodeid}: use @pytest.mark.hil_model(PATH) with one path")
    path = Path(marker.args[0])
    return path if path.is_absolute() else Path(request.node.path).parent / path


@pytest.fixture(scope="session")
def hil_devices(request, tmp_path_factory) -> DevicePool:
    """The session's device pool (at most one device running); stopped at the end of the session."""
    pool = DevicePool(log_dir=tmp_path_factory.mktemp("hil-logs"))
    state = request.config.stash[STATE]
    state.pool = pool
    yield pool
    pool.stop()
    state.pool = None


@pytest.fixture
def dut(request, board: Board, hil_model, hil_devices: DevicePool) -> HilDut:
    """A started ``board`` running firmware built for ``hil_model``: ``dut.infer(x)``, ``dut.latency``."""
    device = hil_devices.get(board, Path(hil_model))
    device.latency = None
    yield device
    if item_failed(request.node) or not device.alive():
        hil_devices.stop()          # its protocol state is unknown: the next test gets a fresh start


@pytest.fixture(scope="session")
def hil_results(request, tmp_path_factory):
    """A :class:`hil_bench.results.ResultsStore` for this session's rows (``--results-dir``, else a temp dir).

    With ``--baseline``, the rows appended here are compared with the baseline when the session ends.
    """
    # start-up cost: pulls pandas, loaded only when this runs
    from hil_bench.results import ResultsStore

    state = request.config.stash[STATE]
    state.store = ResultsStore(state.results_dir or tmp_path_factory.mktemp("hil-results"), run_id=state.run_id)
    return state.store
