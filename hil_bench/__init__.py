"""hil-bench: hardware-in-the-loop benchmarking for Arm Cortex-M and Ethos-U.

Importing ``hil_bench`` is cheap: TensorFlow is loaded only by the modules that need it, and all of
them get Keras through :mod:`hil_bench._keras`, the single place that pins Keras 2 (tf_keras).
"""

__version__ = "0.1.0"
