"""The C DECODE decoders (firmware/runtime/src/decode) against the Python decoder, byte for byte.

Tensors come from ``hil_bench.compress`` (synthetic pruned/clustered int8 weights encoded by the hb
encoder and by TFLM's own LUT compressor); the expected bytes are what the independent Python
decoder (``hil_bench.compress.decode.decode_tensor``) makes of them. The harness
(firmware/host/hb_decode_test.c) is built with ASan + UBSan and reads every buffer at its exact
size; corrupt tensors must be refused with a status and without a sanitizer report.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

from hil_bench.compress import decode as pydecode
from hil_bench.compress.hbcodec import MODE_DIRECT, MODE_TABLE, encode_tensor
from hil_bench.compress.lut import lut_method
from hil_bench.compress.synthetic import synthetic_int8
from hil_bench.runtime.build import SANITIZE, WARNINGS, firmware_dir
from hil_bench.runtime.cross import CORES

from tflite_micro.tensorflow.lite.micro.compression import lut as tflm_lut, model_editor, spec
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

DECODE_SOURCES = sorted((firmware_dir() / "runtime" / "src" / "decode").glob("*.c"))
# hb_wsrc.c (weights read in place) sizes tensors with the schema's type table
SUPPORT_SOURCES = [firmware_dir() / "runtime" / "src" / "core" / "hb_tflite.c"]
HARNESS = firmware_dir() / "host" / "hb_decode_test.c"
INCLUDE = firmware_dir() / "runtime" / "include"
TIMEOUT_S = 120

SPARSITIES = (0.0, 0.5, 0.75)
CLUSTERS = (256, 16, 8)
# (shape, channel axis): depthwise [1,H,W,C] axis 3, conv [O,H,W,I] axis 0, dense [O,I] axis 0,
# and a small depthwise whose sizes make bit-packed fields end mid-byte.
SHAPES = (((1, 5, 5, 24), 3), ((32, 3, 3, 16), 0), ((20, 37), 0), ((1, 3, 3, 7), 3))


# ------------------------------------------------------------------------------------------- build
@pytest.fixture(scope="module")
def harness(tmp_path_factory) -> Path:
    exe = tmp_path_factory.mktemp("decode_c") / "hb_decode_test"
    cmd = ["gcc", *WARNINGS, "-O1", *SANITIZE, "-I", str(INCLUDE), str(HARNESS),
           *map(str, DECODE_SOURCES), *map(str, SUPPORT_SOURCES), "-o", str(exe)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert proc.returncode == 0, proc.stderr
    return exe


def _run(exe: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1", UBSAN_OPTIONS="print_stacktrace=1")
    proc = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=TIMEOUT_S, env=env)
    assert "Sanitizer" not in proc.stderr and "runtime error" not in proc.stderr, proc.stderr[-4000:]
    return proc


class Cases:
    """Writes tensors to files and lines of the harness's --batch list."""

    def __init__(self, root: Path):
        self.root, self.lines, self.labels = root, [], []

    def _file(self, data: bytes) -> str:
        path = self.root / f"b{len(list(self.root.iterdir()))}.bin"
        path.write_bytes(bytes(data))
        return str(path)

    def add(self, label: str, expect: str, scratch: str, anc: bytes, enc: bytes, expected: bytes | None,
            shape: tuple[int, ...], elem: int = 1) -> None:
        want = "-" if expected is None else self._file(expected)
        self.lines.append(" ".join([expect, scratch, self._file(anc), self._file(enc), want, str(elem),
                                    *map(str, shape)]))
        self.labels.append(label)

    def run(self, exe: Path) -> list[str]:
        listing = self.root / "cases.txt"
        listing.write_text("\n".join(self.lines) + "\n")
        proc = _run(exe, "--batch", str(listing))
        results = [l for l in proc.stdout.splitlines() if l.startswith("case ")]
        assert len(results) == len(self.lines), proc.stdout[-2000:] + proc.stderr[-2000:]
        bad = [f"{self.labels[i]}: {r}" for i, r in enumerate(results)
               if "ok," not in r and "refused as expected" not in r]
        assert not bad, "\n".join(bad[:20])
        assert proc.returncode == 0, proc.stdout[-2000:]
        assert f"{len(self.lines)} cases, 0 failed, 0 errors" in proc.stdout
        return results


# ------------------------------------------------------------------------------------ tensor makers
def _lut(values: np.ndarray, axis: int | None, ttype=schema.TensorType.INT8):
    method = lut_method(values, axis)
    if method is None:
        return None
    tensor = model_editor.Tensor(shape=values.shape, dtype=ttype, data=values.tobytes())
    result = tflm_lut.LutCompressor().compress(tensor, method)
    return bytes(result.encoded_data), bytes(result.ancillary_data)


def _tensors():
    """(label, values, channel axis or None) over sparsity x clusters x shapes, per-channel and per-tensor."""
    seed = 0
    for sparsity in SPARSITIES:
        for clusters in CLUSTERS:
            for shape, axis in SHAPES:
                seed += 1
                values = synthetic_int8(shape, axis, sparsity, clusters, seed=seed)
                label = f"{list(shape)} sparsity {sparsity} clusters {clusters}"
                yield f"{label} axis {axis}", values, axis
                yield f"{label} per-tensor", values, None


def _python_decode(enc: bytes, anc: bytes, shape, dtype=np.int8) -> np.ndarray:
    return pydecode.decode_tensor(enc, anc, tuple(shape), dtype)


# ------------------------------------------------------------------------------------- valid data
def test_self_test(harness: Path) -> None:
    proc = _run(harness, "--self-test")
    assert proc.returncode == 0, proc.stdout
    assert "self-test passed" in proc.stdout and "FAIL" not in proc.stdout


def test_harness_reports_a_mismatch(harness: Path, tmp_path: Path) -> None:
    """The comparison itself can fail: a wrong expected file must make the harness exit non-zero."""
    values = synthetic_int8((4, 9), 0, 0.5, 16, seed=3)
    hb = encode_tensor(values, 0)
    wrong = bytearray(values.tobytes())
    wrong[5] ^= 1
    files = []
    for name, data in (("anc", hb.ancillary), ("enc", hb.encoded), ("want", bytes(wrong))):
        (tmp_path / name).write_bytes(data)
        files.append(str(tmp_path / name))
    proc = _run(harness, *files, "1", "4", "9")
    assert proc.returncode == 1 and "MISMATCH at byte 5" in proc.stdout, proc.stdout
    proc = _run(harness, "--expect-error", *files, "1", "4", "9")
    assert proc.returncode == 1 and "ACCEPTED A BAD TENSOR" in proc.stdout, proc.stdout


def test_decode_matches_python(harness: Path, tmp_path: Path) -> None:
    cases = Cases(tmp_path)
    kinds = {"hb table": 0, "hb direct": 0, "lut": 0, "hb multi-group": 0}
    for label, values, axis in _tensors():
        hb = encode_tensor(values, axis)
        want = _python_decode(hb.encoded, hb.ancillary, values.shape)
        assert np.array_equal(want, values), label  # the Python pair round-trips
        kinds["hb table" if hb.mode == MODE_TABLE else "hb direct"] += 1
        kinds["hb multi-group"] += hb.groups > 1
        for scratch in ("fast", "min"):
            cases.add(f"hb {label} ({scratch} scratch)", "ok", scratch, hb.ancillary, hb.encoded,
                      want.tobytes(), values.shape)
        lut = _lut(values, axis)
        if lut is not None:
            enc, anc = lut
            want = _python_decode(enc, anc, values.shape)
            assert np.array_equal(want, values), label
            kinds["lut"] += 1
            cases.add(f"lut {label}", "ok", "fast", anc, enc, want.tobytes(), values.shape)
    # both hb modes forced on the same tensors (the encoder's choice leaves one of them rare)
    for mode in (MODE_TABLE, MODE_DIRECT):
        for clusters in (256, 8):
            values = synthetic_int8((1, 4, 4, 10), 3, 0.5, clusters, seed=40 + clusters)
            hb = encode_tensor(values, 3, mode=mode)
            want = _python_decode(hb.encoded, hb.ancillary, values.shape)
            assert np.array_equal(want, values)
            cases.add(f"hb forced mode {mode} clusters {clusters}", "ok", "min", hb.ancillary, hb.encoded,
                      want.tobytes(), values.shape)
    # four groups
    values = synthetic_int8((64, 3, 3, 32), 0, 0.5, 16, seed=77)
    hb = encode_tensor(values, 0)
    assert hb.groups == 4
    cases.add("hb 4 groups", "ok", "min", hb.ancillary, hb.encoded, values.tobytes(), values.shape)
    # a one-value tensor and a rank-1 tensor
    for values, axis in ((np.array([-7], np.int8), None), (np.array([0, 3, 0, -128, 127, 3], np.int8), 0)):
        hb = encode_tensor(values, axis)
        cases.add(f"hb tiny {values.tolist()}", "ok", "fast", hb.ancillary, hb.encoded, values.tobytes(),
                  values.shape)
    # LUT of wider elements (TFLM's tool may compress an int32 bias or int16 tensor)
    for ttype, dtype in ((schema.TensorType.INT32, np.int32), (schema.TensorType.INT16, np.int16)):
        rng = np.random.default_rng(7)
        table = np.array([-70000, -3, 0, 5, 123456], dtype=np.int64).astype(dtype)
        values = table[rng.integers(0, len(table), size=(6, 5))]
        enc, anc = _lut(values, 0, ttype)
        want = _python_decode(enc, anc, values.shape, dtype)
        assert np.array_equal(want, values)
        cases.add(f"lut {np.dtype(dtype).name}", "ok", "fast", anc, enc, want.astype("<" + want.dtype.str[1:]).tobytes(),
                  values.shape, elem=np.dtype(dtype).itemsize)
    assert min(kinds.values()) >= 5, kinds
    results = cases.run(harness)
    assert len(results) >= 200


# ---------------------------------------------------------------------------------- corrupt data
def _reseal(anc: bytearray, enc: bytes) -> bytes:
    """Recompute the storage CRC so that a doctored field reaches the checks behind it."""
    anc[12:16] = struct.pack("<I", zlib.crc32(bytes(anc[:12]) + bytes(anc[16:]) + enc))
    return bytes(anc)


def _hb_layout(anc: bytes) -> dict:
    n_ch, n, s, t, g, wt, wg = struct.unpack_from("<IIHHBBB", anc, 16)
    pos = 32 + g * s * 2
    tables = []
    for _ in range(t):
        tables.append(pos)
        pos += 1 + anc[pos]
    return {"channels": n_ch, "alphabet": s, "groups": g, "tables": tables, "end_tables": pos}


def _doctored(anc0: bytes, enc: bytes):
    """(label, ancillary, encoded) variants with a valid storage CRC and a wrong field each."""
    lay = _hb_layout(anc0)

    def field(off: int, fmt: str, value: int, label: str):
        a = bytearray(anc0)
        struct.pack_into(fmt, a, off, value)
        return label, _reseal(a, enc), enc

    n_ch, n = struct.unpack_from("<II", anc0, 16)
    yield field(4, "<B", 2, "hb version 2")
    yield field(5, "<B", (anc0[5] & 0xF0) | 2, "mode 2")
    yield field(6, "<B", 0, "probability bits 0")
    yield field(6, "<B", 16, "probability bits 16")
    yield field(6, "<B", 11, "probability bits 11 (rows no longer sum to 2^P)")
    yield field(8, "<I", struct.unpack_from("<I", anc0, 8)[0] ^ 0x10, "value CRC")
    yield field(16, "<I", n_ch + 1, "channel count + 1")
    yield field(20, "<I", n + 1, "values per channel + 1")
    yield field(20, "<I", 0, "values per channel 0")
    yield field(24, "<H", 0, "alphabet 0")
    yield field(24, "<H", 257, "alphabet 257")
    yield field(24, "<H", lay["alphabet"] + 1, "alphabet + 1")
    yield field(26, "<H", len(lay["tables"]) + 1, "one table more")
    yield field(28, "<B", 0, "groups 0")
    yield field(28, "<B", 17, "groups 17")
    yield field(28, "<B", lay["groups"] + 1, "groups + 1")
    yield field(30, "<B", 5, "group bits 5")
    if anc0[5] & 0x0F == MODE_TABLE:
        yield field(29, "<B", 17, "table-id bits 17")
        yield field(29, "<B", 0xFE, "table-id bits 0xFE")
    yield field(32, "<H", struct.unpack_from("<H", anc0, 32)[0] + 1, "frequency row sum + 1")
    first_used = next(k for k in range(lay["alphabet"]) if struct.unpack_from("<H", anc0, 32 + 2 * k)[0] > 0)
    yield field(32 + 2 * first_used, "<H", struct.unpack_from("<H", anc0, 32 + 2 * first_used)[0] - 1,
                "frequency row sum - 1")
    if lay["groups"] > 1:  # drop the last group's row: channels of that group name a group not stored
        g, row = lay["groups"], 2 * lay["alphabet"]
        a = bytearray(anc0[:32 + (g - 1) * row]) + anc0[32 + g * row:]
        a[28] = g - 1
        yield "groups - 1 (last frequency row removed)", _reseal(a, enc), enc
    if lay["tables"]:  # a table one value shorter: the stream then names a value that is not there
        start = lay["tables"][-1]
        m = anc0[start]
        a = bytearray(anc0[:start]) + bytes([m - 1]) + anc0[start + 1:start + m] + anc0[start + 1 + m:]
        yield "last table one value short", _reseal(a, enc), enc
    yield "trailing byte", _reseal(bytearray(anc0) + b"\0", enc), enc
    e = enc[:5] + bytes([enc[5] ^ 0x40]) + enc[6:]
    yield "stream byte flipped (CRC resealed)", _reseal(bytearray(anc0), e), e
    for cut in (1, 2):
        e = enc[:-cut]
        yield f"stream {cut} bytes short (CRC resealed)", _reseal(bytearray(anc0), e), e
    e = enc + b"\x00"
    yield "stream with a trailing byte (CRC resealed)", _reseal(bytearray(anc0), e), e
    e = bytes([enc[0] ^ 1]) + enc[1:]
    yield "initial state changed (CRC resealed)", _reseal(bytearray(anc0), e), e


def test_corrupt_hb_refused(harness: Path, tmp_path: Path) -> None:
    cases = Cases(tmp_path)
    rng = np.random.default_rng(11)
    python_accepted = []
    groups_seen = 0
    sources = [((1, 5, 5, 24), 3, 0.5, 16, None), ((32, 3, 3, 16), 0, 0.75, 8, None),
               ((1, 8, 8, 64), 3, 0.5, 16, None), ((12, 3, 3, 8), 0, 0.75, 8, None),
               ((20, 37), 0, 0.0, 256, None), ((1, 3, 3, 7), 3, 0.5, 256, None),
               ((1, 4, 4, 10), 3, 0.5, 8, MODE_DIRECT), ((8, 12), 0, 0.5, 16, MODE_TABLE)]
    for shape, axis, sparsity, clusters, mode in sources:
        values = synthetic_int8(shape, axis, sparsity, clusters, seed=5)
        hb = encode_tensor(values, axis, mode=mode)
        anc, enc = hb.ancillary, hb.encoded
        tag = f"{list(shape)} mode {hb.mode} groups {hb.groups}"
        groups_seen = max(groups_seen, hb.groups)
        # any single flipped bit, in either buffer, is caught by the storage CRC
        for _ in range(25):
            a = bytearray(anc)
            bit = int(rng.integers(0, len(a) * 8))
            a[bit // 8] ^= 1 << (bit % 8)
            cases.add(f"{tag} ancillary bit {bit}", "fail", "fast", bytes(a), enc, None, shape)
            e = bytearray(enc)
            bit = int(rng.integers(0, len(e) * 8))
            e[bit // 8] ^= 1 << (bit % 8)
            cases.add(f"{tag} stream bit {bit}", "fail", "fast", anc, bytes(e), None, shape)
        # truncated and extended buffers
        for n in (0, 1, 15, 16, 31, 32, len(anc) - 1):
            cases.add(f"{tag} ancillary cut to {n}", "fail", "fast", anc[:n], enc, None, shape)
        for n in (0, 3, 4, len(enc) - 1):
            cases.add(f"{tag} stream cut to {n}", "fail", "fast", anc, enc[:n], None, shape)
        cases.add(f"{tag} ancillary + 1 byte", "fail", "fast", anc + b"\0", enc, None, shape)
        cases.add(f"{tag} stream + 1 byte", "fail", "fast", anc, enc + b"\0", None, shape)
        # doctored fields behind a valid storage CRC, with both scratch paths
        for label, a, e in _doctored(anc, enc):
            for scratch in ("fast", "min"):
                cases.add(f"{tag} {label} ({scratch})", "fail", scratch, a, e, None, shape)
            try:
                _python_decode(e, a, shape)
                python_accepted.append(label)
            except pydecode.DecodeError:
                pass
        # the right bytes against the wrong tensor, and too little scratch
        wrong = tuple(reversed(shape)) if shape[0] != shape[-1] else shape + (1,)
        cases.add(f"{tag} decoded as {list(wrong)}", "fail", "fast", anc, enc, None, wrong)
        cases.add(f"{tag} with {len(shape)}-D shape one larger", "fail", "fast", anc, enc, None,
                  (shape[0] + 1,) + shape[1:])
        cases.add(f"{tag} scratch 4 bytes short", "fail", "short", anc, enc, None, shape)
        if shape[-1] % 2 == 0:
            cases.add(f"{tag} as int16 elements", "fail", "fast", anc, enc, None,
                      shape[:-1] + (shape[-1] // 2,), elem=2)
    assert groups_seen > 1, "no source tensor has more than one group"
    cases.run(harness)
    # where the C decoder is stricter than the Python one (fields the format bounds, the Python
    # decoder takes as they come), say so; everything else both must refuse
    assert set(python_accepted) <= {"group bits 5", "table-id bits 17", "table-id bits 0xFE"}, python_accepted


def test_corrupt_lut_refused(harness: Path, tmp_path: Path) -> None:
    """LUT carries no checksum (a flipped index decodes to another table value, as in TFLM); the
    structure is still checked: lengths, versions, index width, axis, indices within the stride."""
    cases = Cases(tmp_path)
    for shape, axis in (((1, 5, 5, 24), 3), ((12, 3, 3, 8), 0), ((20, 37), None)):
        values = synthetic_int8(shape, axis if axis is not None else 0, 0.5, 8, seed=9)
        enc, anc = _lut(values, axis)
        tag = f"lut {list(shape)} axis {axis}"
        stride = anc[6]

        def with_byte(off: int, value: int) -> bytes:
            a = bytearray(anc)
            a[off] = value
            return bytes(a)

        variants = [
            ("DCM version 2", with_byte(1, 2), enc),
            ("LUT version 0", with_byte(4, 0), enc),
            ("index bits 0", with_byte(5, anc[5] & 0xF0), enc),
            ("index bits + 1", with_byte(5, (anc[5] & 0xF0) | ((anc[5] & 7) + 1)), enc),
            ("axis 1", with_byte(5, 0x10 | (anc[5] & 7)), enc),
            ("axis 14", with_byte(5, 0xE0 | (anc[5] & 7)), enc),
            ("stride + 1", with_byte(6, stride + 1), enc),
            ("stride 0", with_byte(6, 0), enc),
            ("table byte missing", anc[:-1], enc),
            ("table byte extra", anc + b"\0", enc),
            ("index byte missing", anc, enc[:-1]),
            ("index byte extra", anc, enc + b"\0"),
            ("no indices", anc, b""),
            ("DCM only", anc[:16], enc),
            ("short DCM", anc[:15], enc),
        ]
        if axis is None:
            variants.append(("per-tensor tables read as axis 0", with_byte(5, anc[5] & 7), enc))
        else:
            variants.append(("per-channel tables read as one", with_byte(5, 0xF0 | (anc[5] & 7)), enc))
        # indices beyond the stride (the index width can name more values than the tables hold)
        bits = anc[5] & 7
        if (1 << bits) - 1 >= stride:
            all_max = bytes([0xFF]) * len(enc)
            variants.append(("every index all ones", anc, all_max))
        for label, a, e in variants:
            cases.add(f"{tag} {label}", "fail", "fast", a, e, None, shape)
            with pytest.raises((pydecode.DecodeError, IndexError, ValueError, ZeroDivisionError)):
                _python_decode(e, a, shape)
    cases.run(harness)


# ------------------------------------------------------------------------------------ cross builds
CROSS = {**CORES,
         "cortex-m55+nomve.fp": ["-mcpu=cortex-m55+nomve.fp", "-mthumb", "-mfloat-abi=hard"]}


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None,
                    reason="arm-none-eabi-gcc not installed (apt-get install gcc-arm-none-eabi)")
@pytest.mark.parametrize("core", ["cortex-m4", "cortex-m55", "cortex-m55+nomve.fp", "cortex-m7", "cortex-m33"])
def test_decoders_cross_build(core: str, tmp_path: Path) -> None:
    sizes = {}
    for src in DECODE_SOURCES:
        obj = tmp_path / (src.stem + ".o")
        cmd = ["arm-none-eabi-gcc", *WARNINGS, "-O2", *CROSS[core], "-ffunction-sections", "-fdata-sections",
               "-ffreestanding", "-I", str(INCLUDE), "-c", str(src), "-o", str(obj)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
        assert proc.returncode == 0, f"{src.name} for {core}:\n{proc.stderr}"
        size = subprocess.run(["arm-none-eabi-size", "-A", str(obj)], capture_output=True, text=True,
                              timeout=TIMEOUT_S)
        assert size.returncode == 0, size.stderr
        for line in size.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                sizes[(src.stem, parts[0])] = int(parts[1])
    assert {s.stem for s in DECODE_SOURCES} >= {"hb_decode", "hb_decode_lut", "hb_decode_rans", "hb_decode_crc32"}
    # no global mutable state: nothing in .data or .bss
    mutable = {k: v for k, v in sizes.items() if (k[1].startswith(".data") or k[1].startswith(".bss")) and v}
    assert not mutable, mutable
    assert sum(v for k, v in sizes.items() if k[1].startswith(".text")) > 500
