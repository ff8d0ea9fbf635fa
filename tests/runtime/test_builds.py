"""Builds: the C API checks under sanitizers, the cross build for four Cortex-M cores, the size
report, and a bounded libFuzzer pass."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import FIXTURES
from hil_bench.errors import ToolMissingError
from hil_bench.runtime.build import SANITIZE, compile_program, firmware_dir
from hil_bench.runtime.cross import CORES, cross_compile, size_report

FUZZ_SECONDS = 15


def test_c_api_checks() -> None:
    exe = compile_program("hb_api_test", [firmware_dir() / "host" / "hb_api_test.c"], ["-O1", *SANITIZE])
    for name in ("kws_ref_model.tflite", "ic_resnet8_int8.tflite"):
        proc = subprocess.run([str(exe), str(FIXTURES / name)], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert "all checks passed" in proc.stdout


needs_arm_gcc = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None,
                                   reason="arm-none-eabi-gcc not installed (apt-get install gcc-arm-none-eabi)")


@needs_arm_gcc
@pytest.mark.parametrize("core", sorted(CORES))
def test_cross_build_warning_free(core: str, tmp_path) -> None:
    objects = cross_compile(core, tmp_path, optimize="-O2")  # -Werror: any warning raises BuildError
    assert len(objects) >= 20 and all(o.stat().st_size > 0 for o in objects)


@needs_arm_gcc
def test_size_report() -> None:
    report = size_report("cortex-m55")
    names = [row["object"] for row in report["objects"]]
    assert "kernels/conv/hb_conv_s8_mve" in names and "ops/hb_op_conv" in names
    assert report["total"]["text"] == sum(r["text"] for r in report["objects"]) > 5000
    assert report["total"]["data"] == 0 and report["total"]["bss"] == 0  # no global mutable state


def test_fuzz_pass(tmp_path) -> None:
    from hil_bench.runtime.fuzz import run_fuzz

    try:
        seeds = sorted(FIXTURES.glob("*.tflite")) + sorted((firmware_dir() / "fuzz" / "seeds").glob("*.tflite"))
        result = run_fuzz(FUZZ_SECONDS, seeds, work_dir=tmp_path)
    except ToolMissingError as exc:
        pytest.skip(str(exc))
    assert not result.crashed, f"fuzzer found {result.artifacts}:\n{result.log_tail}"
    assert result.runs > 100
