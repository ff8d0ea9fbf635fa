"""The Pareto front: points no other point beats on both quality (accuracy, higher) and a cost (lower)."""

from __future__ import annotations

from hil_bench.metrics import METRICS


def front(points: dict[str, tuple[float | None, float | None]]) -> set[str]:
    """Names of the non-dominated points of ``{name: (accuracy, cost)}``; points missing either value
    are left out. A point is dominated when another is at least as good on both and better on one."""
    known = {n: v for n, v in points.items() if v[0] is not None and v[1] is not None}

    def dominated(a: tuple, b: tuple) -> bool:   # b dominates a
        return b[0] >= a[0] and b[1] <= a[1] and (b[0] > a[0] or b[1] < a[1])

    return {n for n, v in known.items() if not any(dominated(v, w) for m, w in known.items() if m != n)}


def quality(score: float | None, metric: str) -> float:
    """``score`` oriented so that higher is better (an autoencoder's mse is negated); None ranks last."""
    if score is None:
        return float("-inf")
    return score if METRICS[metric].higher_is_better else -score
