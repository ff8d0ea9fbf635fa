"""Run int8 inputs through the host build of the runtime (``hb_run``), like a board would."""

from __future__ import annotations

import functools
import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hil_bench.errors import DoesNotFitError, Error, ModelFileError, UnsupportedModelError, UsageError
from hil_bench.runtime.build import build_host_runner
from hil_bench.tensor_types import numpy_dtype

RUN_TIMEOUT_S = 600

# hb_run exits with 3 + hb_status when the runtime refuses a model.
_STATUS_ERRORS = {
    3 + 1: UsageError,  # HB_ERR_ARG
    3 + 2: ModelFileError,  # HB_ERR_MODEL
    3 + 3: UnsupportedModelError,  # HB_ERR_UNSUPPORTED
    3 + 4: DoesNotFitError,  # HB_ERR_ARENA
}


# When compressed (TFLM_DECODE) tensors are decoded: once at init, or at every invoke.
DECODE_MODES = {"in-place": ["--decode-in-place"], "init": [], "per-layer": ["--decode-per-layer"]}


def _decode_flags(decode: str) -> list[str]:
    if decode not in DECODE_MODES:
        raise UsageError(f"decode must be one of {', '.join(DECODE_MODES)}, not {decode!r}")
    return DECODE_MODES[decode]


def _model_path(model: bytes | str | Path, tmp: Path) -> Path:
    if isinstance(model, (bytes, bytearray, memoryview)):
        path = tmp / "model.tflite"
        path.write_bytes(bytes(model))
        return path
    path = Path(model)
    if not path.is_file():
        raise UsageError(f"{path}: no such model file")
    return path


def _call(args: list[str], *, sanitize: bool, timeout: float) -> subprocess.CompletedProcess:
    exe = build_host_runner(sanitize=sanitize)
    try:
        proc = subprocess.run([str(exe), *args], capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Error(f"hb_run did not finish within {timeout} s: {' '.join(args)}") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        cls = _STATUS_ERRORS.get(proc.returncode)
        if cls is not None:
            raise cls(f"the hil-bench runtime refused the model: {message}")
        raise Error(f"hb_run failed with exit status {proc.returncode}: {message[-2000:]}")
    return proc


def model_info(model: bytes | str | Path, *, sanitize: bool = False, timeout: float = 60, decode: str = "in-place") -> dict:
    """The runtime's report on a model: arena bytes (total, head, tail), op names, input/output tensors.

    ``decode``: ``"in-place"`` (default), ``"init"`` or ``"per-layer"``, see :data:`DECODE_MODES`."""
    with tempfile.TemporaryDirectory(prefix="hb-") as tmp:
        path = _model_path(model, Path(tmp))
        proc = _call([*_decode_flags(decode), "--info", str(path)], sanitize=sanitize, timeout=timeout)
    return json.loads(proc.stdout)


def profile_model(
    model: bytes | str | Path, inputs: np.ndarray | list[np.ndarray], *, timeout: float = RUN_TIMEOUT_S,
    decode: str = "in-place",
) -> dict:
    """Host wall-clock timing through the runtime's per-operator hook (noisy on a shared machine).

    Returns ``{"invoke_ns": [per inference], "op_ns": [{"op", "ns"} summed over inferences],
    "timing_source": "host-wall-clock-ns"}``; outputs are discarded (use :func:`run_model`).
    """
    report = _run(model, inputs, sanitize=False, timeout=timeout, profile=True, decode=decode)
    report["timing_source"] = "host-wall-clock-ns"
    return report


def run_model(
    model: bytes | str | Path,
    inputs: np.ndarray | list[np.ndarray],
    *,
    sanitize: bool = False,
    timeout: float = RUN_TIMEOUT_S,
    decode: str = "in-place",
) -> list[np.ndarray]:
    """Run N samples and return one array per graph output, shaped ``(N, *output_shape)``.

    ``inputs`` is an array ``(N, *input_shape)`` for a one-input model, or a list with one such array
    per graph input; dtypes must match the model's input types (int8 for full-int8 models).
    ``sanitize`` runs the AddressSanitizer + UBSan build (slower; for robustness tests).
    ``decode``: weights the kernels read in place stay encoded (``"in-place"``, default), or compressed
    tensors are decoded once at ``"init"`` or at every invoke (``"per-layer"``).
    """
    return _run(model, inputs, sanitize=sanitize, timeout=timeout, profile=False, decode=decode)


def _run(model, inputs, *, sanitize: bool, timeout: float, profile: bool, decode: str = "in-place"):
    flags = _decode_flags(decode)
    arrays = [np.asarray(inputs)] if isinstance(inputs, np.ndarray) else [np.asarray(a) for a in inputs]
    if not arrays or len(arrays[0]) == 0:
        raise UsageError("no input samples were given")
    with tempfile.TemporaryDirectory(prefix="hb-") as tmp_name:
        tmp = Path(tmp_name)
        path = _model_path(model, tmp)
        info = json.loads(_call([*flags, "--info", str(path)], sanitize=sanitize, timeout=60).stdout)
        specs = info["inputs"]
        if len(arrays) != len(specs):
            raise UsageError(f"the model has {len(specs)} inputs, {len(arrays)} arrays were given")
        n = len(arrays[0])
        parts = []
        for k, (arr, spec) in enumerate(zip(arrays, specs)):
            want = numpy_dtype(spec["type"], f"input {k}")
            if arr.dtype != want or tuple(arr.shape[1:]) != tuple(spec["shape"]) or len(arr) != n:
                raise UsageError(
                    f"input {k}: expected ({n}, {', '.join(map(str, spec['shape']))}) of "
                    f"{want.name}, got {arr.shape} {arr.dtype}"
                )
            parts.append(np.ascontiguousarray(arr).reshape(n, -1).view(np.uint8))
        (tmp / "in.bin").write_bytes(np.concatenate(parts, axis=1).tobytes())
        args = [str(path), str(tmp / "in.bin"), str(tmp / "out.bin"), str(n)]
        proc = _call(["--profile", *flags, *args] if profile else [*flags, *args], sanitize=sanitize, timeout=timeout)
        if profile:
            return json.loads(proc.stdout)
        raw = np.frombuffer((tmp / "out.bin").read_bytes(), dtype=np.uint8).reshape(n, -1)
    outs, col = [], 0
    for spec in info["outputs"]:
        dtype = numpy_dtype(spec["type"], "output")
        outs.append(raw[:, col : col + spec["bytes"]].copy().view(dtype).reshape(n, *spec["shape"]))
        col += spec["bytes"]
    return outs


@dataclass(frozen=True)
class OpRow:
    """One row of the runtime's operator table: the types its prepare accepts and its kernel paths."""
    name: str                 # builtin name, or the custom code
    custom: bool
    types: tuple[str, ...]    # "int8", "float32->int8", "int8->float32" or "any"
    paths: tuple[str, ...]    # "c" always, then "dsp" and "helium" when the path headers have the kernel

    @property
    def key(self) -> str:
        """The name :func:`hil_bench.tflite.opcode_name` gives the operator."""
        return f"CUSTOM:{self.name}" if self.custom else self.name

    def accepts(self, op_type: str) -> bool:
        return "any" in self.types or op_type in self.types


@functools.lru_cache(maxsize=None)
def op_table() -> tuple[OpRow, ...]:
    """The operator table as the runtime reports it (``hb_run --ops``, read from the op rows and the
    path headers): the one source ``fits``, ``size`` and ``hil-bench ops`` read."""
    rows = json.loads(_call(["--ops"], sanitize=False, timeout=60).stdout)["ops"]
    return tuple(OpRow(r["name"], bool(r["custom"]), tuple(r["types"]), tuple(r["paths"])) for r in rows)
