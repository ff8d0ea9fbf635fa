"""What structure a weight tensor carries — zeros and clusters — read with numpy alone.

Keras kernels keep the output channel last: Conv2D ``[H, W, I, O]``, Dense ``[I, O]``. DepthwiseConv2D
``[H, W, I, M]`` has ``I * M`` output channels, the last two axes together (TFLite orders them the same
way, ``i * M + m``). :func:`channel_view` turns any of them into ``[elements, channels]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hil_bench.nm import nm_mask, nm_share, nm_shares, strictest_nm  # noqa: F401 (the N:M rows API, here too)

# A tensor counts as clustered when each group (the tensor, or each channel) has at most this many
# distinct values and fewer than half as many values as elements (tiny tensors are not "clustered"
# just because they are small).
MAX_CLUSTERS = 256


def channel_view(values: np.ndarray, channel_axes: int = 1) -> np.ndarray:
    """Reshape a kernel to ``[elements per channel, output channels]``."""
    channels = int(np.prod(values.shape[-channel_axes:])) if values.ndim else 1
    return np.reshape(values, (-1, channels))


@dataclass(frozen=True)
class ClusterStructure:
    """How a tensor is clustered: per tensor (one group) or per channel, with at most ``num_clusters`` each."""

    per_channel: bool
    num_clusters: int


def sparsity(values: np.ndarray) -> float:
    return float(np.mean(values == 0)) if values.size else 0.0


def unique_counts(values: np.ndarray, channel_axes: int = 1) -> tuple[int, int]:
    """(unique values in the whole tensor, max unique values in one output channel)."""
    view = channel_view(values, channel_axes)
    per_channel = max((len(np.unique(view[:, c])) for c in range(view.shape[1])), default=0)
    return len(np.unique(values)), per_channel


def detect_clusters(values: np.ndarray, channel_axes: int = 1,
                    max_clusters: int = MAX_CLUSTERS) -> ClusterStructure | None:
    """The cluster structure of a tensor, or ``None`` if it is not clustered.

    Per-tensor clustering is preferred when it fits (it ties the most weights together); a tensor
    clustered per channel has too many distinct values in total and is recognised per channel.
    """
    view = channel_view(values, channel_axes)
    per_tensor, per_channel = unique_counts(values, channel_axes)
    if per_tensor <= max_clusters and 2 * per_tensor < values.size:
        return ClusterStructure(per_channel=False, num_clusters=per_tensor)
    if per_channel <= max_clusters and 2 * per_channel < view.shape[0]:
        return ClusterStructure(per_channel=True, num_clusters=per_channel)
    return None


def cluster_indices(values: np.ndarray, structure: ClusterStructure,
                    channel_axes: int = 1) -> tuple[np.ndarray, np.ndarray] | None:
    """Centroids ``[groups, K]`` and flat indices (tensor-shaped, into ``centroids.ravel()``).

    Returns ``None`` when the values do not have the given structure (a group with more than K values).
    Unused centroid slots (a group with fewer than K values) repeat the group's first value; no index
    points at them, so they never influence the tensor.
    """
    k = structure.num_clusters
    view = channel_view(values, channel_axes)
    groups = [view.ravel()] if not structure.per_channel else [view[:, c] for c in range(view.shape[1])]
    centroids = np.zeros((len(groups), k), dtype=np.float32)
    indices = np.zeros(view.shape, dtype=np.int32)
    for g, group in enumerate(groups):
        uniq, inverse = np.unique(group, return_inverse=True)
        if len(uniq) > k:
            return None
        centroids[g, : len(uniq)] = uniq
        centroids[g, len(uniq):] = uniq[0] if len(uniq) else 0.0
        if structure.per_channel:
            indices[:, g] = g * k + inverse
        else:
            indices = (inverse.reshape(view.shape)).astype(np.int32)
    return centroids, indices.reshape(values.shape)


# ---- N:M structured sparsity ----
#
# The blocks run along the reduction axis as TFLite lays it out, so an int8 kernel that reduces one
# output channel's filter front to back meets them in order: per output channel, the filter flattened
# in TFLite order (CONV_2D [O,H,W,I]: H, W, I with I fastest; FULLY_CONNECTED [O,I]: I;
# DEPTHWISE_CONV_2D [1,H,W,C]: H, W of channel C), cut into blocks of M consecutive weights from the
# start; when the reduction length is not a multiple of M the last block is shorter. A tensor has the
# N:M pattern when every block holds at most N non-zeros. For Conv2D with I a multiple of M the blocks
# are exactly TFMOT's ``sparsity_m_by_n`` blocks (along I for a fixed (o, h, w)); unlike TFMOT's, they
# also cover first layers with I < M (blocks cross (h, w)) and depthwise kernels (along H*W per
# channel, never across channels). Keras kernels reach the same rows through :func:`reduction_rows`.

def reduction_rows(values: np.ndarray, channel_axes: int = 1) -> np.ndarray:
    """A Keras kernel as ``[output channels, reduction]`` in TFLite's reduction order (a view when possible)."""
    return channel_view(values, channel_axes).T


def apply_nm(values: np.ndarray, n: int, m: int, channel_axes: int = 1) -> np.ndarray:
    """A Keras kernel with only the N largest magnitudes of each M-block of its reduction rows kept."""
    rows = reduction_rows(values, channel_axes)
    pruned = rows * nm_mask(rows, n, m)
    return np.ascontiguousarray(pruned.T).reshape(values.shape)
