"""One benchmark result row: the schema every store, comparison and report agrees on.

A row is one (model, recipe, board) measurement plus the metadata needed to trust it later: which
runner produced the timing and in what unit, which git revision and tool versions built it, when.
Rows are checked on construction so a percent passed as a fraction, a negative size or a latency
without its unit fails at the bench, not weeks later in a nightly plot.

Units: ``accuracy_*`` and ``sparsity_*`` are fractions in [0, 1]; sizes are bytes; ``latency`` and
``latency_spread`` (the standard deviation over inferences) are in ``latency_unit`` as reported by
the runner ("instructions" under QEMU -icount, "cycles" from the DWT, ...), never converted.
Beside it, one inference in a firmware engineer's units (hil_bench.timing.fields): ``instructions``
(QEMU), ``cycles`` and ``ms`` as the device measured them (DWT, FVP), and a model's ``cycles_est`` /
``ms_est`` named by ``cycle_model`` -- an estimate, never mixed with a measurement.
Missing measurements are ``None`` (an empty CSV cell, NA in pandas).
"""

from __future__ import annotations

import json
import math
import numbers
import re
import secrets
import subprocess
import sys
import typing
from dataclasses import MISSING, asdict, dataclass, fields
from datetime import datetime, timezone
from importlib import metadata as _importlib_metadata
from pathlib import Path

from hil_bench.errors import ResultsError
from hil_bench.metrics import DEFAULT_METRIC, METRICS, Metric


@dataclass(frozen=True)
class ResultRow:
    """One recipe of one model measured on one board; the column order is the CSV column order."""

    model: str
    recipe: str
    board: str
    runner: str
    timing_source: str
    latency: float | None
    latency_unit: str
    latency_spread: float | None
    accuracy_host: float | None
    accuracy_device: float | None
    dataset_synthetic: bool
    flash_bytes: int | None        # the whole image in flash (ELF load image)
    ram_bytes: int | None          # RAM used: data + bss + arena used + stack used (measured on the device)
    model_bytes_raw: int | None    # the .tflite as trained, before compression
    model_bytes: int | None        # the model as stored in flash (compressed as --compress says)
    sparsity_trained: float | None
    sparsity_binary: float | None
    max_unique_trained: int | None
    max_unique_binary: int | None
    sparsity_survived: bool | None
    clusters_survived: bool | None
    seed: int | None
    git_revision: str
    tool_versions: str
    timestamp: str
    run_id: str
    metric: str = DEFAULT_METRIC   # what accuracy_host/device hold: "accuracy" or "mse" (hil_bench.metrics)
    kernels: str = ""              # kernel path that ran: "helium", "dsp" or "c" ("" in files from before)
    compiler_flags: str = ""       # flags the firmware was compiled with ("" on the host board and before)
    ram_reserved_bytes: int | None = None  # RAM the image reserves: data + bss + whole arena + whole stack
    arena_used_bytes: int | None = None    # the arena the runtime planned, scratch included (device's answer)
    code_bytes: int | None = None          # flash without the model: runtime, app, board support
    model_digest: str = ""                 # sha256 (16 hex) of the int8 .tflite: was training reproduced?
    samples: int | None = None             # test samples the accuracies are measured on (None: before the column)
    clock_hz: int | None = None            # the board clock ms and ms_est are at
    instructions: int | None = None        # executed instructions per inference (QEMU)
    cycles: int | None = None              # core cycles per inference measured by the device (timing_source)
    ms: float | None = None                # cycles at clock_hz
    cycles_est: int | None = None          # estimated cycles (a profile pass under QEMU): see cycle_model
    ms_est: float | None = None            # cycles_est at clock_hz
    cycle_model: str = ""                  # the estimate's model, e.g. "hil-bench cm55-v1 (estimate)"
    decoded_weight_bytes: int | None = None  # of arena_used: compressed weights decoded into the arena at init
    harness_ram_bytes: int | None = None     # of ram_bytes: the harness's buffers (serial load buffer, command
    stack_used_bytes: int | None = None      #   line, profile); the rest is the stack used and static data
    compress: str = ""                       # how the weights were stored in flash: auto, none, lut, hb
    decode: str = ""                         # when compressed weights were decoded (init, per-layer, ...)
    names_stripped: bool | None = None       # the model was stored without tensor and signature names
    # JSON list of {"tensor", "format", "stored_bytes"}: the form each weight tensor ran in
    # ("int8", "palette:B", "nm:N:M", "nm:N:M+palette:B", "lut", "hb"); "" in files from before
    weight_formats: str = ""

    def __post_init__(self) -> None:
        for name, (kind, optional) in COLUMN_KINDS.items():
            object.__setattr__(self, name, _coerce(name, getattr(self, name), kind, optional))
        _check_ranges(self)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: typing.Mapping) -> ResultRow:
        """Build a row from a mapping with exactly the schema's keys (a typo is an error, not a drop)."""
        unknown = sorted(set(values) - set(COLUMNS))
        missing = [c for c in COLUMNS if c not in values]
        if unknown or missing:
            raise ResultsError(f"result row has unknown column(s) {unknown} and lacks {missing}; "
                               f"the columns are: {', '.join(COLUMNS)}")
        return cls(**{c: values[c] for c in COLUMNS})

    @property
    def quality_metric(self) -> Metric:
        """The metric ``accuracy_host``/``accuracy_device`` hold, with its direction."""
        return METRICS[self.metric]


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(ResultRow))
"""The schema's column names, in CSV order."""
COLUMN_DEFAULTS: dict[str, object] = {f.name: f.default for f in fields(ResultRow) if f.default is not MISSING}
"""Columns added after files were first written: an older file without them reads as these values."""
RENAMED_COLUMNS: dict[str, str] = {"model_bytes_compressed": "model_bytes"}
"""Old column name -> today's, so files written before a rename still read (the same quantity)."""


def _column_kinds() -> dict[str, tuple[type, bool]]:
    """column -> (base type, may be None), read from the dataclass annotations (one source of truth)."""
    kinds = {}
    for name, hint in typing.get_type_hints(ResultRow).items():
        args = typing.get_args(hint)
        base = next(a for a in args if a is not type(None)) if args else hint
        kinds[name] = (base, type(None) in args)
    return kinds


COLUMN_KINDS: dict[str, tuple[type, bool]] = _column_kinds()

_SCORES = ("accuracy_host", "accuracy_device")   # of the row's metric: a fraction only for accuracy
_FRACTIONS = (*_SCORES, "sparsity_trained", "sparsity_binary")
_NON_NEGATIVE = ("latency", "latency_spread", "flash_bytes", "ram_bytes", "model_bytes_raw", "model_bytes",
                 "max_unique_trained", "max_unique_binary", "ram_reserved_bytes", "arena_used_bytes", "code_bytes",
                 "samples", "clock_hz", "instructions", "cycles", "ms", "cycles_est", "ms_est",
                 "decoded_weight_bytes", "harness_ram_bytes", "stack_used_bytes")
RUN_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _coerce(name: str, value, kind: type, optional: bool):
    """Accept what bench code naturally has (numpy scalars, ints for floats); reject anything lossy."""
    if kind is float and isinstance(value, float) and math.isnan(value):
        value = None  # pandas' and numpy's spelling of "not measured"
    if value is None:
        if optional:
            return None
        raise ResultsError(f"result column {name} is required (got None)")
    if kind is bool:
        if type(value).__name__ in ("bool", "bool_"):
            return bool(value)
    elif kind is int:
        if isinstance(value, numbers.Integral) and type(value).__name__ not in ("bool", "bool_"):
            return int(value)
    elif kind is float:
        if isinstance(value, numbers.Real) and type(value).__name__ not in ("bool", "bool_"):
            return float(value)
    elif kind is str:
        if isinstance(value, str):
            return value
    raise ResultsError(f"result column {name} must be {kind.__name__}"
                       f"{' or None' if optional else ''}, got {type(value).__name__} {value!r}")


def _check_ranges(row: ResultRow) -> None:
    problems = []
    if row.metric not in METRICS:
        problems.append(f"metric {row.metric!r} is not one of {', '.join(METRICS)}")
    for name in _FRACTIONS:
        v = getattr(row, name)
        if name in _SCORES and not METRICS.get(row.metric, METRICS[DEFAULT_METRIC]).fraction:
            if v is not None and (v < 0 or not math.isfinite(v)):
                problems.append(f"{name}={v} ({row.metric}) must be finite and >= 0")
            continue
        if v is not None and not 0.0 <= v <= 1.0:
            problems.append(f"{name}={v} is not a fraction in [0, 1] (pass 0.93, not 93)")
    for name in _NON_NEGATIVE:
        v = getattr(row, name)
        if v is not None and (v < 0 or math.isinf(v)):
            problems.append(f"{name}={v} must be finite and >= 0")
    if row.cycles_est is not None and not row.cycle_model:
        problems.append("cycles_est is given without cycle_model (an estimate must name its model)")
    if row.latency is not None and not row.latency_unit:
        problems.append("latency is given without latency_unit (e.g. 'instructions', 'cycles')")
    if not RUN_ID_PATTERN.fullmatch(row.run_id):
        problems.append(f"run_id {row.run_id!r} must be letters, digits, '.', '_' or '-' (it names a file)")
    try:
        if not isinstance(json.loads(row.tool_versions), dict):
            raise ValueError
    except ValueError:
        problems.append(f"tool_versions must be a JSON object string, got {row.tool_versions!r}")
    try:
        datetime.fromisoformat(row.timestamp)
    except ValueError:
        problems.append(f"timestamp {row.timestamp!r} is not ISO 8601 (use metadata()['timestamp'])")
    if problems:
        raise ResultsError(f"invalid result row for {row.model}/{row.recipe}/{row.board}: " + "; ".join(problems))


# --- metadata ---------------------------------------------------------------------------------------

TOOL_DISTRIBUTIONS = ("hil-bench", "tensorflow", "tf-keras", "tensorflow-model-optimization", "tflite-micro",
                      "ai-edge-litert", "ethos-u-vela", "numpy")
"""Python distributions whose versions go into every row; read from package metadata, nothing imported."""


def git_revision(repo: Path | str | None = None, timeout: float = 5.0) -> str:
    """``HEAD``'s commit of the repository holding ``repo`` (default: hil-bench's own source tree).

    ``-dirty`` is appended when tracked files differ from ``HEAD``: such numbers came from code no
    commit holds. ``"unknown"`` outside a repository, without git, or when git hangs.
    """
    where = Path(repo) if repo is not None else Path(__file__).resolve().parent
    try:
        sha = subprocess.run(["git", "-C", str(where), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=timeout, check=True).stdout.strip()
        status = subprocess.run(["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=timeout, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if not re.fullmatch(r"[0-9a-f]{7,64}", sha):
        return "unknown"
    return sha + ("-dirty" if status.strip() else "")


def tool_versions(extra: typing.Mapping[str, str | None] | None = None) -> dict[str, str | None]:
    """Versions of the Python tools that shape a result (None: not installed), plus ``extra``.

    ``extra`` is for what only the caller knows, e.g. ``{"arm-none-eabi-gcc": "12.2.1", "qemu": "7.2.0"}``.
    """
    versions: dict[str, str | None] = {"python": ".".join(map(str, sys.version_info[:3]))}
    for dist in TOOL_DISTRIBUTIONS:
        try:
            versions[dist] = _importlib_metadata.version(dist)
        except _importlib_metadata.PackageNotFoundError:
            versions[dist] = None
    versions.update(extra or {})
    return versions


def utc_now() -> str:
    """Now, UTC, ISO 8601 with seconds: sorts as text and parses with ``datetime.fromisoformat``."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_run_id(now: datetime | None = None) -> str:
    """A file-name-safe id that sorts by start time: ``20261126T114500Z-3fa9c1``."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def metadata(repo: Path | str | None = None, extra_versions: typing.Mapping[str, str | None] | None = None,
             ) -> dict[str, str]:
    """The row columns that describe where a result came from: ``git_revision``, ``tool_versions``, ``timestamp``.

    Use as ``ResultRow(..., run_id=run_id, **metadata())``. TensorFlow is not imported.
    """
    return {"git_revision": git_revision(repo),
            "tool_versions": json.dumps(tool_versions(extra_versions), sort_keys=True),
            "timestamp": utc_now()}
