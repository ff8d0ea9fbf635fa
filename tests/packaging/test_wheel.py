"""hil-bench as a user gets it: build the wheel (and, separately, ``pip install .`` without -e, and the
source distribution), install it into a fresh venv outside the repository, and from an empty directory run ``hil-bench boards``,
``hil-bench run`` on the KWS model and ``pytest --board=corstone300`` on a user's own test file.

The venv reuses the dependencies already installed (a ``.pth`` line naming this interpreter's
site-packages, so nothing is downloaded) but gets hil-bench only from what was installed into it.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
KWS = REPO / "tests" / "fixtures" / "mlperf_tiny" / "kws_ref_model.tflite"
# What a source distribution of hil-bench holds (setup.py ships boards/, firmware/ and the model from it).
SOURCE = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "hil_bench", "boards", "firmware",
          "tests/fixtures/mlperf_tiny")

pytestmark = pytest.mark.skipif(
    shutil.which("qemu-system-arm") is None or shutil.which("arm-none-eabi-gcc") is None,
    reason="needs qemu-system-arm and arm-none-eabi-gcc (make install)")

USER_TEST = """
import numpy as np


def test_keyword_spotting_runs_on_the_board(dut):
    y = dut.infer(np.zeros((1, 49, 10, 1), dtype=np.int8))
    assert y.shape == (1, 12) and y.dtype == np.int8
    assert dut.latency.unit == "instructions" and dut.latency.median > 0
"""


def _run(cmd, cwd, env, timeout=600) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} -> {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _source_copy(dest: Path) -> Path:
    """The files a source distribution holds, copied away from the checkout (no build/ or egg-info left here)."""
    for name in SOURCE:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
        else:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def _venv(path: Path) -> Path:
    """A venv without hil-bench whose Python also sees the dependencies installed for this one."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, timeout=120)
    python = path / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # Plain path lines: the directories join sys.path after the venv's own site-packages, and the .pth
    # files in them (this checkout's editable install among them) are not run.
    here = dict.fromkeys([*site.getsitepackages(), sysconfig.get_paths()["purelib"]])
    (Path(purelib) / "_hil_bench_test_deps.pth").write_text("\n".join(here) + "\n")
    return python


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = _source_copy(tmp_path_factory.mktemp("src"))
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
          "-w", dist, src], cwd=src, env=_env(), timeout=300)
    (found,) = dist.glob("hil_bench-*.whl")
    return found


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(TF_CPP_MIN_LOG_LEVEL="2", PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def test_the_wheel_holds_boards_firmware_and_the_default_model(wheel):
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    assert "hil_bench/_data/boards/corstone300.toml" in names
    assert "hil_bench/_data/firmware/runtime/include/hb_runtime.h" in names
    # the runtime's one source list (every build reads it), its CMake library and export's main.c
    assert {"hil_bench/_data/firmware/runtime/sources.txt", "hil_bench/_data/firmware/runtime/CMakeLists.txt",
            "hil_bench/_data/firmware/export/main.c"} <= names
    assert any(n.startswith("hil_bench/_data/firmware/app/") and n.endswith(".c") for n in names)
    assert "hil_bench/_data/models/kws_ref_model.tflite" in names and "hil_bench/_data/models/LICENSE.md" in names
    assert not any(n.endswith(".h5") for n in names)


def _sdist(tmp_path: Path) -> Path:
    src = _source_copy(tmp_path / "sdist-src")
    code = f"from setuptools import build_meta; print(build_meta.build_sdist({str(tmp_path / 'sdist')!r}))"
    name = _run([sys.executable, "-c", code], cwd=src, env=_env()).stdout.strip().splitlines()[-1]
    return tmp_path / "sdist" / name


@pytest.mark.parametrize("how", ["wheel", "pip install .", "sdist"])
def test_installed_hil_bench_works_from_an_empty_directory(how, wheel, tmp_path):
    env = _env()
    python = _venv(tmp_path / "venv")
    target = {"wheel": lambda: wheel, "pip install .": lambda: _source_copy(tmp_path / "src"),
              "sdist": lambda: _sdist(tmp_path)}[how]()
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-build-isolation",
          "--no-index", "-q", target], cwd=tmp_path, env=env, timeout=300)
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    user = tmp_path / "user"
    user.mkdir()

    where = _run([python, "-c", "import hil_bench.resources as r; print(r.firmware_dir())"], user, env).stdout
    assert Path(where.strip()).is_relative_to(tmp_path / "venv"), where     # not this checkout

    boards = _run([python.parent / "hil-bench", "boards"], user, env).stdout
    assert "corstone300" in boards and "mps2-an386" in boards

    shutil.copy(KWS, user / "kws.tflite")
    out = _run([python.parent / "hil-bench", "run", "kws.tflite", "--board", "corstone300", "--random", "2",
                "--json"], user, env).stdout
    report = json.loads(out)
    assert report["board"] == "corstone300" and report["samples"] == 2 and report["latency"]["samples"]
    assert Path(report["elf"]).is_file()

    (user / "test_user.py").write_text(USER_TEST)
    result = _run([python, "-m", "pytest", "--board=corstone300", "-q", "-p", "no:cacheprovider", "test_user.py"],
                  user, env)
    assert "1 passed" in result.stdout
    left = sorted(p.name for p in user.iterdir() if p.name != "__pycache__")
    assert left == ["kws.tflite", "test_user.py"]   # no build output or cache in the user's directory
