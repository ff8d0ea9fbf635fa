"""N:M structured sparsity patterns by name ("2:4": at most 2 non-zeros in every block of 4), as data.

Pure Python, no TensorFlow import: recipes and sweep grids check a pattern before anything trains.
Where the blocks run in a weight tensor, and the masks: :mod:`hil_bench.qat.structure`.
"""

from __future__ import annotations

# M a power of two up to 16, at least half the weights zero: the patterns recipes may ask for and the
# audit looks for.
NM_BLOCKS = (2, 4, 8, 16)
NM_PATTERNS = tuple(f"{n}:{m}" for m in NM_BLOCKS for n in range(1, m // 2 + 1))


def parse_nm(pattern: str) -> tuple[int, int]:
    """``"2:4"`` -> (2, 4); ValueError naming the allowed patterns for anything else."""
    if pattern not in NM_PATTERNS:
        raise ValueError(f"{pattern!r} is not an N:M pattern hil-bench supports; use N:M with M in "
                         f"{', '.join(map(str, NM_BLOCKS))} and 1 <= N <= M/2, e.g. 2:4, 1:4 or 1:8")
    n, m = pattern.split(":")
    return int(n), int(m)


def nm_sparsity(pattern: str) -> float | None:
    """1 - N/M for a supported N:M pattern, None for anything else."""
    if pattern not in NM_PATTERNS:
        return None
    n, m = parse_nm(pattern)
    return 1.0 - n / m
