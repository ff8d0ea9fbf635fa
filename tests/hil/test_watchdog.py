"""The device watchdog on a real image that loops: the plain C fully connected kernel replaced by one that
never returns. `run` must end within the deadline it states, with "the board stopped responding" and
the last bytes received, exit 1, and leave no simulator running (this folder's conftest checks)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import time

import pytest

from hil_bench.cache import cache_dir, remove_entry
from hil_bench.cli.main import main
from tests.cache.damage import copy_entries, entries
from tests.hil.conftest import needs_tools

pytestmark = [needs_tools, pytest.mark.hil]

FC_C = "runtime/src/kernels/fc/hb_fully_connected_s8_c.c"
START_UP_S = 60      # build (the kernel and the model array), QEMU start and boot, on a loaded machine


@pytest.fixture(scope="module")
def looping(request, tmp_path_factory):
    """(digits ptq .tflite, a cache whose plain C fully connected kernel object loops forever)."""
    if "corstone300" not in request.config.getoption("hil_boards"):
        pytest.skip("the watchdog is checked on corstone300 (pass --board=corstone300)")
    from hil_bench.bench import get_suite, trained_suite_recipe
    from hil_bench.firmware import build

    folder = tmp_path_factory.mktemp("looping")
    model = folder / "digits_ptq.tflite"
    model.write_bytes(trained_suite_recipe(get_suite("default"), "ptq")[2].tflite)
    private = folder / "cache"
    if (cache_dir() / "objects").is_dir():   # the session's objects, but the kernel is compiled again below
        copy_entries(cache_dir() / "objects", private / "objects")
        for entry in entries(private, "objects", FC_C):
            remove_entry(entry)
    source = build.FIRMWARE_DIR / FC_C
    loop = folder / source.name
    text = source.read_text()
    marker = "    (void)scratch; /* the reference path needs no scratch */\n"
    assert marker in text
    loop.write_text(text.replace(marker, marker + "    for (;;) {\n    }\n"))
    real = build._run

    def swapped(cmd, what):
        return real([str(loop) if part == str(source) else part for part in cmd], what)

    before = os.environ["HIL_BENCH_CACHE"]
    os.environ["HIL_BENCH_CACHE"] = str(private)
    build._run = swapped
    try:
        yield model
    finally:
        build._run = real
        os.environ["HIL_BENCH_CACHE"] = before


def _run(argv: list[str]) -> tuple[int, str, float]:
    err = io.StringIO()
    start = time.monotonic()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    return code, err.getvalue(), time.monotonic() - start


def test_a_looping_firmware_ends_the_run_within_the_derived_deadline(board, looping):
    if board.name != "corstone300":   # each run spins until the deadline: one core shows the watchdog
        pytest.skip("the watchdog does not depend on the core: checked on corstone300")
    code, err, seconds = _run(["run", str(looping), "--board", board.name, "--kernels", "ref", "--random", "3"])
    assert code == 1, err
    message = " ".join(line.strip() for line in err.splitlines())
    found = re.search(r"the board stopped responding after (\d+) s \(no complete reply to 'hb-infer 3 1 1' "
                      r"within (\d+) s: deadline for 5 inference\(s\) of at most ~[\d,]+ instructions each", message)
    assert found, err
    waited, deadline = int(found.group(1)), int(found.group(2))
    assert 15 <= deadline <= 60          # from the model's instruction count: a small model, far below 600 s
    assert deadline <= waited <= deadline + 2 and seconds < deadline + START_UP_S
    assert "last bytes received: b'" in message and "m-hb-put-ok" in message   # what the board said last
    assert "Traceback" not in err


def test_timeout_sets_the_deadline(board, looping):
    if board.name != "corstone300":   # each run spins until the deadline: one core shows the watchdog
        pytest.skip("the watchdog does not depend on the core: checked on corstone300")
    code, err, seconds = _run(["run", str(looping), "--board", board.name, "--kernels", "ref", "--random", "1",
                               "--timeout", "3"])
    assert code == 1, err
    message = " ".join(line.strip() for line in err.splitlines())
    assert "the board stopped responding after 3 s" in message and "within 3 s: --timeout)" in message, err
    assert seconds < 3 + START_UP_S
