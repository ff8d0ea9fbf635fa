"""Suite-wide settings: a private cache so tests never see (or fill) the user's ~/.cache/hil-bench."""

from __future__ import annotations

import os

import pytest

# An unexpected exception in the CLI fails the test with its traceback instead of becoming the short
# "internal error" message users get (hil_bench/cli/main.py); subprocesses inherit it.
os.environ.setdefault("HIL_BENCH_DEBUG", "1")


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    if "HIL_BENCH_TEST_CACHE" in os.environ:  # let a developer keep builds between runs
        os.environ["HIL_BENCH_CACHE"] = os.environ["HIL_BENCH_TEST_CACHE"]
    elif "PYTEST_XDIST_WORKER" in os.environ:
        # pytest -n: the workers share one cache (each worker's basetemp is a folder of the run's), so a
        # model is trained and an image built once per run, not once per worker; entries are written
        # atomically and an identical one finished first is kept (hil_bench.cache.building).
        shared = tmp_path_factory.getbasetemp().parent / "hil-bench-cache"
        shared.mkdir(exist_ok=True)
        os.environ["HIL_BENCH_CACHE"] = str(shared)
    else:
        os.environ["HIL_BENCH_CACHE"] = str(tmp_path_factory.mktemp("hil-bench-cache"))
    yield
