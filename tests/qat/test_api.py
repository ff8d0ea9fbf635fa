"""The public surface of hil_bench.qat: names, config round trips, errors, save and reload."""

from __future__ import annotations

import numpy as np
import pytest

from hil_bench._keras import keras, tfmot
from hil_bench.errors import ModelFileError, PreserveError, UnsupportedModelError, UsageError
from tests.qat.conftest import conv_dw_dense, fine_tune, impose_structure


def test_public_names_import():
    from hil_bench.qat import (  # noqa: F401
        ClusterPreserveQuantizeConfig,
        ClusterPreserveQuantizer,
        PruneClusterPreserveQuantizeConfig,
        PruneClusterPreserveQuantizer,
        PrunePreserveQuantizeConfig,
        PrunePreserveQuantizer,
        preserve_quantize,
    )


def test_quantizer_and_config_round_trip():
    from hil_bench.qat import (
        ClusterPreserveQuantizeConfig,
        PruneClusterPreserveQuantizeConfig,
        PruneClusterPreserveQuantizer,
        PrunePreserveQuantizeConfig,
        PrunePreserveQuantizer,
    )

    q = PruneClusterPreserveQuantizer(per_axis=True, num_clusters=8, per_channel_clusters=True, channel_axes=2)
    assert type(q).from_config(q.get_config()) == q
    assert q != PruneClusterPreserveQuantizer(per_axis=True, num_clusters=16)
    for config in (PrunePreserveQuantizeConfig("kernel", PrunePreserveQuantizer(per_axis=True)),
                   PruneClusterPreserveQuantizeConfig("depthwise_kernel", q)):
        assert type(config).from_config(config.get_config()) == config
    with pytest.raises(TypeError):
        ClusterPreserveQuantizeConfig("kernel", q)  # a prune+cluster quantizer in a cluster config


def test_quantize_config_works_through_tfmot_annotate_api(digits):
    """The configs plug into TFMOT's own quantize_annotate_layer / quantize_apply."""
    from hil_bench.qat import PrunePreserveQuantizeConfig, PrunePreserveQuantizer, preserve_qat_scope

    x, y = digits
    model = keras.Sequential([
        keras.Input((8, 8, 1)), keras.layers.Flatten(),
        keras.layers.Dense(10, activation="relu"), keras.layers.Dense(10),
    ])
    kernel = model.layers[1].kernel
    kernel.assign(np.where(np.arange(kernel.shape[0])[:, None] % 2 == 0, 0.0, kernel.numpy()))
    annotate = tfmot.quantization.keras.quantize_annotate_layer
    annotated = tfmot.quantization.keras.quantize_annotate_model(keras.Sequential([
        keras.Input((8, 8, 1)), model.layers[0],
        annotate(model.layers[1], PrunePreserveQuantizeConfig("kernel", PrunePreserveQuantizer())),
        model.layers[2],
    ]))
    with preserve_qat_scope():
        qat = tfmot.quantization.keras.quantize_apply(annotated)
    fine_tune(qat, x, y, epochs=1)
    from hil_bench.qat import preserved_kernels

    assert np.all(preserved_kernels(qat)[model.layers[1].name][::2] == 0)


def test_save_and_reload_gives_identical_outputs(tmp_path, digits):
    from hil_bench.qat import load_preserve_qat, preserve_quantize, preserved_kernels, save_preserve_qat

    x, y = digits
    model = conv_dw_dense()
    impose_structure(model, seed=3)
    qat = fine_tune(preserve_quantize(model, "prune_cluster"), x, y, epochs=1)
    path = save_preserve_qat(qat, tmp_path / "pcqat")
    again = load_preserve_qat(path)
    assert np.array_equal(qat.predict(x[:64], verbose=0), again.predict(x[:64], verbose=0))
    for name, kernel in preserved_kernels(qat).items():
        assert np.array_equal(preserved_kernels(again)[name], kernel)
    # ... and the reloaded model keeps preserving while it trains on
    fine_tune(again, x, y, epochs=1)
    for name, kernel in preserved_kernels(again).items():
        assert np.all(kernel[preserved_kernels(qat)[name] == 0] == 0)


def test_save_refuses_h5_and_load_refuses_non_savedmodel(tmp_path):
    from hil_bench.qat import load_preserve_qat, save_preserve_qat

    with pytest.raises(UsageError, match="SavedModel"):
        save_preserve_qat(object(), tmp_path / "m.h5")
    (tmp_path / "junk").mkdir()
    with pytest.raises(UsageError, match="saved_model.pb"):
        load_preserve_qat(tmp_path / "junk")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "saved_model.pb").write_bytes(b"not a protobuf")
    with pytest.raises(ModelFileError):
        load_preserve_qat(tmp_path / "bad")


def test_keras3_model_is_refused_with_what_to_do():
    import keras as keras3

    from hil_bench.qat import preserve_quantize

    model = keras3.Sequential([keras3.Input((4,)), keras3.layers.Dense(2)])
    with pytest.raises(UnsupportedModelError, match="Keras 3.*tf_keras"):
        preserve_quantize(model, "prune")


def test_unsupported_weighted_layer_is_named():
    from hil_bench.qat import preserve_quantize

    model = keras.Sequential([keras.Input((8, 1)), keras.layers.Conv1D(2, 3, name="my_conv1d"),
                              keras.layers.Flatten(), keras.layers.Dense(2)])
    with pytest.raises(UnsupportedModelError, match=r"my_conv1d \(Conv1D\)"):
        preserve_quantize(model, "prune")


def test_missing_structure_is_a_clear_error():
    from hil_bench.qat import preserve_quantize

    model = conv_dw_dense()  # fresh random weights: no zeros, no clusters
    with pytest.raises(PreserveError, match="prune the model first"):
        preserve_quantize(model, "prune")
    with pytest.raises(PreserveError, match="cluster the model first"):
        preserve_quantize(model, "cluster")
    with pytest.raises(UsageError, match="prune_cluster"):
        preserve_quantize(model, "sparse")


def test_pruned_but_unclustered_model_gets_prune_preservation_in_prune_cluster_mode(digits):
    from hil_bench.qat import preserve_quantize, preserved_kernels

    model = conv_dw_dense()
    dense = model.layers[-1]
    dense.kernel.assign(np.where(np.random.default_rng(0).random(dense.kernel.shape) < 0.5, 0, dense.kernel.numpy()))
    qat = preserve_quantize(model, "prune_cluster")
    assert list(preserved_kernels(qat)) == [dense.name]
