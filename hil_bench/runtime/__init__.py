"""hil-bench's own int8 TFLite runtime (``firmware/runtime``), seen from Python.

- :mod:`.build`: compile the C sources with the host gcc into a cache keyed by a hash of the sources.
- :mod:`.host`: run int8 inputs through the host build (``hb_run``), read its model report.
- :mod:`.cross`: cross-compile the runtime for Cortex-M cores and report its code size
  (:func:`size_report`, meant for the CLI's ``size`` command).
- :mod:`.fuzz`: build and run the libFuzzer target for model loading.
"""

from hil_bench.runtime.build import build_host_runner, cache_dir, firmware_dir
from hil_bench.runtime.cross import CORES, cross_compile, format_size_report, size_report
from hil_bench.runtime.host import model_info, profile_model, run_model

__all__ = [
    "CORES", "build_host_runner", "cache_dir", "cross_compile", "firmware_dir", "format_size_report", "model_info",
    "profile_model", "run_model", "size_report",
]
