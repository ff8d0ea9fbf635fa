"""``run_model``: one .tflite on one board -> outputs, latency per inference, per-layer latency, sizes.

The library call behind ``hil-bench run``. Timing is reported in the unit the runner can honestly
give: instructions under QEMU (-icount), FVP cycles, DWT cycles on silicon -- never converted into
something it is not.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from hil_bench.boards import Board, load_board, pick_runner
from hil_bench.boards.session import open_dut
from hil_bench.errors import DeviceError, UsageError
from hil_bench.firmware import build_firmware

_DTYPES = {9: np.int8, 3: np.uint8, 2: np.int32, 0: np.float32, 7: np.int16}


@dataclass
class Latency:
    unit: str
    median: float
    min: float
    max: float
    stdev: float
    samples: list[float]
    resolution: float = 0.0   # one device timer tick in ``unit``: differences below it are quantization


@dataclass
class RunResult:
    board: str
    runner: str
    timing_source: str
    latency: Latency
    layers: list[dict]
    outputs: list[np.ndarray] = field(repr=False)
    flash_bytes: int = 0
    ram_bytes: int = 0
    model_bytes: int = 0
    code_bytes: int = 0
    arena_bytes: int = 0
    arena_used_bytes: int = 0
    stack_used_bytes: int = 0
    ram_needed_bytes: int = 0   # data + bss + arena actually used + stack actually used (right-sized build)
    retransmissions: int = 0
    round_trips: int = 0        # commands sent to the device (hb-batch makes it independent of the sample count)
    exit_code: int | None = None
    image_kind: str = "model"
    model_readback: bytes | None = field(default=None, repr=False)  # flash bytes read back (read_back_model)

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("outputs")
        d.pop("model_readback")
        return d


def _as_samples(inputs, n_inputs: int) -> list[list[np.ndarray]]:
    """Accept one array (batch on axis 0) for single-input models, or a list of per-input arrays."""
    if isinstance(inputs, np.ndarray):
        inputs = [inputs]
    if len(inputs) != n_inputs:
        raise UsageError(f"the model has {n_inputs} input(s), {len(inputs)} array(s) given")
    count = len(inputs[0])
    if any(len(a) != count for a in inputs):
        raise UsageError("every input array needs the same number of samples (axis 0)")
    return [[np.asarray(a[i]) for a in inputs] for i in range(count)]


def run_model(tflite_path: str | Path, board: str | Board, inputs, *, runs: int = 3, warmups: int = 1,
              profile_layers: bool = True, arena_bytes: int | None = None, runner: str | None = None,
              infer_timeout_s: float = 600.0, log_dir: Path | None = None, batch: bool = True,
              read_back_model: bool = False, decode: str = "init") -> RunResult:
    """Build, start, feed every sample, time ``runs`` inferences of the first, read all outputs, stop.

    ``inputs``: an int8/uint8 array shaped [samples, *input_shape] (or a list of them, one per model
    input) already quantized with the model's input scale and zero point. With ``batch`` (default) the
    samples after the first go through ``hb-batch`` in chunks that fit the device's buffer: a few round
    trips for the whole data set instead of three per sample (``batch=False``: put + infer + get each).
    ``infer_timeout_s`` bounds each command, a whole chunk included.
    """
    board = load_board(board)
    model = Path(tflite_path).read_bytes()
    if board.is_host:
        return _run_on_host(model, board, inputs)
    kwargs = {"arena_bytes": arena_bytes} if arena_bytes else {}
    spec = pick_runner(board, runner)
    # Semihosting exits only exist on simulators; on silicon a BKPT without a debugger would fault.
    image = build_firmware(board, model, semihosting=spec.kind in ("qemu", "fvp"), decode=decode, **kwargs)
    with open_dut(board, image.elf, runner=spec.kind, log_dir=log_dir) as dut:
        if dut.boot_status != "ok":
            raise DeviceError(f"{board.name}: the runtime refused the model: {dut.boot_status}")
        proto = dut.protocol
        info = proto.info()
        samples = [_sample_blob(sample, info) for sample in _as_samples(inputs, len(info.inputs))]
        outputs: list[list[np.ndarray]] = [[] for _ in info.outputs]
        timing = None
        # The first sample alone: timed runs and per-layer profile, outputs by hb-get.
        for k, blob in enumerate(samples[:1] if batch else samples):
            proto.put(blob)
            if k == 0:
                timing = proto.infer(runs, warmups, profile=profile_layers, timeout=infer_timeout_s)
            else:
                proto.infer(1, 0, timeout=infer_timeout_s)
            for j, spec in enumerate(info.outputs):
                raw = proto.get_output(j)
                outputs[j].append(np.frombuffer(raw, dtype=_DTYPES.get(spec.type, np.uint8)).reshape(spec.dims))
        if batch and len(samples) > 1:
            _run_batched(proto, info, samples[1:], outputs, infer_timeout_s)
        after = proto.info()
        if read_back_model:  # the model as stored in the device's flash, for the survival audit
            model_readback = proto.read_model(0, int(after.values.get("model_bytes", 0)))
        proto.exit(0)
        code = dut.runner.wait_exit(10.0)
        conv = lambda t: dut.runner.ticks_to_unit(t, board.cpu.clock_hz)  # noqa: E731
        values = [conv(t) for t in timing.ticks] if timing else []
        latency = Latency(dut.runner.timing_unit, statistics.median(values) if values else 0.0,
                          min(values, default=0.0), max(values, default=0.0),
                          statistics.pstdev(values) if values else 0.0, values, conv(1))
        layers = [{"index": i, "op": name, "latency": conv(t)} for i, (name, t) in
                  enumerate(timing.layers if timing else ())]
        s = image.sizes
        return RunResult(board=board.name, runner=dut.runner.kind, timing_source=dut.runner.timing_source,
                         latency=latency, layers=layers, outputs=[np.stack(o) for o in outputs],
                         flash_bytes=s.flash_bytes, ram_bytes=s.ram_bytes, model_bytes=s.model_bytes,
                         code_bytes=s.code_bytes, arena_bytes=s.arena_bytes,
                         arena_used_bytes=int(after.values.get("arena_used", 0)),
                         stack_used_bytes=int(after.values.get("stack_used", 0)),
                         ram_needed_bytes=s.data_bytes + s.bss_bytes + int(after.values.get("arena_used", 0))
                         + int(after.values.get("stack_used", 0)),
                         retransmissions=proto.retransmissions, exit_code=code, image_kind=image.image_kind,
                         round_trips=dut.link.commands,
                         model_readback=model_readback if read_back_model else None)


def _sample_blob(sample: list[np.ndarray], info) -> bytes:
    """One sample's inputs as the device takes them: each input tensor's bytes, in order."""
    blob = b""
    for arr, spec in zip(sample, info.inputs):
        want = _DTYPES.get(spec.type)
        if want is None or arr.dtype != want or arr.nbytes != spec.bytes:
            raise UsageError(f"input needs {spec.bytes} bytes of {np.dtype(want).name if want else spec.type} "
                             f"shaped {spec.dims}; got {arr.dtype} {arr.shape}")
        blob += arr.tobytes()
    return blob


def _run_batched(proto, info, blobs: list[bytes], outputs: list[list[np.ndarray]], timeout: float) -> None:
    """Feed ``blobs`` through hb-batch in chunks of the device's ``batch_max`` samples (its db buffer
    holds a chunk's inputs and outputs together); append each sample's outputs to ``outputs``."""
    per_out = sum(o.bytes for o in info.outputs)
    chunk = int(info.values.get("batch_max", 0))
    if chunk < 1:
        raise DeviceError(f"{proto.link.name}: hb-info reports no batch_max (firmware without hb-batch, or a "
                          f"model whose inputs and outputs do not fit the db buffer of "
                          f"{info.values.get('db_buffer_bytes')} bytes); run with batch=False")
    for start in range(0, len(blobs), chunk):
        part = blobs[start:start + chunk]
        raw = proto.batch(b"".join(part), len(part), per_out, timeout=timeout)
        for k in range(len(part)):
            off = k * per_out
            for j, spec in enumerate(info.outputs):
                dtype = np.dtype(_DTYPES.get(spec.type, np.uint8))
                outputs[j].append(np.frombuffer(raw[off:off + spec.bytes], dtype=dtype).reshape(spec.dims))
                off += spec.bytes


def _run_on_host(model: bytes, board: Board, inputs) -> RunResult:
    """The native build of the runtime (hil_bench.runtime): outputs only. No per-inference timer is
    exposed by the host runner, so latency is reported as unavailable rather than guessed."""
    from hil_bench.runtime.host import run_model as host_run
    from hil_bench.tflite import read_model

    # Accept samples with or without the model's batch axis of 1, as the serial boards do.
    sg = read_model(model).subgraphs[0]
    arrays = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
    shaped = [np.asarray(a).reshape(len(a), *[int(d) for d in sg.tensors[int(i)].shape])
              if np.asarray(a)[0].size == int(np.prod(sg.tensors[int(i)].shape)) else a
              for a, i in zip(arrays, sg.inputs)]
    outs = host_run(model, shaped[0] if isinstance(inputs, np.ndarray) else shaped)
    return RunResult(board=board.name, runner="host", timing_source="none",
                     latency=Latency("none", 0.0, 0.0, 0.0, 0.0, []), layers=[], outputs=outs,
                     model_bytes=len(model), image_kind="host-native")
