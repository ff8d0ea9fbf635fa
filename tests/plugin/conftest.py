"""The plugin's own tests run pytest inside pytest (the ``pytester`` fixture).

``pytest_plugins = ["pytester"]`` is only allowed in the top-level conftest, and that file is not this
folder's, so pytester is registered here when the suite's configuration has not done it already.
"""

import importlib.metadata

import pytest

# Imported here, before pytester snapshots sys.modules, so that the inner runs share them: tflite_micro's
# compiled extension cannot be imported a second time into one process once pytester has dropped it.
import hil_bench.evaluate  # noqa: F401,E402
import hil_bench.firmware  # noqa: F401,E402
import hil_bench.tflite  # noqa: F401,E402
import tflite_micro.python.tflite_micro.runtime  # noqa: F401,E402

PLUGIN = "hil_bench.pytest_plugin"


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


def plugin_args() -> list[str]:
    """``-p hil_bench.pytest_plugin`` unless the installed entry point already loads it in every run."""
    installed = any(ep.value == PLUGIN for ep in importlib.metadata.entry_points(group="pytest11"))
    return [] if installed else ["-p", PLUGIN]


@pytest.fixture
def run_inner(pytester):
    """Run the test files written with ``pytester`` in this process (its QEMUs are our children)."""

    def run(*args):
        return pytester.runpytest_inprocess(*plugin_args(), "-p", "no:cacheprovider", "-p", "no:labgrid", "-rs", *args)

    return run
