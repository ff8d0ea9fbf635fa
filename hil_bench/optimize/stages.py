"""The training steps of a recipe, each a plain function: model and data in, new model out.

They never change the model passed in (TFMOT's ``cluster_weights`` would: it is given a clone), seed
Keras before training so a stage is reproducible, and strip TFMOT's wrappers before returning so the
next stage gets a plain tf_keras model.
"""

from __future__ import annotations

import numpy as np

from hil_bench._keras import keras, tfmot
from hil_bench.datasets import CLASSIFICATION, Dataset
from hil_bench.optimize.recipe import ClusterStep, PruneStep, QatStep, TrainStep
from hil_bench.qat import preserve_quantize

_INITS = {
    "kmeans_plus_plus": "KMEANS_PLUS_PLUS",
    "linear": "LINEAR",
    "density": "DENSITY_BASED",
    "random": "RANDOM",
}


def clone(model):
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def outputs_probabilities(model) -> bool:
    """Whether the model ends in a softmax (TFMOT wrappers and QAT activations unwrapped)."""
    last = model.layers[-1]
    last = getattr(last, "layer", last)  # QuantizeWrapper / PruneLowMagnitude / ClusterWeights
    if isinstance(last, keras.layers.Softmax):
        return True
    activation = getattr(last, "activation", None)
    activation = getattr(activation, "activation", activation)  # QAT's QuantizeAwareActivation
    return activation is keras.activations.softmax or getattr(activation, "__name__", "") == "softmax"


def _compile(model, data: Dataset, learning_rate: float) -> None:
    if data.task == CLASSIFICATION:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=not outputs_probabilities(model))
        metrics = ["accuracy"]
    else:
        loss, metrics = keras.losses.MeanSquaredError(), []
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=metrics)


def _fit(model, data: Dataset, epochs: int, batch_size: int, seed: int, callbacks=()) -> None:
    keras.utils.set_random_seed(seed)
    if epochs > 0:
        model.fit(data.x_train, data.y_train, epochs=epochs, batch_size=batch_size, verbose=0,
                  validation_data=(data.x_val, data.y_val), callbacks=list(callbacks))


def train(model, data: Dataset, step: TrainStep, seed: int, callbacks=()):
    model = clone(model)
    _compile(model, data, step.learning_rate)
    _fit(model, data, step.epochs, step.batch_size, seed, callbacks)
    return model


class PrunableDepthwiseConv2D(keras.layers.DepthwiseConv2D, tfmot.sparsity.keras.PrunableLayer):
    """DepthwiseConv2D whose kernel TFMOT may prune (its registry leaves depthwise kernels alone)."""

    def get_prunable_weights(self):
        return [self.depthwise_kernel]


class ClusterableDepthwiseConv2D(keras.layers.DepthwiseConv2D, tfmot.clustering.keras.ClusterableLayer):
    """DepthwiseConv2D whose kernel TFMOT may cluster (its registry leaves depthwise kernels alone)."""

    def get_clusterable_weights(self):
        return [("depthwise_kernel", self.depthwise_kernel)]


def _swap_depthwise(model, to_class):
    """Clone ``model`` with every DepthwiseConv2D (or our variants) rebuilt as ``to_class``, weights kept.

    Used to let TFMOT prune and cluster depthwise kernels, and to turn the layers back into plain
    DepthwiseConv2D afterwards, so no hil-bench class leaks into the models users get.
    """
    depthwise = (keras.layers.DepthwiseConv2D, PrunableDepthwiseConv2D, ClusterableDepthwiseConv2D)

    def rebuild(layer):
        cls = to_class if type(layer) in depthwise else type(layer)
        return cls.from_config(layer.get_config())

    copy = keras.models.clone_model(model, clone_function=rebuild)
    copy.set_weights(model.get_weights())
    return copy


class NMProjection(keras.callbacks.Callback):
    """Keeps every Conv2D, DepthwiseConv2D and Dense kernel N:M while it trains: before the first batch
    and after every batch, each block of M weights along the reduction axis keeps only its N largest
    magnitudes (re-chosen each time, so a weight that grows can take a pruned one's place).

    Our mask rather than TFMOT's ``sparsity_m_by_n``: TFMOT's blocks run along the input channels of one
    (o, h, w) only, so a first conv with 1 or 3 input channels stays dense, and it treats a depthwise
    kernel's channel multiplier as the output channel, mixing channels in one block. The blocks here are
    the ones :mod:`hil_bench.qat.structure` defines (TFMOT's wherever its are well defined).
    """

    def __init__(self, model, pattern: str):
        from hil_bench.nm import parse_nm
        from hil_bench.weighted import BY_KERAS_CLASS

        super().__init__()
        self.n, self.m = parse_nm(pattern)
        self.kernels = [(getattr(layer, BY_KERAS_CLASS[type(layer).__name__].kernel_attr),
                         BY_KERAS_CLASS[type(layer).__name__].keras_channel_axes)
                        for layer in model.layers if type(layer).__name__ in BY_KERAS_CLASS]

    def project(self) -> None:
        from hil_bench.qat.structure import apply_nm

        for variable, channel_axes in self.kernels:
            variable.assign(apply_nm(variable.numpy(), self.n, self.m, channel_axes))

    def on_train_begin(self, logs=None):
        self.project()

    def on_train_batch_end(self, batch, logs=None):
        self.project()


def prune(model, data: Dataset, step: PruneStep, batch_size: int, seed: int, callbacks=()):
    if step.pattern:
        return _prune_nm(model, data, step, batch_size, seed, callbacks)
    sparsity = tfmot.sparsity.keras
    steps_per_epoch = int(np.ceil(len(data.x_train) / batch_size))
    if step.schedule == "constant":
        schedule = sparsity.ConstantSparsity(step.target_sparsity, begin_step=0, frequency=max(1, steps_per_epoch // 4))
    else:
        end = max(1, steps_per_epoch * step.epochs - 1)
        schedule = sparsity.PolynomialDecay(0.0, step.target_sparsity, begin_step=0, end_step=end,
                                            frequency=max(1, steps_per_epoch // 4))
    with tfmot.sparsity.keras.prune_scope():
        wrapped = sparsity.prune_low_magnitude(_swap_depthwise(model, PrunableDepthwiseConv2D),
                                               pruning_schedule=schedule)
    _compile(wrapped, data, step.learning_rate)
    _fit(wrapped, data, step.epochs, batch_size, seed, [sparsity.UpdatePruningStep(), *callbacks])
    return _swap_depthwise(sparsity.strip_pruning(wrapped), keras.layers.DepthwiseConv2D)


def _prune_nm(model, data: Dataset, step: PruneStep, batch_size: int, seed: int, callbacks=()):
    """N:M pruning: fine-tune under :class:`NMProjection`; the model returned is exactly N:M."""
    model = clone(model)
    projection = NMProjection(model, step.pattern)
    _compile(model, data, step.learning_rate)
    _fit(model, data, step.epochs, batch_size, seed, [projection, *callbacks])
    projection.project()  # exact even when the data set is smaller than one batch
    return model


def cluster(model, data: Dataset, step: ClusterStep, batch_size: int, seed: int, callbacks=()):
    clustering = tfmot.clustering.keras
    init = getattr(clustering.CentroidInitialization, _INITS[step.init])
    keras.utils.set_random_seed(seed)
    with clustering.cluster_scope():
        wrapped = clustering.cluster_weights(
            _swap_depthwise(model, ClusterableDepthwiseConv2D), number_of_clusters=step.num_clusters,
            cluster_centroids_init=init, preserve_sparsity=step.preserve_sparsity,
            cluster_per_channel=step.per_channel,
        )
    _compile(wrapped, data, step.learning_rate)
    _fit(wrapped, data, step.epochs, batch_size, seed, callbacks)
    return _swap_depthwise(clustering.strip_clustering(wrapped), keras.layers.DepthwiseConv2D)


def quantize(model, data: Dataset, step: QatStep, batch_size: int, seed: int, callbacks=()):
    """The QAT model for the step's mode and backend (``mode == "none"`` returns the model as is)."""
    if step.mode == "none":
        return model
    qat_model = _qat_model(clone(model), step)
    _compile(qat_model, data, step.learning_rate)
    _fit(qat_model, data, step.epochs, batch_size, seed, callbacks)
    return qat_model


def _qat_model(model, step: QatStep):
    quant = tfmot.quantization.keras
    if step.mode == "qat":
        return quant.quantize_model(model)
    if step.backend == "hil_bench":
        return preserve_quantize(model, {"pqat": "prune", "cqat": "cluster", "pcqat": "prune_cluster"}[step.mode])
    combine = tfmot.experimental.combine
    scheme = {
        "pqat": lambda: combine.Default8BitPrunePreserveQuantizeScheme(),
        "cqat": lambda: combine.Default8BitClusterPreserveQuantizeScheme(preserve_sparsity=False),
        "pcqat": lambda: combine.Default8BitClusterPreserveQuantizeScheme(preserve_sparsity=True),
    }[step.mode]()
    return quant.quantize_apply(quant.quantize_annotate_model(model), scheme)
