"""Talking to a device over serial: one client (:mod:`.client`), framing (:mod:`.framing`), commands (:mod:`.protocol`)."""

from hil_bench.link.client import SerialLink
from hil_bench.link.framing import crc32
from hil_bench.link.protocol import DeviceInfo, InferTicks, Protocol, TensorInfo

__all__ = ["DeviceInfo", "InferTicks", "Protocol", "SerialLink", "TensorInfo", "crc32"]
