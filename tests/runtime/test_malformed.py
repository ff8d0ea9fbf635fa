"""Malformed and unsupported models are refused with a status, never a crash.

The host runner runs under AddressSanitizer + UBSan here, with the model in a buffer of its exact
size, so any read past the model or the arena, or any undefined behaviour, fails the test. A model
that is accepted (some random mutants only touch weights) is also run once.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURES
from hil_bench.runtime.build import build_host_runner
from malformed_models import corpus

SANITIZER_ENV = {
    "ASAN_OPTIONS": "exitcode=99:detect_leaks=1:abort_on_error=0",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1:exitcode=98",
}
CLEAN = {0, 5, 6, 7}  # accepted, HB_ERR_MODEL, HB_ERR_UNSUPPORTED, HB_ERR_ARENA
BASE = (FIXTURES / "kws_ref_model.tflite").read_bytes()
CORPUS = corpus(BASE)


@pytest.fixture(scope="module")
def san_runner() -> Path:
    return build_host_runner(sanitize=True)


def run(exe: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, **SANITIZER_ENV)
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=60, env=env)


def check_clean(proc: subprocess.CompletedProcess, name: str) -> None:
    report = proc.stderr
    assert "Sanitizer" not in report and "runtime error" not in report, f"{name}: {report[-3000:]}"
    assert proc.returncode in CLEAN, f"{name}: exit {proc.returncode}: {report[-2000:]}"


def test_corpus_is_refused_cleanly(san_runner: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "in.bin"
    inputs.write_bytes(np.zeros(490, dtype=np.int8).tobytes())
    wrong = []
    for name, data, status, text in CORPUS:
        path = tmp_path / f"{name}.tflite"
        path.write_bytes(data)
        proc = run(san_runner, "--check", str(path))
        check_clean(proc, name)
        if status is not None and (proc.returncode != status or text not in proc.stderr):
            wrong.append(f"{name}: exit {proc.returncode} (want {status}, '{text}'): {proc.stderr.strip()}")
        if proc.returncode == 0 and status is None:
            proc = run(san_runner, str(path), str(inputs), str(tmp_path / "out.bin"), "1")
            check_clean(proc, name + " (invoke)")
    assert not wrong, "\n".join(wrong)


def test_corpus_is_not_trivial() -> None:
    """Most hand-made entries must be refusals, so the check above cannot pass by accepting all."""
    assert sum(1 for _, _, status, _ in CORPUS if status is not None) >= 40


def test_arena_too_small_is_refused(san_runner: Path, tmp_path: Path) -> None:
    path = tmp_path / "kws.tflite"
    path.write_bytes(BASE)
    for size in (64, 1000, 5000, 20000):
        proc = run(san_runner, "--arena", str(size), "--check", str(path))
        check_clean(proc, f"arena {size}")
        assert proc.returncode == 7, proc.stderr


def test_valid_model_runs_under_sanitizers(san_runner: Path, tmp_path: Path) -> None:
    for name in ("kws_ref_model.tflite", "ic_resnet8_int8.tflite"):
        data = (FIXTURES / name).read_bytes()
        path = tmp_path / name
        path.write_bytes(data)
        info = run(san_runner, "--info", str(path))
        check_clean(info, name)
        size = 490 if name.startswith("kws") else 3072
        rng = np.random.default_rng(0)
        (tmp_path / "in.bin").write_bytes(rng.integers(-128, 128, size=3 * size, dtype=np.int8).tobytes())
        proc = run(san_runner, str(path), str(tmp_path / "in.bin"), str(tmp_path / "out.bin"), "3")
        check_clean(proc, name)
        assert proc.returncode == 0


REGRESSIONS = sorted((Path(__file__).parent / "fuzz_regressions").glob("*.tflite"))


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.stem for p in REGRESSIONS])
def test_fuzzer_findings_stay_fixed(san_runner: Path, path: Path) -> None:
    """Inputs the fuzzer once crashed the runtime with (UBSan/ASan findings), kept as regressions."""
    check_clean(run(san_runner, "--check", str(path)), path.stem)
