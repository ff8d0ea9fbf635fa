"""Quiet by default: no TensorFlow / absl / CUDA start-up noise on the terminal from a command that
imports TensorFlow and converts a model, without relying on TF_CPP_MIN_LOG_LEVEL (the Makefile sets it;
a user's shell does not). The noise lands in the log; ``--verbose`` shows it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from hil_bench.quiet import LOG_NAME

ROOT = Path(__file__).resolve().parents[2]

# What TensorFlow 2.21, tf_keras and TFMOT print at start-up and conversion on a CPU-only machine.
NOISE = ("absl::InitializeLog", "oneDNN custom operations", "cudart_stub", "cuInit", "TF-TRT", "cpu_feature_guard",
         "fully_quantize", "DeprecationWarning", "WARNING:tensorflow", "WARNING:absl", "tf_keras")
ABSL_LINE = re.compile(r"^[IWEF]\d{4} ", re.MULTILINE)

# One epoch of float training, no pruning, clustering or QAT: the cheapest run that imports TensorFlow,
# trains and converts.
RECIPE = 'name = "quiet"\nseed = 0\n[train]\nepochs = 1\n[qat]\nmode = "none"\n'


def hil_bench(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "HIL_BENCH_VERBOSE")}
    env.update(PYTHONPATH=str(ROOT), HIL_BENCH_CACHE=str(tmp_path / "cache"))
    return subprocess.run([sys.executable, "-m", "hil_bench.cli.main", *argv], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=600)


def test_optimize_is_quiet_and_verbose_shows_what_was_hidden(tmp_path):
    (tmp_path / "quiet.toml").write_text(RECIPE)
    args = ["optimize", "--model", "digits_cnn", "--recipe", "quiet.toml", "--out", "out", "-q"]
    quiet = hil_bench(tmp_path, *args)
    assert quiet.returncode == 0, quiet.stderr
    terminal = quiet.stdout + quiet.stderr
    assert [n for n in NOISE if n in terminal] == [] and not ABSL_LINE.search(terminal), quiet.stderr
    assert quiet.stderr == ""
    log = (tmp_path / "cache" / "logs" / LOG_NAME).read_text()
    assert "TensorFlow start-up" in log and "TFLite conversion" in log   # both windows were taken
    hidden = [n for n in NOISE if n in log]
    assert "absl::InitializeLog" in hidden and "fully_quantize" in hidden, log

    verbose = hil_bench(tmp_path, *args[:-1], "--verbose", "-q")   # after the command; stages are cached now
    assert verbose.returncode == 0, verbose.stderr
    start_up = [n for n in hidden if n != "fully_quantize"]          # no conversion this time
    assert [n for n in start_up if n not in verbose.stderr] == [], verbose.stderr
    assert (tmp_path / "cache" / "logs" / LOG_NAME).read_text() == log   # nothing went to the log


SCRIPT = """
import os, sys
from hil_bench.quiet import native_stderr_to_log
with native_stderr_to_log("a test"):
    os.write(2, b"I0000 00:00:1.0  1 port.cc:1] oneDNN custom operations are on\\n")
    with native_stderr_to_log("a nested block"):   # shares the outer redirect
        os.write(2, b"E0000 00:00:1.0  1 disk.cc:9] disk on fire\\n")
    os.write(2, b"still hidden\\n")
os.write(2, b"after the block\\n")
"""


def test_fd_2_is_restored_and_a_real_error_is_repeated(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HIL_BENCH_CACHE": str(tmp_path)}
    env.pop("HIL_BENCH_VERBOSE", None)
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    log = tmp_path / "logs" / LOG_NAME
    assert out.stderr.splitlines() == [
        f"hil-bench: TensorFlow reported an error during a test: disk on fire; the full text is in {log} "
        "(hil-bench --verbose shows it here)", "after the block"]
    assert all(text in log.read_text() for text in ("oneDNN custom operations", "disk on fire", "still hidden"))
