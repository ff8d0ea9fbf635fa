"""How far each metric may move in its bad direction before ``hil-bench compare`` calls it a regression.

A numeric metric may get worse by ``abs + rel * |baseline|`` (``rel`` is a fraction: 0.02 = 2 %).
The defaults (:data:`DEFAULT_TOLERANCES`) and why:

- ``latency`` +2 %: QEMU -icount instruction counts are deterministic, so any change there is real
  code; the 2 % leaves room for the FVP and for DWT cycles on silicon (caches, flash wait states).
- ``flash_bytes``, ``ram_bytes``, ``model_bytes`` +0 bytes: builds are reproducible, and a
  firmware engineer budgets in bytes; a deliberate growth is accepted by updating the baseline.
- ``accuracy_host``, ``accuracy_device`` -0.01 (one percentage point; accuracies are fractions). When a row's
  ``metric`` is ``mse`` (autoencoders) these columns hold the error and higher is worse: +0.01.
- ``sparsity_survived``, ``clusters_survived``: fail when True in the baseline and False now.

A TOML file overrides metrics by name; metrics it does not name keep their defaults::

    [latency]
    rel = 0.05          # +5 %
    [flash_bytes]
    abs = 256           # bytes
    [accuracy_host]
    check = false       # do not compare this metric at all
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from hil_bench.errors import ResultsError

HIGHER, LOWER, LOST = "higher", "lower", "lost"
"""What "worse" means for a metric: a higher value, a lower value, or a True flag that became False."""
SCORE_COLUMNS = ("accuracy_host", "accuracy_device")
"""Columns holding the row's own ``metric``: their "worse" below is for accuracy, and flips for mse."""


@dataclass(frozen=True)
class Tolerance:
    """The allowed bad move of one metric; ``unit_column`` names a column that must match to compare."""

    metric: str
    worse: str
    rel: float = 0.0
    abs: float = 0.0
    check: bool = True
    unit_column: str | None = None

    def allowed(self, baseline: float) -> float:
        """How much worse than ``baseline`` (a positive amount in the bad direction) still passes."""
        return self.abs + self.rel * abs(baseline)


DEFAULT_TOLERANCES: dict[str, Tolerance] = {t.metric: t for t in (
    Tolerance("latency", HIGHER, rel=0.02, unit_column="latency_unit"),
    Tolerance("flash_bytes", HIGHER),
    Tolerance("ram_bytes", HIGHER),
    Tolerance("model_bytes", HIGHER),
    Tolerance("accuracy_host", LOWER, abs=0.01),
    Tolerance("accuracy_device", LOWER, abs=0.01),
    Tolerance("sparsity_survived", LOST),
    Tolerance("clusters_survived", LOST),
)}


def parse_tolerances(text: str, where: str = "tolerances") -> dict[str, Tolerance]:
    """Defaults overridden by the TOML ``text``; ``ResultsError`` names ``where`` and the bad entry."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ResultsError(f"{where}: not valid TOML ({exc})") from None
    tolerances = dict(DEFAULT_TOLERANCES)
    for metric, table in data.items():
        base = tolerances.get(metric)
        if base is None:
            raise ResultsError(f"{where}: unknown metric [{metric}]; known: {', '.join(DEFAULT_TOLERANCES)}")
        if not isinstance(table, dict):
            raise ResultsError(f"{where}: {metric} must be a table, e.g. [{metric}] with rel/abs/check keys")
        allowed_keys = ("check",) if base.worse == LOST else ("rel", "abs", "check")
        changes = {}
        for key, value in table.items():
            if key not in allowed_keys:
                raise ResultsError(f"{where}: [{metric}] has unknown key {key!r}; allowed: {', '.join(allowed_keys)}")
            if key == "check":
                if not isinstance(value, bool):
                    raise ResultsError(f"{where}: [{metric}] check must be true or false, got {value!r}")
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or value < 0:
                raise ResultsError(f"{where}: [{metric}] {key} must be a number >= 0, got {value!r}"
                                   + (" (rel is a fraction: 0.02 means 2 %)" if key == "rel" else ""))
            changes[key] = float(value) if key != "check" else value
        tolerances[metric] = replace(base, **changes)
    return tolerances


def load_tolerances(path: Path | str | None) -> dict[str, Tolerance]:
    """The tolerances in a TOML file; ``None`` gives the defaults."""
    if path is None:
        return dict(DEFAULT_TOLERANCES)
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{path}: cannot read the tolerances file ({exc}); pass an existing TOML file "
                           "or leave --tolerances out for the defaults") from None
    return parse_tolerances(text, str(path))
