"""Firmware images for boards: linker script and config generated from board data, ELF built and sized.

``build_firmware(board, model)`` is the one entry point; the modules each do one step.
"""

from hil_bench.firmware.build import FirmwareImage, build_firmware, cache_root
from hil_bench.firmware.linker import linker_script
from hil_bench.firmware.sizes import ImageSizes, check_fits, image_sizes

__all__ = ["FirmwareImage", "ImageSizes", "build_firmware", "cache_root", "check_fits", "image_sizes",
           "linker_script"]
