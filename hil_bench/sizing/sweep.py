"""``hil-bench sweep``: every (sparsity, clusters) point trained once, run on every board, judged.

Points go from least to most compressed. Each point is optimized once (the stage cache shares the
float model across the whole grid, and a prune stage between points that differ only in clusters),
then built, run and audited on each board by the same code as ``bench`` (:func:`hil_bench.bench.bench_recipe`),
one row per (point, board) appended to one results run as it finishes. A point whose image does not fit
a board is an entry marked "does not fit" with the reason (as ``fit`` marks it), not the end of the sweep.
A re-run finds that run through the sweep state and skips the rows it already holds; a second sweep with
the same settings into the same folder while one runs is refused (a lock), so no row is written twice.
At the end every row is marked: on the Pareto front of its board (accuracy vs flash, accuracy vs latency)
or not, and fitting the board's budget or not.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hil_bench.boards import Board
from hil_bench.sizing import state
from hil_bench.sizing.budget import Budget
from hil_bench.sizing.grid import Point
from hil_bench.sizing.pareto import front, quality
from hil_bench.sizing.settings import Settings

ROW_FIELDS = ("accuracy_host", "accuracy_device", "metric", "latency", "latency_unit", "flash_bytes", "ram_bytes",
              "model_bytes_raw", "model_bytes", "code_bytes", "arena_used_bytes", "decoded_weight_bytes",
              "harness_ram_bytes", "stack_used_bytes", "sparsity_trained", "sparsity_binary",
              "max_unique_trained", "max_unique_binary", "sparsity_survived", "clusters_survived", "runner",
              "compress", "decode", "names_stripped")


@dataclass
class SweepResult:
    run_id: str
    run_path: Path
    summary_path: Path
    state_path: Path
    entries: list[dict]                 # one per (point, board), in grid then board order
    budgets: dict[str, Budget]
    rows_skipped: int = 0               # already in the run when this sweep started
    rows_run: int = 0
    points_trained: dict[str, list[dict]] = field(default_factory=dict)   # point -> its stages, this invocation
    extras: dict[tuple[str, str], dict] = field(default_factory=dict)   # (point, board) -> bench extras, this run

    @property
    def stages_run(self) -> int:
        """Stages computed (not taken from the cache) by this invocation."""
        return sum(not s["cached"] for stages in self.points_trained.values() for s in stages)

    @property
    def stages_cached(self) -> int:
        return sum(s["cached"] for stages in self.points_trained.values() for s in stages)

    def summary(self, settings: Settings, points: list[Point], boards: list[str]) -> dict:
        return {"settings": settings.as_dict(), "run_id": self.run_id, "run_csv": str(self.run_path),
                "points": [{"name": p.name, "sparsity": p.sparsity, "clusters": p.clusters,
                            "recipe": settings.recipe(p).to_dict()} for p in points],
                "boards": boards, "budgets": {b: budget.as_dict() for b, budget in self.budgets.items()},
                "rows": self.entries,
                "work": {"rows_skipped": self.rows_skipped, "rows_run": self.rows_run,
                         "points_trained": self.points_trained, "stages_run": self.stages_run,
                         "stages_cached": self.stages_cached}}


def run_sweep(settings: Settings, points: list[Point], boards: dict[str, Board], budgets: dict[str, Budget],
              results_dir: Path, *, quiet: bool = False) -> SweepResult:
    """``boards``: name -> Board, resolved once by the caller (rows and budgets are keyed by the name)."""
    key = state.sweep_key(settings.key())
    with state.lock(results_dir, key):
        return _run_sweep(settings, points, boards, budgets, results_dir, key, quiet)


def _run_sweep(settings: Settings, points: list[Point], boards: dict[str, Board], budgets: dict[str, Budget],
               results_dir: Path, key: str, quiet: bool) -> SweepResult:
    from tqdm.auto import tqdm

    # start-up cost: every `hil-bench` call loads this module; this waits until used
    from hil_bench.bench import bench_recipe, trained_suite_recipe
    from hil_bench.errors import DoesNotFitError
    from hil_bench.results import ResultsStore, new_run_id, read_rows

    run_id = state.load_run_id(results_dir, key) or new_run_id()
    store = ResultsStore(results_dir, run_id=run_id)
    state_path = state.save(results_dir, key, run_id, settings.as_dict())
    done = {(r.recipe, r.board): r for r in (read_rows(store.run_path) if store.run_path.exists() else [])}
    wanted = [(p, b) for p in points for b in boards]
    todo = [(p, b) for p, b in wanted if (p.name, b) not in done]
    result = SweepResult(run_id, store.run_path, store.run_path.with_suffix(".sweep.json"), state_path, [],
                         budgets, rows_skipped=len(wanted) - len(todo))
    unfit: dict[tuple[str, str], str] = {}   # (point, board) -> why its image does not fit
    suite = settings.suite()
    with tempfile.TemporaryDirectory(prefix="hil-bench-sweep-") as work:
        bar = tqdm(total=len(todo), desc="sweep", unit="row", disable=quiet or not todo, dynamic_ncols=True)
        for point in points:
            missing = [b for p, b in todo if p == point]
            if not missing:
                continue
            bar.set_postfix_str(f"training {point.name} ({points.index(point) + 1}/{len(points)})")
            optimized = trained_suite_recipe(suite, settings.recipe(point), quiet=True)[2]
            result.points_trained[point.name] = [
                {"stage": st.name, "cached": st.cached, "seconds": round(st.seconds, 2)}
                for st in optimized.stages if st.name != "float"]
            for board in missing:
                bar.set_postfix_str(f"{point.name} on {board}")
                try:
                    row, extra = bench_recipe(boards[board], suite, optimized.recipe, run_id=run_id,
                                              limit=settings.limit, work_dir=Path(work), compress=settings.compress,
                                              kernels=settings.kernels, optimized=optimized,
                                              strip_names=settings.strip_names)
                except DoesNotFitError as exc:   # no row to store: the image was never run
                    unfit[(point.name, board)] = str(exc).partition(f"does not fit or run on {board}: ")[2] \
                        or str(exc)
                else:
                    store.append(row)
                    done[(point.name, board)] = row
                    result.extras[(point.name, board)] = extra
                    result.rows_run += 1
                bar.update(1)
        bar.close()
    result.entries = judge(points, list(boards), done, budgets, unfit)
    state.write_json(result.summary_path, result.summary(settings, points, list(boards)))
    return result


def judge(points: list[Point], boards: list[str], rows: dict, budgets: dict[str, Budget],
          unfit: dict[tuple[str, str], str] | None = None) -> list[dict]:
    """One entry per (point, board) with a row: its numbers, Pareto marks and the fits verdict; and one per
    (point, board) in ``unfit`` (its image did not fit the board's memory): no numbers, "does not fit"."""
    unfit = unfit or {}
    entries = []
    for board in boards:
        here = {p.name: rows[(p.name, board)] for p in points if (p.name, board) in rows}
        accuracy = {n: quality(r.accuracy_device if r.accuracy_device is not None else r.accuracy_host, r.metric)
                    for n, r in here.items()}
        by_flash = front({n: (accuracy[n], r.flash_bytes) for n, r in here.items()})
        by_latency = front({n: (accuracy[n], r.latency) for n, r in here.items()})
        for point in points:
            row = here.get(point.name)
            if row is None:
                if (point.name, board) in unfit:
                    entries.append({"point": point.name, "sparsity": point.sparsity, "clusters": point.clusters,
                                    "board": board, **dict.fromkeys(ROW_FIELDS), "pareto_flash": False,
                                    "pareto_latency": False, "fits": False,
                                    "fits_reason": unfit[(point.name, board)]})
                continue
            fits, reason = budgets[board].judge(row.flash_bytes, row.ram_bytes)
            entries.append({"point": point.name, "sparsity": point.sparsity, "clusters": point.clusters,
                            "board": board, **{f: getattr(row, f) for f in ROW_FIELDS},
                            "pareto_flash": point.name in by_flash, "pareto_latency": point.name in by_latency,
                            "fits": fits, "fits_reason": reason})
    return entries
