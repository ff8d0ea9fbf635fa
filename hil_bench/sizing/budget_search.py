"""``hil-bench fit``: the most accurate grid point that fits a budget, with as few trainings as it takes.

Flash falls as sparsity rises and as clusters get fewer, so for each cluster count (least compressed
first) a binary search on the sparsity axis finds the least pruned point that fits; and a point that
fits stays fitting with fewer clusters, so each search starts below the previous one's answer. A
point is sized right after training by building its image (the fits check ``size`` uses), without a
board run; accuracy is TFLite Micro's reference kernels on the host over the whole test split (the
device is bit-exact with them). Only then are the candidates run on the board, most accurate first,
until one fits with its measured flash and RAM. Every point tried is kept with its numbers and the
reason it was not chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hil_bench.errors import UsageError
from hil_bench.sizing import state
from hil_bench.sizing.budget import Budget
from hil_bench.sizing.grid import Point, sparsity_fraction
from hil_bench.sizing.pareto import quality
from hil_bench.sizing.settings import Settings
from hil_bench.board_fit import check
from hil_bench.compress import compress_model


@dataclass
class Trial:
    """One point trained and sized; ``ram_bytes`` before a board run is a lower bound (data + bss +
    the host plan's arena, no stack), after it the device's measurement."""

    point: Point
    accuracy: float | None = None       # int8 on the host, whole test split
    metric: str = "accuracy"
    flash_bytes: int | None = None
    ram_bytes: int | None = None
    ram_lower_bound: int | None = None  # before any board run: data + bss + the host plan's arena
    model_bytes: int | None = None
    fits: bool = False                  # the budget, on the figures known so far
    reasons: list[str] = field(default_factory=list)
    row: dict | None = None             # the board run's result row, for the points run
    measured_before: bool = False       # the row comes from an earlier sweep or fit (sweep state)

    def as_dict(self) -> dict:
        return {"point": self.point.name, "sparsity": self.point.sparsity, "clusters": self.point.clusters,
                "accuracy_host": self.accuracy, "metric": self.metric, "flash_bytes": self.flash_bytes,
                "ram_bytes": self.ram_bytes, "ram_lower_bound": self.ram_lower_bound,
                "model_bytes": self.model_bytes, "fits": self.fits,
                "chosen": False, "reason": "; ".join(self.reasons) or None, "board_row": self.row,
                "measured_before": self.measured_before}


@dataclass
class FitResult:
    board: str
    budget: Budget
    min_accuracy: float | None
    grid_size: int
    trials: list[Trial]
    chosen: Trial | None = None
    board_runs: int = 0
    stages_run: int = 0                 # stages computed (not from the cache) by this run
    stages_cached: int = 0
    rows_reused: int = 0                # board rows taken from the sweep state instead of a board run
    run_path: Path | None = None        # the results run holding the board rows (None: not stored)

    def as_dict(self) -> dict:
        trials = [dict(t.as_dict(), chosen=t is self.chosen) for t in self.trials]
        return {"board": self.board, "budget": self.budget.as_dict(), "min_accuracy": self.min_accuracy,
                "grid_size": self.grid_size, "trainings": len(self.trials), "board_runs": self.board_runs,
                "work": {"stages_run": self.stages_run, "stages_cached": self.stages_cached,
                         "rows_reused": self.rows_reused, "board_runs": self.board_runs},
                "run_csv": None if self.run_path is None else str(self.run_path),
                "chosen": next((t for t in trials if t["chosen"]), None), "tried": trials}


class _Sizer:
    """Trains and sizes points on demand, each at most once; a point with a board row from an earlier
    run takes its measured flash and RAM from it."""

    def __init__(self, settings: Settings, board, budget: Budget, progress, rows: dict):
        self.settings, self.board, self.budget, self.progress = settings, board, budget, progress
        self.rows = rows                  # point name -> ResultRow measured on this board before
        self.trials: dict[Point, Trial] = {}
        self.optimized: dict[Point, object] = {}
        self.stages_run = self.stages_cached = 0

    def fits(self, point: Point) -> bool:
        return self.trial(point).fits

    def trial(self, point: Point) -> Trial:
        if point not in self.trials:
            self.trials[point] = self._measure(point)
        return self.trials[point]

    def _optimize(self, point: Point):
        from hil_bench.bench import trained_suite_recipe

        self.progress(f"training {point.name}")
        result = trained_suite_recipe(self.settings.suite(), self.settings.recipe(point), quiet=True)[2]
        self.optimized[point] = result
        for stage in result.stages:
            if stage.name != "float":
                self.stages_cached += bool(stage.cached)
                self.stages_run += not stage.cached
        return result

    def _measure(self, point: Point) -> Trial:
        from hil_bench.firmware.features import board_kernel_path
        from hil_bench.tflite_parts import strip_names

        result = self._optimize(point)
        int8 = result.stage("int8")
        trial = Trial(point, accuracy=int8.score, metric=result.metric)
        row = self.rows.get(point.name)
        if row is not None:   # measured on this board before: the figures stand
            trial.row, trial.measured_before = _row_dict(row), True
            trial.flash_bytes, trial.ram_bytes, trial.model_bytes = row.flash_bytes, row.ram_bytes, row.model_bytes
            trial.fits, reason = self.budget.judge(row.flash_bytes, row.ram_bytes)
            if not trial.fits:
                trial.reasons.append(f"measured on the board: {reason}")
            return trial
        self.progress(f"sizing {point.name}")
        stored = compress_model(result.tflite, method=self.settings.compress,
                                path=board_kernel_path(self.board, self.settings.kernels)).model
        if self.settings.strip_names:
            stored = strip_names(stored)
        fit, image = check(stored, self.board, kernels=self.settings.kernels, boot=False)
        if image is not None:
            s = image.sizes
            trial.flash_bytes, trial.model_bytes = s.flash_bytes, s.model_bytes
            if fit.arena_used_bytes is not None:
                trial.ram_bytes = trial.ram_lower_bound = s.data_bytes + s.bss_bytes + fit.arena_used_bytes
        if not fit.fits:
            trial.reasons.append(fit.reason)
            return trial
        trial.fits, reason = self.budget.judge(trial.flash_bytes, trial.ram_bytes, "RAM (lower bound)")
        if not trial.fits:
            trial.reasons.append(reason)
        return trial


def search(settings: Settings, sparsities: list[float], clusters: list[int], board, budget: Budget, *,
           min_accuracy: float | None = None, results_dir: Path | None = None,
           progress=lambda text: None) -> FitResult:
    """The search described in the module docstring; ``board`` is a loaded Board. ``results_dir``: where
    the sweep state is (earlier rows reused, this run's board rows added); None: nothing read or stored."""
    from hil_bench.bench import bench_recipe

    store, rows = _earlier_rows(settings, board.name, results_dir)
    sizer = _Sizer(settings, board, budget, progress, rows)
    axis = sorted(sparsities, key=sparsity_fraction)
    known_fit = None   # an index on the sparsity axis known (by monotonicity) to fit for the next cluster count
    for k in sorted(clusters, key=lambda c: Point(0.0, c).compression_order()):
        index = _first_fitting(lambda i: sizer.fits(Point(axis[i], k)), len(axis), known_fit)
        if index is not None:
            sizer.trial(Point(axis[index], k))   # trained for its accuracy even when implied to fit
            known_fit = index
    for point in (Point(s, k) for s in axis for k in clusters):
        if point.name in rows:   # measured before: a candidate, whatever the search implied
            sizer.trial(point)
    trials = list(sizer.trials.values())
    result = FitResult(board.name, budget, min_accuracy, len(axis) * len(clusters), trials,
                       rows_reused=sum(t.measured_before for t in trials),
                       run_path=None if store is None else store.run_path)
    if min_accuracy is not None and any(t.metric != "accuracy" for t in trials):
        raise UsageError(f"--min-accuracy applies to classifiers; {settings.suite().label} is scored by "
                         f"{trials[0].metric}")
    for t in trials:
        if t.fits and min_accuracy is not None and t.accuracy is not None and t.accuracy < min_accuracy:
            t.fits = False
            t.reasons.append(f"{t.metric} {t.accuracy:.4f} is below --min-accuracy {min_accuracy}")
    for t in sorted((t for t in trials if t.fits), key=lambda t: (-quality(t.accuracy, t.metric), t.flash_bytes)):
        if result.chosen is not None:
            t.reasons.append(f"fits, but less accurate than {result.chosen.point.name} "
                             f"({t.accuracy:.4f} vs {result.chosen.accuracy:.4f})")
            continue
        if t.row is None:
            progress(f"{t.point.name} on {board.name}")
            row, _ = bench_recipe(board, settings.suite(), sizer.optimized[t.point].recipe,
                                  run_id=store.run_id if store is not None else "fit", limit=settings.limit,
                                  compress=settings.compress, kernels=settings.kernels,
                                  optimized=sizer.optimized[t.point], strip_names=settings.strip_names)
            result.board_runs += 1
            if store is not None:
                store.append(row)
            t.row = _row_dict(row)
            t.flash_bytes, t.ram_bytes = row.flash_bytes, row.ram_bytes
            t.fits, reason = budget.judge(row.flash_bytes, row.ram_bytes)
            if t.fits is False:
                t.reasons.append(f"measured on the board: {reason}")
        if t.fits is not False:
            result.chosen = t
    result.stages_run, result.stages_cached = sizer.stages_run, sizer.stages_cached
    return result


def _earlier_rows(settings: Settings, board: str, results_dir: Path | None):
    """(the results store of this settings' sweep state or None, {point name: row on ``board``})."""
    if results_dir is None:
        return None, {}
    from hil_bench.results import ResultsStore, new_run_id, read_rows

    key = state.sweep_key(settings.key())
    run_id = state.load_run_id(results_dir, key) or new_run_id()
    store = ResultsStore(results_dir, run_id=run_id)
    state.save(results_dir, key, run_id, settings.as_dict())
    rows = read_rows(store.run_path) if store.run_path.exists() else []
    return store, {r.recipe: r for r in rows if r.board == board}


def _first_fitting(fits, n: int, known_fit: int | None) -> int | None:
    """The smallest index in [0, n) where ``fits`` holds, given it holds from some index on (monotone);
    ``known_fit``: an index already known to fit, so only the indices below it are tried."""
    low, high = 0, (n - 1 if known_fit is None else known_fit - 1)
    answer = known_fit
    while low <= high:
        mid = (low + high) // 2
        if fits(mid):
            answer, high = mid, mid - 1
        else:
            low = mid + 1
    return answer


def _row_dict(row) -> dict:
    """``accuracy_host`` here is on the same samples as ``accuracy_device`` (the board run's)."""
    keep = ("accuracy_host", "accuracy_device", "latency", "latency_unit", "flash_bytes", "ram_bytes",
            "arena_used_bytes", "harness_ram_bytes", "model_bytes", "sparsity_survived", "clusters_survived",
            "runner", "kernels", "compress", "decode", "names_stripped")
    return {k: getattr(row, k) for k in keep}
