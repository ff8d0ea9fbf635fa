"""Commands of the device protocol, on top of :class:`SerialLink`.

MLPerf Tiny / EEMBC commands (``name``, ``profile``, ``db``, ``infer``, ``results``, ``timestamp``) and
hil-bench's ``hb-*`` extensions (binary transfers with CRC-32, info, per-inference ticks, per-layer
ticks, model read-back). Replies are parsed strictly: a malformed reply is a ProtocolError.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from hil_bench.errors import DeviceError, ProtocolError
from hil_bench.link.client import READY, SerialLink
from hil_bench.link.framing import batch_command, check_frame, parse_frame_header, put_command

_BOOT_RE = re.compile(r"m-hb-boot-\[([^]]*)\]-\[([^]]*)\]")
_TENSOR_RE = re.compile(r"type:(-?\d+),bytes:(\d+),scale:([0-9a-f]{8}),zp:(-?\d+),dims:([0-9x]*)")


@dataclass(frozen=True)
class TensorInfo:
    type: int
    bytes: int
    scale: float
    zero_point: int
    dims: tuple[int, ...]


@dataclass(frozen=True)
class DeviceInfo:
    values: dict
    inputs: tuple[TensorInfo, ...]
    outputs: tuple[TensorInfo, ...]

    def __getitem__(self, key: str):
        return self.values[key]

    def get(self, key: str, default=None):
        """A value an older firmware may not report (e.g. ``kernels``, ``command_bytes``) or ``default``."""
        return self.values.get(key, default)


@dataclass(frozen=True)
class InferTicks:
    ticks: tuple[int, ...]                       # one per timed inference
    layers: tuple[tuple[str, int], ...] = ()    # (op name, ticks) of one profiled inference
    profiled_ticks: int | None = None


def _errors(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("e-[")]


class Protocol:
    def __init__(self, link: SerialLink, *, put_retries: int = 2):
        self.link = link
        self.put_retries = put_retries
        self.retransmissions = 0

    def wait_boot(self, timeout: float) -> tuple[str, str]:
        """Wait for the boot banner; returns (board name, model status)."""
        raw = self.link.read_until(READY, timeout, "boot").decode(errors="replace")
        m = _BOOT_RE.search(raw)
        if not m or "m-init-done" not in raw:
            raise ProtocolError(f"unexpected boot banner: {raw[-300:]!r}")
        return m.group(1), m.group(2)

    def checked(self, cmd: str, timeout: float = 10.0) -> list[str]:
        lines = self.link.command(cmd, timeout)
        errs = _errors(lines)
        if errs:
            raise DeviceError(f"{self.link.name} answered {cmd!r} with {errs[0]}")
        return lines

    # -- MLPerf Tiny commands ----------------------------------------------------------------------
    def name(self) -> str:
        for line in self.checked("name"):
            m = re.fullmatch(r"m-name-dut-\[([^]]+)\]", line)
            if m:
                return m.group(1)
        raise ProtocolError("no m-name-dut-[...] line in the reply to 'name'")

    def db_load_hex(self, data: bytes, chunk: int = 31, timeout: float = 10.0) -> None:
        """The MLPerf runner's way: ``db load N`` then ``db HEX`` commands of ``chunk`` bytes."""
        lines = self.checked(f"db load {len(data)}", timeout)
        if f"m-[Expecting {len(data)} bytes]" not in lines:
            raise ProtocolError(f"db load: unexpected reply {lines}")
        for i in range(0, len(data), chunk):
            lines = self.checked("db " + data[i:i + chunk].hex(), timeout)
        if "m-load-done" not in lines:
            raise ProtocolError(f"db: the device did not confirm m-load-done: {lines}")

    # -- hil-bench extensions ----------------------------------------------------------------------
    def info(self, timeout: float = 10.0) -> DeviceInfo:
        values, inputs, outputs = {}, [], []
        for line in self.checked("hb-info", timeout):
            if not line.startswith("m-hb-info-") or "=" not in line:
                continue
            key, value = line[len("m-hb-info-"):].split("=", 1)
            m = _TENSOR_RE.fullmatch(value)
            if m and re.fullmatch(r"(input|output)\d+", key):
                t = TensorInfo(int(m.group(1)), int(m.group(2)), struct.unpack("<f", bytes.fromhex(m.group(3))[::-1])[0],
                               int(m.group(4)), tuple(int(d) for d in m.group(5).split("x") if d))
                (inputs if key.startswith("input") else outputs).append(t)
            else:
                values[key] = int(value) if re.fullmatch(r"\d+", value) else value
        return DeviceInfo(values, tuple(inputs), tuple(outputs))

    def _upload(self, cmd: str, ready: str, data: bytes, timeout: float) -> None:
        """Send an upload command, wait for the device's ``ready`` line, then send the raw ``data``."""
        what = cmd.split()[0]
        self.link.send_command(cmd)
        header = self.link.read_until(b"\r\n", timeout, what).strip()
        if header.startswith(b"e-["):
            self.link.read_until(READY, timeout, what)
            raise DeviceError(f"{self.link.name} refused {cmd!r}: {header.decode(errors='replace')}")
        if header != ready.encode():
            raise ProtocolError(f"{what}: expected {ready}, got {header[-100:]!r}")
        self.link.write(data)

    def put(self, data: bytes, timeout: float = 30.0) -> None:
        """Binary transfer into the input buffer; a CRC mismatch is retried ``put_retries`` times."""
        for attempt in range(self.put_retries + 1):
            self._upload(put_command(data), f"m-hb-put-ready-{len(data)}", data, timeout)
            lines = self.link.reply_lines(timeout, "hb-put data")
            if "m-hb-put-ok" in lines:
                return
            errs = _errors(lines)
            if errs and "crc mismatch" in errs[0] and attempt < self.put_retries:
                self.retransmissions += 1
                continue
            raise ProtocolError(f"hb-put of {len(data)} bytes failed after {attempt + 1} attempt(s): "
                                f"{errs[0] if errs else lines}")

    def _frame(self, cmd: str, timeout: float) -> bytes:
        self.link.send_command(cmd)
        header = self.link.read_until(b"\r\n", timeout, cmd)
        if header.startswith(b"e-["):
            self.link.read_until(READY, timeout, cmd)
            raise DeviceError(f"{self.link.name} answered {cmd!r} with {header.strip().decode(errors='replace')}")
        length, crc = parse_frame_header(header)
        payload = self.link.read_exact(length, timeout, cmd)
        tail = self.link.read_until(READY, timeout, cmd)
        if tail != b"\r\n" + READY:
            raise ProtocolError(f"{cmd}: unexpected bytes after the frame: {tail[:100]!r}")
        return check_frame(payload, length, crc)

    def batch(self, data: bytes, samples: int, output_bytes: int, timeout: float = 600.0) -> bytes:
        """Run ``samples`` inferences in one round trip (``hb-batch``): ``data`` is their inputs back to
        back; returns their outputs back to back (``samples * output_bytes``). ``samples`` must not
        exceed ``batch_max`` from :meth:`info`. A CRC mismatch on the upload is resent ``put_retries`` times."""
        cmd = batch_command(samples, data)
        for attempt in range(self.put_retries + 1):
            self._upload(cmd, f"m-hb-batch-ready-{samples}", data, timeout)
            line = self.link.read_until(b"\r\n", timeout, f"hb-batch of {samples} samples")
            if line.startswith(b"e-["):
                self.link.read_until(READY, timeout, "hb-batch")
                if b"crc mismatch" in line and attempt < self.put_retries:
                    self.retransmissions += 1
                    continue
                raise DeviceError(f"{self.link.name}: hb-batch of {samples} samples failed after {attempt + 1} "
                                  f"attempt(s): {line.strip().decode(errors='replace')}")
            length, crc = parse_frame_header(line)
            if length != samples * output_bytes:
                raise ProtocolError(f"hb-batch: {samples} x {output_bytes} output bytes expected, "
                                    f"the frame announces {length}")
            payload = check_frame(self.link.read_exact(length, timeout, "hb-batch outputs"), length, crc)
            tail = self.link.read_until(READY, timeout, "hb-batch")
            if tail != b"\r\nm-hb-batch-done\r\n" + READY:
                raise ProtocolError(f"hb-batch: unexpected bytes after the outputs: {tail[:100]!r}")
            return payload
        raise AssertionError("unreachable")  # pragma: no cover

    def get_output(self, index: int, timeout: float = 30.0) -> bytes:
        return self._frame(f"hb-get {index}", timeout)

    def read_model(self, offset: int, length: int, timeout: float = 60.0) -> bytes:
        """Bytes of the model array as stored in the device's flash (weight survival check)."""
        return self._frame(f"hb-read {offset} {length}", timeout)

    def model_crc(self, offset: int, length: int, timeout: float = 30.0) -> int:
        for line in self.checked(f"hb-crc {offset} {length}", timeout):
            m = re.fullmatch(r"m-hb-crc-([0-9a-f]{8})", line)
            if m:
                return int(m.group(1), 16)
        raise ProtocolError("no m-hb-crc-... line in the reply to hb-crc")

    def sink(self, data: bytes, timeout: float = 60.0) -> None:
        self.link.send_command(f"hb-sink {len(data)}")
        header = self.link.read_until(b"\r\n", timeout, "hb-sink").strip()
        if header != f"m-hb-sink-ready-{len(data)}".encode():
            raise ProtocolError(f"hb-sink: unexpected {header[-100:]!r}")
        self.link.write(data)
        if "m-hb-sink-done" not in self.link.reply_lines(timeout, "hb-sink data"):
            raise ProtocolError("hb-sink: no m-hb-sink-done")

    def infer(self, runs: int, warmups: int = 1, profile: bool = False, timeout: float = 120.0) -> InferTicks:
        lines = self.checked(f"hb-infer {runs} {warmups} {1 if profile else 0}", timeout)
        ticks, layers, profiled = [], [], None
        for line in lines:
            if m := re.fullmatch(r"m-hb-ticks-(\d+)", line):
                ticks.append(int(m.group(1)))
            elif m := re.fullmatch(r"m-hb-layer-(\d+)-(.+)-(\d+)", line):
                layers.append((m.group(2), int(m.group(3))))
            elif m := re.fullmatch(r"m-hb-profiled-ticks-(\d+)", line):
                profiled = int(m.group(1))
        if len(ticks) != runs or "m-hb-infer-done" not in lines:
            raise ProtocolError(f"hb-infer {runs}: got {len(ticks)} timings and no completion: {lines[-5:]}")
        return InferTicks(tuple(ticks), tuple(layers), profiled)

    def exit(self, code: int = 0, timeout: float = 5.0) -> None:
        """Ask the firmware to leave (semihosting exit code on simulators); the link closes after."""
        self.link.send_command(f"hb-exit {code}")
        self.link.read_until(f"m-hb-exit-{code}\r\n".encode(), timeout, "hb-exit")
