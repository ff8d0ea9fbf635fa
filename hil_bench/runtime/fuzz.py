"""Build and run the libFuzzer target for model loading (``firmware/fuzz/hb_fuzz_load.c``).

Needs Debian's ``clang`` and ``libclang-rt-14-dev`` (libFuzzer and sanitizer runtimes). A bounded
pass starts from the MLPerf Tiny models (or any seed directory) and reports crashes as files.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hil_bench.errors import BuildError, ToolMissingError
from hil_bench.runtime.build import compile_program, firmware_dir

INSTALL = "apt-get install -y clang libclang-rt-14-dev"
FLAGS = ["-O1", "-g", "-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=all"]


@dataclass(frozen=True)
class FuzzResult:
    """Outcome of one bounded fuzzing pass."""

    seconds: int
    runs: int
    crashed: bool
    artifacts: list[Path]
    log_tail: str


def build_fuzzer() -> Path:
    """Compile the fuzz target with clang (cached); ToolMissingError names the packages."""
    if shutil.which("clang") is None:
        raise ToolMissingError(f"clang is not installed; install it with: {INSTALL}")
    try:
        return compile_program("hb_fuzz", [firmware_dir() / "fuzz" / "hb_fuzz_load.c"], FLAGS, cc="clang")
    except BuildError as exc:
        if "libclang_rt" in str(exc):
            raise ToolMissingError(f"clang's sanitizer/libFuzzer runtimes are missing; install: {INSTALL}") from None
        raise


def run_fuzz(seconds: int, seeds: list[Path], *, work_dir: Path | None = None, max_len: int = 131072) -> FuzzResult:
    """Fuzz for ``seconds`` starting from the ``seeds`` files; crashes land in work_dir/artifacts."""
    exe = build_fuzzer()
    work = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="hb-fuzz-"))
    corpus, artifacts = work / "corpus", work / "artifacts"
    corpus.mkdir(parents=True, exist_ok=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        shutil.copy(seed, corpus / seed.name)
    cmd = [str(exe), f"-max_total_time={seconds}", f"-max_len={max_len}", "-timeout=10", "-rss_limit_mb=2048",
           f"-artifact_prefix={artifacts}/", str(corpus)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    except subprocess.TimeoutExpired:
        raise ToolMissingError(f"the fuzzer did not stop after {seconds} s (hung): {' '.join(cmd)}") from None
    log = proc.stderr
    runs = [int(m) for m in re.findall(r"Done (\d+) runs", log)] or [0]
    found = sorted(artifacts.iterdir())
    return FuzzResult(seconds, runs[-1], proc.returncode != 0 or bool(found), found, log[-4000:])
