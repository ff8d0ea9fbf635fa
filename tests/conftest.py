"""Suite-wide settings: a private cache so tests never see (or fill) the user's ~/.cache/hil-bench."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    if "HIL_BENCH_TEST_CACHE" in os.environ:  # let a developer keep builds between runs
        os.environ["HIL_BENCH_CACHE"] = os.environ["HIL_BENCH_TEST_CACHE"]
    else:
        os.environ["HIL_BENCH_CACHE"] = str(tmp_path_factory.mktemp("hil-bench-cache"))
    yield
