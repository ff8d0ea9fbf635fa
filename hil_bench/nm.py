"""N:M structured sparsity patterns by name ("2:4": at most 2 non-zeros in every block of 4), as data.

NumPy only, no TensorFlow import: recipes and sweep grids check a pattern before anything trains, and
the audit measures patterns on ``[output channel, reduction]`` rows. Where the blocks run in a Keras
kernel: :mod:`hil_bench.qat.structure`.
"""

from __future__ import annotations

import numpy as np

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


def _blocks_nonzero(rows: np.ndarray, m: int) -> np.ndarray:
    """Non-zeros per block of ``m`` along each row (the short last block padded with zeros)."""
    rows = np.asarray(rows)
    pad = (-rows.shape[1]) % m
    nonzero = np.pad(rows != 0, ((0, 0), (0, pad)))
    return nonzero.reshape(rows.shape[0], -1, m).sum(axis=2)


def nm_share(rows: np.ndarray, n: int, m: int) -> float:
    """Share of the M-blocks of ``rows`` ([channels, reduction]) that hold at most N non-zeros."""
    if rows.size == 0:
        return 1.0
    return float(np.mean(_blocks_nonzero(rows, m) <= n))


def nm_shares(rows: np.ndarray) -> dict[str, float]:
    """:func:`nm_share` for every pattern of :data:`NM_PATTERNS` whose M fits in the reduction length
    (a 3x3 depthwise filter is not "5:16" just because its nine weights hold five non-zeros)."""
    shares = {}
    for m in NM_BLOCKS:
        if rows.size == 0 or m > rows.shape[1]:
            continue
        counts = _blocks_nonzero(rows, m)
        for n in range(1, m // 2 + 1):
            shares[f"{n}:{m}"] = float(np.mean(counts <= n))
    return shares


def strictest_nm(shares: dict[str, float]) -> str:
    """The pattern every block holds with the fewest non-zeros kept (N/M; the smaller M on a tie), or ''."""
    held = [p for p, share in shares.items() if share == 1.0]
    return min(held, key=lambda p: (parse_nm(p)[0] / parse_nm(p)[1], parse_nm(p)[1]), default="")


def nm_mask(rows: np.ndarray, n: int, m: int) -> np.ndarray:
    """0/1 mask over ``rows`` keeping the N largest magnitudes of every M-block (ties: the earlier one)."""
    rows = np.asarray(rows)
    channels, length = rows.shape
    pad = (-length) % m
    magnitude = np.pad(np.abs(rows), ((0, 0), (0, pad)), constant_values=-1.0).reshape(channels, -1, m)
    order = np.argsort(-magnitude, axis=2, kind="stable")
    keep = np.zeros_like(magnitude, dtype=bool)
    np.put_along_axis(keep, order[:, :, :n], True, axis=2)
    return keep.reshape(channels, -1)[:, :length].astype(rows.dtype)
