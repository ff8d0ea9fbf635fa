"""The committed baseline: written on purpose, and checked against what this tree builds.

A baseline that silently drifts from the code makes the nightly cry wolf: every firmware change
then shows up as a "regression" nobody made. So:

- :func:`update_baseline` runs the suite on the boards (exactly as ``bench`` does) and writes
  ``<dir>/<suite>-suite.csv`` with each row's provenance (git revision, tool versions, time),
  keeping the rows of boards it did not run.
- :func:`check_baseline` needs no board run: for every baseline row it takes the recipe's trained
  model (from the stage cache, trained if missing), builds the image the bench would run, and
  compares what an image alone decides — flash, code, model as stored, RAM reserved, kernel path.
  RAM *used* and latency need the board and stay with ``compare``.

Training on another CPU may not be bit-identical (oneDNN picks kernels by CPU). Rows record a digest
of the int8 model; when today's differs, the model-dependent quantities are reported as such (not as
a regression) and only the firmware's own (code, RAM reserved) are held to the baseline. A row built
with another compiler or linker is not checked at all: its sizes are incomparable.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from hil_bench.compress import defaults
from hil_bench.errors import Error, UsageError
from hil_bench.boards import load_board
from hil_bench.paths import check_output_dir
from hil_bench.toolchain import TOOLCHAIN, toolchain_versions
from hil_bench.compress import compress_model
from hil_bench.firmware.runner_image import build_image

DEFAULT_DIR = Path("results") / "baseline"
MODEL_SHAPED = ("flash_bytes", "model_bytes", "model_bytes_raw")   # change when the trained weights do
FIRMWARE_SHAPED = ("code_bytes", "ram_reserved_bytes", "kernels")   # the firmware's own


@dataclass(frozen=True)
class Mismatch:
    model: str
    recipe: str
    board: str
    quantity: str
    baseline: int | str | None
    now: int | str | None

    def describe(self) -> str:
        what = f"{self.board}: {self.quantity} of {self.model}/{self.recipe}"
        if isinstance(self.now, int) and isinstance(self.baseline, int):
            return f"{what} is {self.now:,} B, the baseline says {self.baseline:,} B ({self.now - self.baseline:+,} B)"
        return f"{what} is {self.now!r}, the baseline says {self.baseline!r}"


@dataclass
class BaselineCheck:
    """What :func:`check_baseline` found: mismatches fail; notes explain what was not held to the baseline."""

    source: str
    checked: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def update_command(self) -> str:
        boards = sorted({m.board for m in self.mismatches})
        return ("hil-bench baseline update " + " ".join(f"--board {b}" for b in boards)
                + f" --dir {Path(self.source).parent if self.source.endswith('.csv') else self.source}")

    def to_text(self) -> str:
        lines = [m.describe() for m in self.mismatches] + [f"note: {n}" for n in self.notes]
        if self.mismatches:
            lines.append(f"FAILED: {len(self.mismatches)} of {self.checked} quantities differ from {self.source}: "
                         "the baseline no longer describes this tree. If the change is intended, refresh it "
                         f"with `{self.update_command()}` and commit the CSV.")
        else:
            lines.append(f"OK: the {self.checked} image quantities in {self.source} match what this tree builds")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {"source": self.source, "ok": self.ok, "checked": self.checked, "notes": self.notes,
                "mismatches": [m.__dict__ | {"message": m.describe()} for m in self.mismatches],
                "update_command": self.update_command() if self.mismatches else None}


def _suite_for(model: str):
    # start-up cost: every `hil-bench` call loads this module; this waits until used
    from hil_bench.bench import SUITES

    return next((s for s in SUITES.values() if s.model == model), None)


def check_baseline(source: Path | str = DEFAULT_DIR, *, boards: list[str] | None = None,
                   quiet: bool = True) -> BaselineCheck:
    """Rebuild (without running) the image of every baseline row and compare its sizes; see the module doc."""
    from tqdm.auto import tqdm

    # start-up cost: every `hil-bench` call loads this module; this waits until used
    from hil_bench.bench import trained_suite_recipe
    from hil_bench.boards import load_board
    from hil_bench.firmware.features import board_kernel_path
    from hil_bench.results import frame_to_rows, read_results
    from hil_bench.results.compare import toolchain_change

    everything = frame_to_rows(read_results(source))
    if not everything:   # "OK: 0 quantities match" would pass a baseline that holds nothing
        raise Error(f"{source} holds no rows (a header only), so there is nothing to check against; write the "
                    "baseline with `hil-bench baseline update --board NAME` and commit it")
    rows = [r for r in everything if boards is None or r.board in boards]
    if boards is not None and not rows:
        raise UsageError(f"{source} has no rows for board(s) {', '.join(boards)}")
    report = BaselineCheck(str(source))
    here = {"tool_versions": json.dumps(toolchain_versions())}
    trained: dict[tuple[str, str], tuple[bytes, str]] = {}
    loaded = {}   # the rows name their boards: each board file is loaded once
    for row in tqdm(rows, desc="baseline", unit="image", disable=quiet, dynamic_ncols=True):
        where = f"{row.model}/{row.recipe} on {row.board}"
        suite = _suite_for(row.model)
        if suite is None or row.recipe not in suite.recipes or row.board == "host":
            report.notes.append(f"{where}: not a bench suite row with a firmware image; not checked")
            continue
        changed = toolchain_change(row.to_dict(), here, TOOLCHAIN)
        if changed:
            report.notes.append(f"{where}: built with another toolchain ({changed}); its sizes are incomparable, "
                                "not checked (refresh the baseline on this toolchain)")
            continue
        if (row.model, row.recipe) not in trained:
            tflite = trained_suite_recipe(suite, row.recipe, quiet=True)[2].tflite
            trained[(row.model, row.recipe)] = (tflite, hashlib.sha256(tflite).hexdigest()[:16])
        tflite, digest = trained[(row.model, row.recipe)]
        if row.board not in loaded:
            loaded[row.board] = load_board(row.board)
        board = loaded[row.board]
        path = row.kernels or board_kernel_path(board)   # the forms auto chose for the row's kernel path
        stored = compress_model(tflite, method=defaults.COMPRESS, path=path).model
        image, _ = build_image(board, stored, installed_only=False)
        now = {"flash_bytes": image.sizes.flash_bytes, "model_bytes": image.sizes.model_bytes,
               "model_bytes_raw": len(tflite), "code_bytes": image.sizes.code_bytes,
               "ram_reserved_bytes": image.sizes.ram_bytes, "kernels": image.kernels}
        quantities = list(FIRMWARE_SHAPED)
        if row.model_digest and row.model_digest != digest:
            report.notes.append(f"{where}: training here gave another int8 model (digest {digest}, baseline "
                                f"{row.model_digest}; oneDNN results differ between CPUs), so model and flash "
                                "bytes are not held to the baseline")
        else:
            quantities += MODEL_SHAPED
        for q in quantities:
            base = getattr(row, q)
            if base is None or base == "":
                continue   # a baseline from before the column: nothing to hold it to
            report.checked += 1
            if base != now[q]:
                report.mismatches.append(Mismatch(row.model, row.recipe, row.board, q, base, now[q]))
    return report


def update_baseline(boards: list[str], suite: str = "default", directory: Path | str = DEFAULT_DIR, *,
                    limit: int | None = None, quiet: bool = False, jobs: int = 1) -> tuple[Path, int]:
    """Run the suite on ``boards`` and write it as the baseline, keeping other boards' rows; (file, rows written)."""
    # start-up cost: every `hil-bench` call loads this module; this waits until used
    from hil_bench.bench import run_bench
    # start-up cost: pulls pandas, loaded only when this runs
    from hil_bench.results import frame_to_rows, read_results, write_results

    directory = Path(directory)
    check_output_dir(directory, "--dir")
    path = directory / f"{suite}-suite.csv"
    kept = [r for r in frame_to_rows(read_results(path)) if r.board not in boards] if path.exists() else []
    rows, _, _ = run_bench([load_board(name) for name in boards], suite, quiet=quiet, limit=limit, jobs=jobs)
    write_results(path, [*kept, *rows])
    return path, len(rows)
