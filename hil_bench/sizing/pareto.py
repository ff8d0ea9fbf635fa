"""The Pareto front: points no other point beats on both quality (accuracy, higher) and a cost (lower).

Costs closer than :data:`NOISE_FLOOR` (relative) count as equal: flash and instruction counts are
deterministic, but a point 500 instructions faster in 7 M is no trade-off worth showing against a
more accurate one, so the more accurate point dominates it.
"""

from __future__ import annotations

from hil_bench.metrics import METRICS

NOISE_FLOOR = 0.005   # relative cost difference below which two costs are the same (0.5 %)


def front(points: dict[str, tuple[float | None, float | None]], noise: float = NOISE_FLOOR) -> set[str]:
    """Names of the non-dominated points of ``{name: (accuracy, cost)}``; points missing either value
    are left out. A point is dominated when another is at least as accurate and no costlier (costs
    within ``noise`` of each other being equal), and better on one of the two."""
    known = {n: v for n, v in points.items() if v[0] is not None and v[1] is not None}

    def same_cost(x: float, y: float) -> bool:
        return abs(x - y) <= noise * max(abs(x), abs(y))

    def dominated(a: tuple, b: tuple) -> bool:   # b dominates a
        tie = same_cost(a[1], b[1])
        cheaper = b[1] < a[1] and not tie
        return b[0] >= a[0] and (cheaper or tie) and (b[0] > a[0] or cheaper)

    return {n for n, v in known.items() if not any(dominated(v, w) for m, w in known.items() if m != n)}


def quality(score: float | None, metric: str) -> float:
    """``score`` oriented so that higher is better (an autoencoder's mse is negated); None ranks last."""
    if score is None:
        return float("-inf")
    return score if METRICS[metric].higher_is_better else -score
