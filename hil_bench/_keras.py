"""The one place that decides which Keras hil-bench uses.

TFMOT 0.8.1 only supports Keras 2 (the ``tf_keras`` package). TensorFlow >= 2.16 resolves ``tf.keras``
lazily, on first access, to Keras 3 unless ``TF_USE_LEGACY_KERAS=1`` is set by then. We set it here,
before TensorFlow is imported, and — so that import order cannot matter — hil-bench never goes through
``tf.keras`` at all: every module takes ``keras`` from here, which is always ``tf_keras``. If the caller
imported TensorFlow and touched ``tf.keras`` first, their ``tf.keras`` may be Keras 3, which is why
models are checked with :func:`require_keras2_model` at every public entry point.
"""

from __future__ import annotations

import os

from hil_bench.quiet import native_stderr_to_log, verbose

os.environ["TF_USE_LEGACY_KERAS"] = "1"
if not verbose():   # C++ INFO/WARNING after start-up (e.g. during training) stay off the terminal; errors show
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# TensorFlow's start-up notices ignore TF_CPP_MIN_LOG_LEVEL and go straight to fd 2: to the log with
# them. Listing the devices is where "failed call to cuInit" comes from, so it happens inside too.
with native_stderr_to_log("TensorFlow start-up"):
    import tensorflow as tf  # noqa: E402
    import tf_keras as keras  # noqa: E402
    import tensorflow_model_optimization as tfmot  # noqa: E402

    tf.config.list_physical_devices()

from hil_bench.errors import UnsupportedModelError  # noqa: E402

# TensorFlow's Python-side INFO/WARNING chatter (retracing, "compiled metrics not built") drowns the
# progress bars and reports; errors still show (everything with hil-bench --verbose).
if not verbose():
    tf.get_logger().setLevel("ERROR")

__all__ = ["tf", "keras", "tfmot", "require_keras2_model"]


def require_keras2_model(model: object, what: str = "model") -> keras.Model:
    """Return ``model`` if it is a tf_keras (Keras 2) model, else raise a clear error."""
    if isinstance(model, keras.Model):
        return model
    module = type(model).__module__
    if module.startswith("keras"):
        raise UnsupportedModelError(
            f"the {what} is a Keras 3 model ({type(model).__name__} from '{module}'); TFMOT and hil-bench "
            "need Keras 2. Build it with `import tf_keras as keras` (or set TF_USE_LEGACY_KERAS=1 before "
            "importing TensorFlow and use tf.keras), or save it as .h5 and load it with hil-bench."
        )
    raise UnsupportedModelError(
        f"the {what} is a {type(model).__name__} from '{module}', not a tf_keras Model. "
        "Pass a tf_keras Sequential or functional model."
    )
