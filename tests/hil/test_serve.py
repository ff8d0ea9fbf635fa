"""`hil-bench serve` on corstone300 as MLPerf Tiny's runner sees it, and that stopping it leaves nothing.

The runner's side is played byte for byte as benchmark/runner sends and parses it (mlcommons/tiny:
device_under_test.py, serial_device.py, script.py): `CMD%`, lines split at LF with CR dropped, a reply
ends at the line holding "m-ready"; `db` chunks of 31 bytes as hex; `infer N W`; the same regexes.
The results are checked against tflite_micro for the same input, and the pty is closed and reopened
between steps as the runner does.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from .conftest import needs_tools

pytestmark = needs_tools

ROOT = Path(__file__).resolve().parents[2]
KWS = ROOT / "tests" / "fixtures" / "mlperf_tiny" / "kws_ref_model.tflite"
READY_TIMEOUT_S = 300   # the first start builds the firmware


@pytest.fixture(autouse=True)
def _corstone300_only(board):
    if board.name != "corstone300":
        pytest.skip("serve is tested on corstone300 (QEMU mps3-an547)")


def _serve_cmd(*extra: str) -> list[str]:
    return [sys.executable, "-m", "hil_bench.cli.main", "serve", str(KWS), "--board", "corstone300", *extra]


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def _ready(proc: subprocess.Popen) -> dict:
    """Read serve's stdout up to its `connect:` line: {"connect": ..., "qemu": pid}."""
    seen, found = [], {}
    end = time.monotonic() + READY_TIMEOUT_S
    while "connect" not in found:
        line = proc.stdout.readline()
        if not line or time.monotonic() > end:
            proc.kill()
            raise AssertionError(f"serve did not get ready; stdout {seen}, stderr {proc.stderr.read()}")
        seen.append(line)
        pid = re.search(r"\(qemu, pid (\d+)\)", line)
        if pid:
            found["qemu"] = int(pid.group(1))
        if line.startswith("connect: "):
            found["connect"] = line.split()[1]
    return found


def _gone(pid: int, timeout: float = 15.0) -> bool:
    """True once ``pid`` no longer runs (absent, or a zombie waiting for a parent that is not us)."""
    end = time.monotonic() + timeout
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        if state in ("Z", "X"):
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(0.1)


class RunnerPort:
    """MLPerf Tiny runner's SerialDevice: `%` after each command, LF-split lines, reply ends at m-ready."""

    def __init__(self, path: str):
        import serial

        self.port = serial.Serial(path, 115200, timeout=0.1)
        self.buf = b""

    def send_command(self, command: str, timeout: float = 20.0) -> list[str]:
        self.port.write(command.encode() + b"%")
        lines, end = [], time.monotonic() + timeout
        while True:
            while b"\n" not in self.buf:
                assert time.monotonic() < end, f"no response to {command!r}: {lines} {self.buf!r}"
                self.buf += self.port.read(256)
            raw, self.buf = self.buf.split(b"\n", 1)
            line = raw.decode().replace("\r", "").replace("\0", "")
            if line:
                lines.append(line)
            if "m-ready" in line:
                return lines

    def close(self) -> None:
        self.port.close()


def _no_stale_reply(path: str) -> None:
    """A client that writes a command and closes before the reply: the next client reads nothing of it."""
    import serial

    time.sleep(0.3)   # serve notices the previous client's close (it polls every 50 ms)
    quick = os.open(path, os.O_RDWR | os.O_NOCTTY)
    os.write(quick, b"name%")
    os.close(quick)
    time.sleep(0.3)
    port = serial.Serial(path, 115200, timeout=1.5)
    try:
        assert port.read(256) == b"", "the new client read a reply to a command it never sent"
    finally:
        port.close()


def _gather(lines: list[str]) -> dict:
    """script.py's _ScriptInferStep._gather_infer_results, as the runner parses an infer reply."""
    result = {}
    for line in lines:
        m = re.match(r"^m-results-\[([^]]+)\]$", line)
        if m:
            result["results"] = [float(x) for x in m.group(1).split(",") if x.strip()]
        m = re.match(r"^m-lap-us-([0-9]+)$", line)
        if m:
            result["end_time" if "start_time" in result else "start_time"] = int(m.group(1))
    result["elapsed_time"] = result["end_time"] - result["start_time"]
    return result


def _oracle_scores(x: np.ndarray) -> np.ndarray:
    from tflite_micro.python.tflite_micro import runtime

    from hil_bench.evaluate import dequantize, io_quantization

    interp = runtime.Interpreter.from_bytes(KWS.read_bytes())
    interp.set_input(x.reshape(1, 49, 10, 1), 0)
    interp.invoke()
    _, q_out = io_quantization(KWS.read_bytes())
    return dequantize(interp.get_output(0), q_out).reshape(-1)


def test_mlperf_runner_through_serve_pty():
    proc = subprocess.Popen(_serve_cmd("--pty", "--mlperf-model", "kws01"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env())
    try:
        ready = _ready(proc)
        path = ready["connect"]
        assert path.startswith("/dev/pts/")
        # init_dut: name, model, profile on one opening of the port
        dut = RunnerPort(path)
        name = [re.match(r"^m-(name)-dut-\[([^]]+)]$", l) for l in dut.send_command("name")]
        assert [m.group(2) for m in name if m] == ["hil-bench corstone300"]
        profile = dict(m.groups() for m in (re.match(r"^m-(model|profile)-\[([^]]+)]$", l)
                                           for l in dut.send_command("profile")) if m)
        assert profile == {"profile": "ULPMark for tinyML Firmware V0.0.1", "model": "kws01"}
        dut.close()
        _no_stale_reply(path)

        # the script, on a new opening: download (db load + 31-byte hex chunks), then infer
        dut = RunnerPort(path)
        x = np.random.default_rng(7).integers(-128, 128, size=490, dtype=np.int8)
        data = x.tobytes()
        assert dut.send_command(f"db load {len(data)}") == [f"m-[Expecting {len(data)} bytes]", "m-ready"]
        for i in range(0, len(data), 31):
            reply = dut.send_command(f"db {''.join(f'{d:02x}' for d in data[i:i + 31])}")
        assert reply == ["m-load-done", "m-ready"]
        accuracy = _gather(dut.send_command("infer 1 0"))          # tests_accuracy.yaml
        performance = _gather(dut.send_command("infer 10 1"))      # tests.yaml's kws01 window
        results_only = dut.send_command("results")
        dut.close()

        expected = _oracle_scores(x)
        for got in (accuracy["results"], performance["results"]):
            assert got == pytest.approx(expected.tolist(), abs=0.0005 + 1e-6)   # printed %0.3f
        assert results_only == [f"m-results-[{','.join(f'{v:.3f}' for v in accuracy['results'])}]", "m-ready"]
        # m-lap-us- is simulated time under QEMU: 10 runs take ~10 x one (input reload included)
        assert accuracy["elapsed_time"] > 0
        assert 9.0 < performance["elapsed_time"] / accuracy["elapsed_time"] < 11.0

        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
        assert "stopped (SIGINT)" in proc.stderr.read()
        assert _gone(ready["qemu"]), "QEMU still runs after serve stopped"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL", "parent-killed"])
def test_serve_leaves_nothing_running(how):
    """SIGTERM stops serve cleanly; SIGKILL of serve still takes QEMU down (PR_SET_PDEATHSIG); and when
    the program that started serve dies, serve stops the board and exits."""
    if how == "parent-killed":
        launcher = "import subprocess, sys, time; subprocess.Popen(sys.argv[1:]); time.sleep(600)"
        proc = subprocess.Popen([sys.executable, "-c", launcher, *_serve_cmd("--tcp", "0")], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=_env())
    else:
        proc = subprocess.Popen(_serve_cmd("--tcp", "0"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=_env())
    serve_pid = None
    try:
        ready = _ready(proc)
        assert re.fullmatch(r"socket://127\.0\.0\.1:\d+", ready["connect"])
        qemu = ready["qemu"]
        serve_pid = int(Path(f"/proc/{qemu}/stat").read_text().rsplit(")", 1)[1].split()[1])
        assert serve_pid != os.getpid()
        if how == "SIGTERM":
            _tcp_front(ready["connect"])
        os.kill(proc.pid, getattr(signal, how, signal.SIGKILL))
        proc.wait(30)
        if how == "SIGTERM":
            assert proc.returncode == 0
        assert _gone(qemu), f"QEMU (pid {qemu}) still runs after {how}"
        assert _gone(serve_pid), f"serve (pid {serve_pid}) still runs after {how}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        if serve_pid is not None and not _gone(serve_pid, timeout=0):
            with contextlib.suppress(ProcessLookupError):   # a failed check must not leave serve (and QEMU)
                os.kill(serve_pid, signal.SIGKILL)


def _tcp_front(url: str) -> None:
    """The TCP front answers one client; a second one is turned away (closed) while the first is on."""
    import socket

    import serial

    host, port = url.removeprefix("socket://").split(":")
    first = serial.serial_for_url(url, timeout=10)
    try:
        first.write(b"name%")
        assert first.read_until(b"m-ready\r\n") == b"m-name-dut-[hil-bench corstone300]\r\nm-ready\r\n"
        with socket.create_connection((host, int(port)), timeout=10) as second:
            assert second.recv(100) == b""   # closed by serve, nothing said
    finally:
        first.close()


def _relu_model() -> bytes:
    """An int8 model whose output has as many elements as its input (an autoencoder's shape): RELU."""
    spec = importlib.util.spec_from_file_location("single_op_models", ROOT / "tests" / "runtime" / "single_op_models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_model("relu_standalone")


def test_ad01_reports_one_anomaly_score(board):
    """--mlperf-model ad01: float32 input as the reference ad01 firmware takes it, quantized on the
    device, and m-results-[SCORE] = mean squared error of the dequantized output against that input."""
    from tflite_micro.python.tflite_micro import runtime

    from hil_bench.boards.session import open_dut
    from hil_bench.evaluate import io_quantization
    from hil_bench.firmware import build_firmware

    model = _relu_model()
    (s_in, z_in), (s_out, z_out) = [(np.float32(q.scale), q.zero_point) for q in io_quantization(model)]
    x = np.random.default_rng(3).normal(0.0, 1.0, size=90).astype(np.float32)
    q = np.clip(np.sign(x / s_in) * np.floor(np.abs(x / s_in) + 0.5) + z_in, -128, 127).astype(np.int8)
    interp = runtime.Interpreter.from_bytes(model)
    interp.set_input(q.reshape(1, 6, 5, 3), 0)
    interp.invoke()
    y = (interp.get_output(0).reshape(-1).astype(np.float32) - np.float32(z_out)) * np.float32(s_out)
    expected = float(np.mean((y - x) ** 2))

    image = build_firmware(board, model, mlperf_model="ad01")
    with open_dut(board, image.elf) as dut:
        link = dut.link
        assert "m-model-[ad01]" in link.command("profile")
        dut.protocol.db_load_hex(x.tobytes())                          # float32, as the runner sends ad01
        scores = _gather(link.command("infer 1 0", timeout=60))["results"]
        assert scores == pytest.approx([expected], abs=0.0015)
        dut.protocol.db_load_hex(q.tobytes())                          # or the int8 input itself
        deq_in = (q.astype(np.float32) - np.float32(z_in)) * np.float32(s_in)
        scores = _gather(link.command("infer 1 0", timeout=60))["results"]
        assert scores == pytest.approx([float(np.mean((y - deq_in) ** 2))], abs=0.0015)


def test_model_id_is_built_in_and_keys_the_image(board):
    """The id is a build input: another id is another cached image, and `profile%` answers it."""
    from hil_bench.boards.session import open_dut
    from hil_bench.errors import UsageError
    from hil_bench.firmware import build_firmware

    plain, vww = build_firmware(board), build_firmware(board, mlperf_model="vww01")
    assert plain.key != vww.key and plain.elf != vww.elf
    with open_dut(board, vww.elf) as dut:
        assert dut.link.command("profile")[1] == "m-model-[vww01]"
        assert dut.protocol.info()["mlperf_model"] == "vww01"
    with open_dut(board, plain.elf) as dut:
        assert dut.link.command("profile")[1] == "m-model-[hil-bench]"
    with pytest.raises(UsageError, match="kws01, vww01, ic01, ad01, strww01, sww01"):
        build_firmware(board, mlperf_model="kws1")
