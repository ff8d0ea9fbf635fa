"""Progress bars for training stages (tqdm on stderr, one tick per epoch; silent when quiet)."""

from __future__ import annotations

from tqdm.auto import tqdm

from hil_bench._keras import keras


class _EpochCallback(keras.callbacks.Callback):
    def __init__(self, bar):
        super().__init__()
        self._bar = bar

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        shown = {k: f"{v:.3f}" for k, v in logs.items() if k in ("loss", "accuracy", "val_accuracy")}
        self._bar.set_postfix(shown, refresh=False)
        self._bar.update(1)


class EpochBar:
    """``with EpochBar("prune", epochs, quiet) as bar: model.fit(..., callbacks=[bar.callback])``."""

    def __init__(self, stage: str, epochs: int, quiet: bool = False):
        self._bar = tqdm(total=epochs or None, desc=f"{stage:>8}", unit="epoch", disable=quiet, leave=True,
                         dynamic_ncols=True)
        self.callback = _EpochCallback(self._bar)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._bar.close()
        return False
