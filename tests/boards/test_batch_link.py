"""hb-batch on the host side against a fake device: framing, CRC resend, errors, chunking, round trips."""

import zlib

import numpy as np
import pytest

from hil_bench.dut import run_batched as _run_batched
from hil_bench.errors import DeviceError, ProtocolError
from hil_bench.link import Protocol, SerialLink
from hil_bench.link.protocol import DeviceInfo, TensorInfo

from .test_link import FakeDevice, GarblingLink


class BatchDevice:
    """Plays hb-batch like the firmware: ready, CRC check, then one frame of outputs (input bytes + 1)."""

    def __init__(self, in_bytes=4, out_bytes=2, batch_max=3, tail=b"\r\nm-hb-batch-done\r\nm-ready\r\n"):
        self.in_bytes, self.out_bytes, self.batch_max, self.tail = in_bytes, out_bytes, batch_max, tail
        self.expect = None
        self.batches = []

    def outputs(self, data: bytes) -> bytes:
        return b"".join(bytes((b + 1) & 0xFF for b in data[k:k + self.out_bytes])
                        for k in range(0, len(data), self.in_bytes))

    def __call__(self, data):
        if data.startswith(b"hb-batch "):
            _, n, length, crc = data[:-1].split()
            n, length = int(n), int(length)
            if n > self.batch_max or length != n * self.in_bytes:
                return f"e-[hb-batch {n} samples of {length} bytes: need 1..{self.batch_max} samples]\r\nm-ready\r\n".encode()
            self.expect = (n, int(crc, 16))
            return f"m-hb-batch-ready-{n}\r\n".encode()
        n, crc = self.expect
        got = zlib.crc32(data)
        if got != crc:
            return f"e-[hb-batch crc mismatch: received {got:08x} expected {crc:08x}]\r\nm-ready\r\n".encode()
        self.batches.append(n)
        out = self.outputs(data)
        return f"m-hb-frame-{len(out)}-{zlib.crc32(out):08x}\r\n".encode() + out + self.tail


def test_batch_round_trip_and_command_count():
    dev = BatchDevice()
    link = SerialLink(FakeDevice(dev))
    data = bytes(range(12))
    assert Protocol(link).batch(data, 3, 2, timeout=1) == dev.outputs(data)
    assert link.commands == 1 and dev.batches == [3]


def test_batch_resends_after_a_garbled_upload():
    dev = BatchDevice(in_bytes=40, out_bytes=2)
    proto = Protocol(GarblingLink(FakeDevice(dev), n=1), put_retries=2)
    data = bytes(range(120))
    assert proto.batch(data, 3, 2, timeout=1) == dev.outputs(data)
    assert proto.retransmissions == 1 and proto.link.commands == 2


def test_batch_refused_and_malformed_replies():
    with pytest.raises(DeviceError, match="need 1..3 samples"):
        Protocol(SerialLink(FakeDevice(BatchDevice()))).batch(bytes(16), 4, 2, timeout=1)
    with pytest.raises(ProtocolError, match="after the outputs"):
        Protocol(SerialLink(FakeDevice(BatchDevice(tail=b"\r\nm-ready\r\n")))).batch(bytes(8), 2, 2, timeout=1)
    with pytest.raises(ProtocolError, match="output bytes expected"):
        Protocol(SerialLink(FakeDevice(BatchDevice(out_bytes=1)))).batch(bytes(8), 2, 2, timeout=1)


def test_run_batched_splits_into_batch_max_chunks():
    dev = BatchDevice(in_bytes=4, out_bytes=2, batch_max=3)
    proto = Protocol(SerialLink(FakeDevice(dev)))
    info = DeviceInfo({"batch_max": 3}, (TensorInfo(9, 4, 1.0, 0, (1, 4)),),
                      (TensorInfo(9, 1, 1.0, 0, (1, 1)), TensorInfo(9, 1, 1.0, 0, (1, 1))))
    blobs = [bytes([k, 0, 0, 0]) for k in range(7)]
    outputs = [[], []]
    _run_batched(proto, info, blobs, outputs, timeout=1)
    assert dev.batches == [3, 3, 1] and proto.link.commands == 3
    assert [int(o[0, 0]) for o in outputs[0]] == [k + 1 for k in range(7)]   # first output of each sample
    assert [int(o[0, 0]) for o in outputs[1]] == [1] * 7                     # second output, in order
    assert all(o.dtype == np.int8 for o in outputs[0])


def test_run_batched_refuses_firmware_without_batch():
    info = DeviceInfo({"db_buffer_bytes": 16}, (TensorInfo(9, 4, 1.0, 0, (4,)),), (TensorInfo(9, 2, 1.0, 0, (2,)),))
    with pytest.raises(DeviceError, match="batch=False"):
        _run_batched(Protocol(SerialLink(FakeDevice())), info, [bytes(4)], [[]], timeout=1)
