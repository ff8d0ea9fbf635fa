import numpy as np

from hil_bench.qat import structure


def test_channel_view_depthwise_orders_channels_like_tflite():
    w = np.arange(3 * 3 * 4 * 2).reshape(3, 3, 4, 2)
    view = structure.channel_view(w, channel_axes=2)
    assert view.shape == (9, 8)
    # TFLite depthwise channel i*M + m holds kernel[..., i, m]
    assert np.array_equal(view[:, 5], w[:, :, 2, 1].ravel())


def test_detect_per_tensor_clusters():
    rng = np.random.default_rng(0)
    w = rng.choice([-1.0, 0.0, 0.5, 2.0], size=(3, 3, 8, 16))
    assert structure.detect_clusters(w) == structure.ClusterStructure(per_channel=False, num_clusters=4)


def test_detect_per_channel_clusters():
    rng = np.random.default_rng(0)
    channels = [rng.normal(size=4) for _ in range(300)]
    w = np.stack([rng.choice(c, size=64) for c in channels], axis=-1)  # [64, 300]
    found = structure.detect_clusters(w)
    assert found.per_channel and found.num_clusters <= 4


def test_unclustered_tensor_is_not_clustered():
    w = np.random.default_rng(0).normal(size=(3, 3, 8, 16))
    assert structure.detect_clusters(w) is None


def test_tiny_tensor_is_not_called_clustered_for_being_small():
    w = np.random.default_rng(0).normal(size=(3, 3, 1, 1))
    assert structure.detect_clusters(w, channel_axes=2) is None


def test_cluster_indices_reconstruct_exactly():
    rng = np.random.default_rng(1)
    w = rng.choice([-0.3, 0.0, 0.7], size=(3, 3, 4, 2)).astype(np.float32)
    for per_channel in (False, True):
        s = structure.ClusterStructure(per_channel=per_channel, num_clusters=3)
        centroids, idx = structure.cluster_indices(w, s, channel_axes=2)
        assert np.array_equal(centroids.ravel()[idx], w)
        if per_channel:  # every weight points into its own channel's centroids
            chan = structure.channel_view(idx, 2) // 3
            assert np.array_equal(chan, np.broadcast_to(np.arange(8), chan.shape))


def test_cluster_indices_refuses_too_many_values():
    w = np.arange(10, dtype=np.float32)
    assert structure.cluster_indices(w, structure.ClusterStructure(False, 4)) is None
