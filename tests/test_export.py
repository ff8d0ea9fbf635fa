"""Tests for hil_bench.export: the generated C array compiles as C and C++, links across the two,
is byte-exact with the .tflite and 16-byte aligned, and a failed export leaves no partial file."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from hil_bench import export
from hil_bench.errors import Error, ModelFileError, UsageError
from hil_bench.export import export_c_array

# Reads the .tflite named on the command line and compares it with the compiled-in array.
# Valid as C99 and as C++98, so one file checks both languages.
MAIN_C = r"""
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model_data.h"

int main(int argc, char **argv) {
  FILE *f;
  unsigned char *buf;
  size_t n;
  if (argc != 2) return 10;
  f = fopen(argv[1], "rb");
  if (f == NULL) return 11;
  buf = (unsigned char *)malloc(SYM_LEN + 1u);
  n = fread(buf, 1, SYM_LEN + 1u, f);
  fclose(f);
  if (n != SYM_LEN) { printf("length: file %lu, array %u\n", (unsigned long)n, SYM_LEN); return 2; }
  if (memcmp(buf, SYM, n) != 0) { printf("content differs\n"); return 3; }
  if (((uintptr_t)SYM) % 16u != 0) { printf("misaligned\n"); return 4; }
  printf("ok %u\n", SYM_LEN);
  free(buf);
  return 0;
}
"""

WARN = ["-Wall", "-Wextra", "-Werror", "-pedantic"]


@pytest.fixture(scope="session")
def tflite_bytes() -> bytes:
    """A real full-int8 .tflite of the (untrained) digits CNN; weights do not matter to the export."""
    from hil_bench.models import build_model
    from hil_bench.tflite import to_int8_tflite

    data = np.random.default_rng(0).random((8, 8, 8, 1), dtype=np.float32)
    return to_int8_tflite(build_model("digits_cnn"), data, samples=8)


@pytest.fixture
def tflite_file(tmp_path, tflite_bytes) -> Path:
    path = tmp_path / "model.tflite"
    path.write_bytes(tflite_bytes)
    return path


def _run(cmd: list[str], cwd: Path) -> str:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
    return done.stdout


def _c_array_values(text: str, name: str) -> bytes:
    body = re.search(rf"{name}\[\] = \{{(.*?)\}};", text, re.S).group(1)
    return bytes(int(tok, 16) for tok in re.findall(r"0x[0-9a-f]{2}", body))


def test_source_holds_the_exact_bytes_and_length(tmp_path, tflite_file, tflite_bytes):
    result = export_c_array(tflite_file, tmp_path / "out")
    text = result.c_path.read_text()
    assert _c_array_values(text, "g_model") == tflite_bytes
    assert f"const unsigned int g_model_len = {len(tflite_bytes)}u;" in text
    assert result.size == len(tflite_bytes)
    assert result.h_path.name == "model_data.h" and result.c_path.name == "model_data.c"


@pytest.mark.parametrize(
    "c_compiler, array_flags, main_flags",
    [
        ("gcc", ["-std=c99"], ["-std=c99"]),  # all C
        ("g++", ["-x", "c++", "-std=c++11"], ["-x", "c++", "-std=c++11"]),  # all C++
        ("gcc", ["-std=c11"], ["-x", "c++", "-std=c++11"]),  # array built by C, used from C++: needs extern "C"
        ("g++", ["-x", "c++", "-std=c++98"], ["-std=c99"]),  # array built by C++, used from C
    ],
    ids=["c", "cxx", "c-array-cxx-main", "cxx-array-c-main"],
)
def test_compiles_links_and_matches_the_file(tmp_path, tflite_file, c_compiler, array_flags, main_flags):
    out = tmp_path / "out"
    export_c_array(tflite_file, out)
    (out / "main.c").write_text(MAIN_C)
    main_compiler = "g++" if "c++" in main_flags else "gcc"
    syms = ["-DSYM=g_model", "-DSYM_LEN=g_model_len"]
    _run([c_compiler, *array_flags, *WARN, "-c", "model_data.c", "-o", "model_data.o"], out)
    _run([main_compiler, *main_flags, *WARN, *syms, "-c", "main.c", "-o", "main.o"], out)
    _run(["g++" if "g++" in (c_compiler, main_compiler) else "gcc", "main.o", "model_data.o", "-o", "check"], out)
    assert _run([str(out / "check"), str(tflite_file)], out).strip() == f"ok {tflite_file.stat().st_size}"


def test_custom_symbol_name(tmp_path, tflite_file):
    out = tmp_path / "out"
    export_c_array(tflite_file, out, name="kws_model")
    (out / "main.c").write_text(MAIN_C)
    _run(["gcc", "-std=c99", *WARN, "-DSYM=kws_model", "-DSYM_LEN=kws_model_len", "main.c", "model_data.c",
          "-o", "check"], out)
    assert _run([str(out / "check"), str(tflite_file)], out).startswith("ok ")


def _section_alignment(obj: Path, section: str) -> int:
    text = subprocess.run(["readelf", "-SW", str(obj)], capture_output=True, text=True, check=True).stdout
    for line in text.splitlines():
        fields = line.replace("[ ", "[").split()
        if section in fields:
            return int(fields[-1])
    raise AssertionError(f"no section {section} in {obj}:\n{text}")


ARM_GCC = shutil.which("arm-none-eabi-gcc")


@pytest.mark.skipif(ARM_GCC is None or shutil.which("readelf") is None,
                    reason="needs arm-none-eabi-gcc and readelf (make install)")
@pytest.mark.parametrize("flags", [["-std=c99"], ["-std=c11", "-U__GNUC__"], ["-x", "c++", "-std=c++11", "-U__GNUC__"]],
                         ids=["gnu-attribute", "c11-_Alignas", "cxx11-alignas"])
def test_symbol_is_16_byte_aligned_on_cortex_m(tmp_path, tflite_file, flags):
    """On x86-64 the ABI aligns big arrays to 16 anyway, so alignment is checked where it is not free:
    arm-none-eabi-gcc -Os aligns a char array to 1 byte unless told (the control case proves it)."""
    out = tmp_path / "out"
    export_c_array(tflite_file, out)
    base = [ARM_GCC, "-mcpu=cortex-m4", "-mthumb", "-Os", "-fdata-sections", "-c", "model_data.c"]
    _run([*base, *flags, "-o", "aligned.o"], out)
    _run([*base, "-DHB_MODEL_ALIGN16=", "-o", "control.o"], out)
    assert _section_alignment(out / "aligned.o", ".rodata.g_model") == 16
    assert _section_alignment(out / "control.o", ".rodata.g_model") < 16


def test_bytes_and_path_give_the_same_array(tmp_path, tflite_file, tflite_bytes):
    from_path = export_c_array(tflite_file, tmp_path / "a")
    from_bytes = export_c_array(tflite_bytes, tmp_path / "b")
    assert from_path.sha256 == from_bytes.sha256
    assert _c_array_values(from_bytes.c_path.read_text(), "g_model") == tflite_bytes


def _listing(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def _old_export(directory: Path) -> dict[str, bytes]:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "model_data.c").write_text("/* old */\n")
    (directory / "model_data.h").write_text("/* old */\n")
    return _listing(directory)


@pytest.mark.parametrize("cut", [0, 7, 100, -1], ids=["empty", "header", "truncated", "last-byte"])
def test_corrupt_tflite_writes_nothing(tmp_path, tflite_bytes, cut):
    bad = tflite_bytes[:cut] if cut >= 0 else tflite_bytes[: len(tflite_bytes) // 2]
    out = tmp_path / "out"
    before = _old_export(out)
    with pytest.raises(ModelFileError):
        export_c_array(bad, out)
    assert _listing(out) == before


def test_not_a_tflite_is_refused(tmp_path, tflite_bytes):
    fake = tmp_path / "model.tflite"
    fake.write_bytes(b"\x1c\x00\x00\x00XXXX" + tflite_bytes[8:])
    with pytest.raises(ModelFileError, match="not a TFLite flatbuffer"):
        export_c_array(fake, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_failure_while_writing_leaves_old_files_and_no_temporaries(tmp_path, tflite_bytes, monkeypatch):
    out = tmp_path / "out"
    before = _old_export(out)
    real_fsync, calls = os.fsync, []

    def failing_fsync(fd):
        calls.append(fd)
        if len(calls) == 2:  # the first file is complete, the second fails
            raise OSError(28, "No space left on device", "model_data.c")
        real_fsync(fd)

    monkeypatch.setattr(export.os, "fsync", failing_fsync)
    with pytest.raises(Error, match=f"writing the C array to {out}/model_data.c failed: the disk is full") as caught:
        export_c_array(tflite_bytes, out)
    assert not isinstance(caught.value, UsageError)   # a full disk is the work failing (exit 1), not bad usage
    assert _listing(out) == before


def test_interrupt_while_writing_leaves_no_temporaries(tmp_path, tflite_bytes, monkeypatch):
    out = tmp_path / "out"
    before = _old_export(out)

    def interrupted(*_):
        raise KeyboardInterrupt

    monkeypatch.setattr(export.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export_c_array(tflite_bytes, out)
    assert _listing(out) == before


def test_files_are_readable_by_others(tmp_path, tflite_bytes):
    result = export_c_array(tflite_bytes, tmp_path / "out")
    assert result.c_path.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("name", ["", "1model", "model-data", "int", "class", "__model", "_Model", "g model"])
def test_bad_symbol_names_are_refused(tmp_path, tflite_bytes, name):
    with pytest.raises(UsageError, match="symbol"):
        export_c_array(tflite_bytes, tmp_path / "out", name=name)
    assert not (tmp_path / "out").exists()


def test_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        export_c_array(tmp_path / "nope.tflite", tmp_path / "out")


def test_header_guards_c_linkage():
    header = export.render_header("g_model", 10, "m.tflite", "0" * 64)
    assert header.index('extern "C" {') < header.index("extern const unsigned char g_model[];")
    assert header.index("extern const unsigned int g_model_len;") < header.rindex('}  /* extern "C" */')


def test_odd_file_name_still_gives_ascii_source_that_compiles(tmp_path, tflite_bytes):
    path = tmp_path / "new\nline *\u00e9*.tflite"
    path.write_bytes(tflite_bytes)
    out = tmp_path / "out"
    export_c_array(path, out)
    _run(["gcc", "-std=c99", *WARN, "-c", "model_data.c"], out)
