"""Options, markers and collection: which tests are HIL tests and on which boards they run.

A test is a HIL test when it is marked ``hil`` or uses the ``board`` or ``dut`` fixture. Without
``--board`` such tests are skipped with a reason; with ``--board A --board B`` every test using
``board`` runs once per board (a session-scoped parametrization, so tests are grouped by board and
each board's device is started once). All state lives in ``config.stash[STATE]``.

Under pytest-xdist (``-n N``) every worker is its own session with its own devices and free ports;
the controller picks one run id and one results folder for all of them (``pytest_configure_node``),
so the rows of every worker land in one run file, and compares that file with ``--baseline`` once,
when the whole run ends.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hil_bench.boards import Board, add_boards_dir, list_boards, load_board, remove_boards_dir
from hil_bench.errors import Error
from hil_bench.paths import check_output_dir

NO_BOARD_REASON = "no --board given; run pytest --board=corstone300"
HIL_FIXTURES = frozenset({"board", "dut"})


@dataclass
class HilState:
    boards: tuple[Board, ...]
    results_dir: Path | None
    baseline: Path | None
    run_id: str = ""                  # one per pytest run; xdist workers take the controller's
    pool: object | None = None        # the session's DevicePool, set by the hil_devices fixture
    store: object | None = None       # the session's ResultsStore, set by the hil_results fixture
    summary: list[str] = field(default_factory=list)
    own_results_dir: bool = False     # a temporary folder this process made for xdist workers (removed at the end)

    def run_path(self) -> Path | None:
        """The run file the ``hil_results`` rows go to (None before a folder was chosen)."""
        if self.store is not None:
            return self.store.run_path
        # start-up cost: pulls pandas, loaded only when this runs
        from hil_bench.results.store import RUNS_DIR

        return None if self.results_dir is None else self.results_dir / RUNS_DIR / f"{self.run_id}.csv"


STATE = pytest.StashKey[HilState]()
PHASES = pytest.StashKey[dict]()      # item -> {"setup"|"call"|"teardown": TestReport}


def pytest_addoption(parser) -> None:
    group = parser.getgroup("hil-bench", "hardware-in-the-loop tests (hil-bench)")
    group.addoption("--board", action="append", default=[], dest="hil_boards", metavar="NAME",
                    help="run HIL tests on this board (repeat for several; see `hil-bench boards`); "
                         "without it HIL tests are skipped")
    group.addoption("--results-dir", type=Path, dest="hil_results_dir", metavar="DIR",
                    help="store result rows recorded through the hil_results fixture under DIR "
                         "(runs/<run_id>.csv); default: a temporary directory")
    group.addoption("--baseline", type=Path, dest="hil_baseline", metavar="PATH",
                    help="compare the recorded result rows with this baseline (.csv or directory) at the end; "
                         "a regression fails the session")
    group.addoption("--boards-dir", type=Path, action="append", default=[], dest="hil_boards_dirs", metavar="DIR",
                    help="also use the board files in DIR (before $HIL_BENCH_BOARDS and the built-in boards; "
                         "a board named like a built-in one overrides it)")


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "hil: needs a board or simulator; skipped unless pytest --board=NAME")
    config.addinivalue_line("markers", "hil_model(path): the .tflite the dut fixture builds into the firmware "
                                       "(relative paths are relative to the test file)")
    for folder in reversed(config.getoption("hil_boards_dirs")):    # the first one given is searched first
        try:
            add_boards_dir(folder)
        except Error as exc:
            raise pytest.UsageError(f"--boards-dir {folder}: {exc}") from None
    boards = []
    for name in dict.fromkeys(config.getoption("hil_boards")):   # repeated names run once
        try:
            board = load_board(name)
        except Error as exc:
            raise pytest.UsageError(f"--board {name}: {exc}") from None
        if board.is_host:
            raise pytest.UsageError(f"--board {name}: the host build has no device to start; use a target board: "
                                    f"{', '.join(b for b in list_boards() if b != name)}")
        boards.append(board)
    results_dir, baseline = config.getoption("hil_results_dir"), config.getoption("hil_baseline")
    if results_dir is not None:   # the same check as the CLI's: a folder, writable, before any test runs
        try:
            check_output_dir(results_dir, "--results-dir")
            check_output_dir(Path(results_dir) / "runs", "--results-dir")   # where the rows go
        except Error as exc:
            raise pytest.UsageError(str(exc)) from None
    if baseline is not None:
        # start-up cost: pulls pandas, loaded only when this runs
        from hil_bench.results import read_results

        try:
            read_results(baseline)
        except Error as exc:
            raise pytest.UsageError(f"--baseline {baseline}: {exc}") from None
    # start-up cost: pulls pandas, loaded only when this runs
    from hil_bench.results.row import new_run_id

    state = HilState(tuple(boards), results_dir, baseline, run_id=new_run_id())
    shared = getattr(config, "workerinput", {}).get("hil_bench")
    if shared is not None:   # an xdist worker: the controller's run id and folder
        state.run_id, state.results_dir = shared["run_id"], Path(shared["results_dir"])
    config.stash[STATE] = state


@pytest.hookimpl(optionalhook=True)
def pytest_report_header(config) -> list[str]:
    """Says how the ``dut`` images store and decode the weights: as ``run`` and ``bench`` do."""
    from hil_bench.compress import defaults

    if not config.getoption("hil_boards"):
        return []
    return [f"hil-bench dut: weights stored: {defaults.COMPRESS}, decoded: {defaults.DECODE} "
            "(the defaults of run, bench, size, sweep and fit)"]


def pytest_configure_node(node) -> None:
    """xdist controller, once per worker: hand it the run id and results folder every worker shares."""
    state = node.config.stash[STATE]
    if state.results_dir is None:
        state.results_dir = Path(tempfile.mkdtemp(prefix="hil-results-"))
        state.own_results_dir = True
    node.workerinput["hil_bench"] = {"run_id": state.run_id, "results_dir": str(state.results_dir)}


def current_device(config):
    """The device the ``dut`` fixture keeps running right now (a :class:`HilDut`), or None."""
    pool = config.stash[STATE].pool if STATE in config.stash else None
    return pool.current if pool is not None else None


def pytest_generate_tests(metafunc) -> None:
    if "board" not in metafunc.fixturenames:
        return
    names = [b.name for b in metafunc.config.stash[STATE].boards]
    if names:
        metafunc.parametrize("board", names, ids=names, indirect=True, scope="session")


def is_hil(item) -> bool:
    return item.get_closest_marker("hil") is not None or bool(HIL_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config, items) -> None:
    have_boards = bool(config.stash[STATE].boards)
    for item in items:
        if not is_hil(item):
            continue
        if item.get_closest_marker("hil") is None:
            item.add_marker(pytest.mark.hil)      # so that `-m "not hil"` selects exactly the unit tests
        if not have_boards:
            item.add_marker(pytest.mark.skip(reason=NO_BOARD_REASON))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(PHASES, {})[report.when] = report
    return report


def item_failed(item) -> bool:
    """Whether the item's setup or call failed so far (read by the dut fixture's teardown)."""
    return any(r.failed for r in item.stash.get(PHASES, {}).values())


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config) -> None:
    for folder in config.getoption("hil_boards_dirs", default=[]) or []:
        remove_boards_dir(folder)
    state = config.stash.get(STATE, None)
    if state is not None and state.own_results_dir:
        shutil.rmtree(state.results_dir, ignore_errors=True)


def pytest_sessionfinish(session, exitstatus) -> None:
    """With ``--baseline``: compare the rows recorded through ``hil_results``; a regression fails the run."""
    state = session.config.stash.get(STATE, None)
    if state is None or state.baseline is None or hasattr(session.config, "workerinput"):
        return   # an xdist worker: the controller compares every worker's rows at once
    run_path = state.run_path()
    if run_path is None or not run_path.exists():
        state.summary.append(f"no result rows were recorded (hil_results); nothing compared with {state.baseline}")
        return
    # start-up cost: pulls pandas, loaded only when this runs
    from hil_bench.results import compare, read_results

    try:
        result = compare(read_results(state.baseline), read_results(run_path), missing_ok=True)
    except Error as exc:
        state.summary.append(f"cannot compare with the baseline {state.baseline}: {exc}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        return
    state.summary.append(f"results: {run_path}; baseline: {state.baseline}")
    state.summary.extend(result.to_table().splitlines())
    if not result.ok and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    lines = config.stash[STATE].summary if STATE in config.stash else []
    if lines:
        terminalreporter.section("hil-bench")
        for line in lines:
            terminalreporter.write_line(line)
