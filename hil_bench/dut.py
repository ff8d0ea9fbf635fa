"""One device path: build this model for this board, start it, talk to it, tear it down.

``run``, ``bench``, ``size`` and the pytest plugin all come through here. :func:`build_image` picks the
runner and builds the firmware the way that runner needs (semihosting only on simulators);
:class:`Device` is a started board running that image; :func:`run_model` is the whole measurement
behind ``hil-bench run``. The ELF in every answer is the one that ran.

Timing is reported in the unit the runner can honestly give: instructions under QEMU (-icount), FVP
cycles, DWT cycles on silicon -- never converted into something it is not. Beside it, run results
carry ``instructions`` / ``cycles`` / ``ms`` as measured, and under QEMU with ``cycles=True`` a labelled
cycle estimate (``cycles_est``, ``ms_est``, ``cycle_model``) from a profile pass (hil_bench.timing).

Every command to the board has a deadline from the work it asks for (:mod:`hil_bench.watchdog`), or
the caller's fixed one: a board that stops answering ends the run with "the board stopped responding
after N s" and the last bytes it sent, and is stopped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from hil_bench.boards import Board, pick_runner, runner_class
from hil_bench.boards.session import open_dut
from hil_bench.compress.defaults import DECODE
from hil_bench.errors import DeviceError, DoesNotFitError, LinkTimeoutError, UsageError
from hil_bench.firmware.runner_image import build_image
from hil_bench.tensor_types import numpy_dtype
from hil_bench.watchdog import Watchdog
from hil_bench.board_fit import check
from hil_bench.runtime.host import run_model as host_run
from hil_bench.tflite import read_model
from hil_bench.compress import compress_model


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
    # One name per quantity across run --json, size --json, bench rows (README, "Reading a report");
    # None where nothing was measured (the host board has no flash or RAM of its own).
    flash_bytes: int | None = None        # the whole image in flash: code + model + data load image
    ram_bytes: int | None = None          # RAM used: data + bss + arena used + stack used
    ram_reserved_bytes: int | None = None # RAM the image reserves: data + bss + arena + stack
    model_bytes: int = 0                  # the model as stored (compressed as asked)
    code_bytes: int | None = None         # flash without the model
    arena_bytes: int | None = None        # arena reserved
    arena_used_bytes: int | None = None
    stack_used_bytes: int | None = None
    decoded_weight_bytes: int | None = None  # of arena_used: compressed weights decoded into it at init
    harness_ram_bytes: int | None = None     # of ram_bytes: the harness's serial buffers, profile, CRC table
    ram_split: dict | None = None            # ram_bytes as arena, decoded weights, harness, stack, static
    compress: str = "none"                   # how the weights were stored in flash
    decode: str = DECODE                     # when compressed weights were decoded
    names_stripped: bool = False
    retransmissions: int = 0
    round_trips: int = 0        # commands sent to the device (hb-batch makes it independent of the sample count)
    exit_code: int | None = None
    image_kind: str = "model"
    model_readback: bytes | None = field(default=None, repr=False)  # flash bytes read back (read_back_model)
    elf: Path | None = None     # the image that ran (None on the host board)
    kernels: str = "c"          # kernel path the device reports it ran: "helium", "dsp" or "c"
    compiler_flags: str = ""    # flags the firmware was compiled with ("" on the host board)
    # One inference in a firmware engineer's units (hil_bench.timing.fields): measured, or estimated and
    # named; None where this run cannot give it.
    clock_hz: int | None = None         # the board clock the times are at
    instructions: int | None = None     # executed instructions (QEMU; exact with a profile pass)
    cycles: int | None = None           # core cycles measured by the device (DWT, FVP): see timing_source
    ms: float | None = None             # ``cycles`` at clock_hz
    cycles_est: int | None = None       # the cycle model's estimate (QEMU, cycles=True)
    ms_est: float | None = None         # ``cycles_est`` at clock_hz
    cycle_model: str | None = None      # which model estimated, e.g. "hil-bench cm55-v1 (estimate)"
    # per weight tensor: {"tensor", "format", "stored_bytes"} (hil_bench.compress.model.CompressedModel)
    weight_formats: list[dict] = field(default_factory=list)
    cycle_histogram: dict | None = None # with the estimate: class -> executed instructions, estimated cycles
    cycle_model_assumptions: list[str] | None = None   # what the model assumes, in words

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("outputs")
        d.pop("model_readback")
        d["elf"] = str(self.elf) if self.elf else None
        if not self.latency.samples:   # nothing measured: null, never a 0.0 that reads as a time
            d["latency"] = None
        return d


class Device:
    """A started board running the firmware built for one model; ``close()`` (or leaving ``with``) stops it.

    ``infer`` runs one sample; ``batch`` many through ``hb-batch``; ``latency`` turns device ticks into
    the runner's unit. ``image.elf`` is the ELF the board runs. ``timeout_s``: the longest any one
    command may take (None: a deadline from the model's expected instruction count, per command).
    """

    def __init__(self, board: Board, model: bytes, *, runner: str | None = None,
                 arena_bytes: int | None = None, decode: str = DECODE, kernels: str = "opt",
                 log_dir: Path | None = None, boot_timeout_s: float = 30.0, name: str = "the model",
                 mlperf_model: str | None = None, timeout_s: float | None = None):
        from hil_bench.board_fit import check

        if timeout_s is not None and not timeout_s > 0:
            raise UsageError(f"timeout {timeout_s} s is out of range: give a number of seconds > 0")
        self.board = board
        self.name = name
        # The one fits check (ops, flash, RAM, the host plan's arena) before anything starts; the
        # board's own boot then has the last word on the arena (optimized kernels' scratch). The image
        # the check built is the one to run: with the runner installed, it was built for that runner.
        fit, image = check(model, self.board, kernels=kernels, runner=runner, boot=False,
                           decode=decode, arena_bytes=arena_bytes, mlperf_model=mlperf_model)
        fit.raise_if_not(name)
        self.watchdog = Watchdog.for_model(bytes(model), timeout_s)
        if image is None:   # no firmware image (the host board): build_image says why
            image = build_image(self.board, model, runner=runner, kernels=kernels)[0]
        spec = pick_runner(self.board, runner)   # the runner must be installed here; the error says how
        self.image = image
        self._stack = contextlib.ExitStack()
        self._closed = False
        session = self._stack.enter_context(open_dut(self.board, self.image.elf, runner=spec.kind, log_dir=log_dir,
                                                     boot_timeout_s=boot_timeout_s))
        try:
            if session.boot_status != "ok":
                cls = DoesNotFitError if "arena" in session.boot_status else DeviceError
                raise cls(f"{self.board.name}: the runtime refused {name}: {session.boot_status}")
            self.info = session.protocol.info()
            self.kernels = self.info.get("kernels", self.image.kernels)
            if self.kernels != self.image.kernels:
                raise DeviceError(f"{self.board.name}: the firmware reports kernels {self.kernels!r} but was built "
                                  f"for {self.image.kernels!r} ({self.image.compiler_flags}); rebuild it")
        except BaseException:
            self.close(exit_code=None)
            raise
        self.runner, self.link, self.protocol = session.runner, session.link, session.protocol

    @property
    def elf(self) -> Path:
        return self.image.elf

    def alive(self) -> bool:
        """False once closed, or when the board (its simulator process) has died."""
        return not self._closed and self.runner.alive()

    def pack(self, sample) -> bytes:
        """One sample's inputs (an array, or a list with one per input) as the device takes them."""
        arrays = [sample] if isinstance(sample, np.ndarray) else [np.asarray(a) for a in sample]
        if len(arrays) != len(self.info.inputs):
            raise UsageError(f"{self.name} has {len(self.info.inputs)} input(s), {len(arrays)} array(s) given")
        blob = b""
        for i, (arr, spec) in enumerate(zip(arrays, self.info.inputs)):
            want = numpy_dtype(spec.type, f"input {i} of {self.name}")
            dims = tuple(spec.dims)
            shapes = (dims, dims[1:]) if dims[:1] == (1,) else (dims,)   # with or without the batch axis
            if arr.dtype != want or arr.nbytes != spec.bytes or (dims and arr.shape not in shapes):
                raise UsageError(f"input {i} of {self.name} is {want.name} shaped {dims} ({spec.bytes} bytes); "
                                 f"got {arr.dtype} shaped {arr.shape} (quantize with hil_bench.evaluate.quantize)")
            blob += np.ascontiguousarray(arr).tobytes()
        return blob

    def unpack(self, raw: bytes) -> list[np.ndarray]:
        """One sample's outputs, back to back as the device sends them, as arrays shaped like the model's."""
        out, off = [], 0
        for j, spec in enumerate(self.info.outputs):
            dtype = numpy_dtype(spec.type, f"output {j} of {self.name}")
            out.append(np.frombuffer(raw[off:off + spec.bytes], dtype=dtype).reshape(spec.dims))
            off += spec.bytes
        if off != len(raw):
            raise DeviceError(f"{self.board.name}: {len(raw)} output bytes received, the model's outputs take {off}")
        return out

    def infer(self, sample, *, runs: int = 1, warmups: int = 0, profile: bool = False,
              timeout: float | None = None):
        """Upload one sample, run it ``runs`` times (after ``warmups``), return (outputs, device timing).
        ``timeout``: the longest each command may take (None: the watchdog's deadline)."""
        return self.infer_packed(self.pack(sample), runs=runs, warmups=warmups, profile=profile, timeout=timeout)

    def infer_packed(self, blob: bytes, *, runs: int = 1, warmups: int = 0, profile: bool = False,
                     timeout: float | None = None):
        """:meth:`infer` for a sample already packed by :meth:`pack`."""
        inferences = runs + warmups + (1 if profile else 0)
        with self.watched(f"hb-infer {runs} {warmups} {int(profile)}", inferences, len(blob), timeout) as seconds:
            self.protocol.put(blob, timeout=seconds)
            timing = self.protocol.infer(runs, warmups, profile=profile, timeout=seconds)
            raw = b"".join(self.protocol.get_output(j, timeout=seconds) for j in range(len(self.info.outputs)))
        return self.unpack(raw), timing

    def batch(self, blobs: list[bytes], timeout: float | None = None) -> list[list[np.ndarray]]:
        """Packed samples through hb-batch in chunks that fit the device; one list per model output."""
        outputs: list[list[np.ndarray]] = [[] for _ in self.info.outputs]
        run_batched(self.protocol, self.info, blobs, outputs, timeout,
                    watch=lambda what, n, size: self.watched(what, n, size, timeout))
        return outputs

    @contextlib.contextmanager
    def watched(self, what: str, inferences: int, upload_bytes: int, timeout: float | None = None):
        """A command's deadline in seconds (``timeout``, or the watchdog's for that work); a board that does
        not answer within it raises LinkTimeoutError: "the board stopped responding after N s"."""
        watchdog = self.watchdog if timeout is None else Watchdog(self.watchdog.instructions, timeout)
        seconds = watchdog.seconds(inferences, upload_bytes)
        start = time.monotonic()
        try:
            yield seconds
        except LinkTimeoutError as exc:
            raise self.link.stopped_responding(time.monotonic() - start, what,
                                               watchdog.why(inferences), seconds) from exc

    def latency_of(self, ticks) -> Latency:
        """Device timer ticks of timed runs as a Latency in the runner's unit."""
        values = [self.to_unit(t) for t in ticks]
        return Latency(self.runner.timing_unit, statistics.median(values) if values else 0.0,
                       min(values, default=0.0), max(values, default=0.0),
                       statistics.pstdev(values) if values else 0.0, values, self.to_unit(1))

    def to_unit(self, ticks: int) -> float:
        return self.runner.ticks_to_unit(ticks, self.board.cpu.clock_hz)

    def close(self, exit_code: int | None = 0) -> int | None:
        """Stop the board (safe twice). With ``exit_code`` the firmware is asked to exit first and its
        exit status (semihosting) is returned when the runner can tell it."""
        if self._closed:
            return None
        self._closed = True
        code = None
        try:
            if exit_code is not None and self.runner.alive():
                self.protocol.exit(exit_code)
                code = self.runner.wait_exit(10.0)
        finally:
            self._stack.close()
        return code

    def __enter__(self) -> "Device":
        return self

    def __exit__(self, *exc) -> None:
        self.close(exit_code=None)


def run_batched(proto, info, blobs: list[bytes], outputs: list[list[np.ndarray]], timeout: float | None,
                watch=None) -> None:
    """Feed ``blobs`` through hb-batch in chunks of the device's ``batch_max`` samples (its db buffer
    holds a chunk's inputs and outputs together); append each sample's outputs to ``outputs`` (one list
    per model output). ``watch(what, samples, bytes)``: a context giving each chunk's deadline
    (:meth:`Device.watched`); without it every chunk gets ``timeout``."""
    per_out = sum(o.bytes for o in info.outputs)
    chunk = int(info.values.get("batch_max", 0))
    if chunk < 1:
        raise DeviceError(f"{proto.link.name}: hb-info reports no batch_max (firmware without hb-batch, or a "
                          f"model whose inputs and outputs do not fit the db buffer of "
                          f"{info.values.get('db_buffer_bytes')} bytes); run with batch=False")
    dtypes = [numpy_dtype(o.type, f"output {j}") for j, o in enumerate(info.outputs)]
    for start in range(0, len(blobs), chunk):
        part = blobs[start:start + chunk]
        data = b"".join(part)
        what = f"hb-batch of {len(part)} samples"
        with (watch(what, len(part), len(data)) if watch else contextlib.nullcontext(timeout)) as seconds:
            raw = proto.batch(data, len(part), per_out, timeout=seconds)
        for k in range(len(part)):
            off = k * per_out
            for j, (spec, dtype) in enumerate(zip(info.outputs, dtypes)):
                outputs[j].append(np.frombuffer(raw[off:off + spec.bytes], dtype=dtype).reshape(spec.dims))
                off += spec.bytes


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


PROFILE_SLOWDOWN = 10   # a profile pass (QEMU's execution log) against the watchdog's deadline


def run_model(model: bytes, board: Board, inputs, *, name: str = "the model", runs: int = 3, warmups: int = 1,
              profile_layers: bool = True, arena_bytes: int | None = None, runner: str | None = None,
              infer_timeout_s: float | None = None, log_dir: Path | None = None, batch: bool = True,
              read_back_model: bool = False, decode: str = DECODE, kernels: str = "opt",
              compress: str = "none", mlperf_model: str | None = None, cycles: bool = False,
              strip_names: bool = False) -> RunResult:
    """Build, start, feed every sample, time ``runs`` inferences of the first, read all outputs, stop.

    ``model`` (the .tflite's bytes) and ``board`` come resolved from the edge (the CLI, the plugin,
    ``bench``); ``name`` is the model's name in messages (e.g. its file name).

    ``inputs``: an int8/uint8 array shaped [samples, *input_shape] (or a list of them, one per model
    input) already quantized with the model's input scale and zero point. With ``batch`` (default) the
    samples after the first go through ``hb-batch`` in chunks that fit the device's buffer: a few round
    trips for the whole data set instead of three per sample (``batch=False``: put + infer + get each).
    ``infer_timeout_s`` bounds each command, a whole chunk included (None: a deadline per command from
    the model's expected instruction count and the samples in it, :mod:`hil_bench.watchdog`).
    ``kernels``: "opt" (the core's Helium / DSP path) or "ref" (plain C reference kernels); the result
    says which ran. ``compress``: how weight tensors are stored ("none", "auto", "lut", "hb", "nm"; the
    CLI's default is auto, as bench's); ``decode``: when the device decodes them ("in-place": the
    kernels read them from flash, the default; "per-layer"; "init"), see :mod:`hil_bench.compress.model`.
    ``mlperf_model``: the MLPerf Tiny id the image answers to ``profile%`` (kws01, ...; None: "hil-bench").
    ``cycles``: under QEMU, one more session on the same image logs one inference of the first sample
    and estimates its cycles (hil_bench.timing; a few seconds per million instructions). Runners that
    measure cycles (DWT, FVP) report them either way.
    ``strip_names``: store the model without tensor and signature names (:func:`hil_bench.tflite_parts.strip_names`).
    ``arena_bytes`` None: the host build's plan plus the stated margin (hil_bench.firmware.build.ARENA_MARGIN).
    """
    from hil_bench.tflite_parts import decoded_weight_bytes
    from hil_bench.tflite_parts import strip_names as without_names
    from hil_bench.firmware.features import board_kernel_path

    compressed = compress_model(bytes(model), compress, decode, board_kernel_path(board, kernels))
    model = compressed.model
    if strip_names:
        model = without_names(model)
    stored = {"compress": compress, "decode": decode, "names_stripped": strip_names,
              "weight_formats": compressed.weight_formats}
    spec = pick_runner(board, runner)
    if not runner_class(spec.kind).starts_image:
        return dataclasses.replace(_run_natively(model, board, inputs, decode), **stored)
    if cycles:   # refused before anything runs: a core without a timing table, a runner without a profile
        from hil_bench.timing import core_timing

        core_timing(board.cpu.core)
        cls = runner_class(spec.kind)
        if cls.ticks_count_instructions(spec) and not hasattr(cls, "profile_args"):
            raise UsageError(f"--cycles profiles with QEMU's execution log, which the {spec.kind} runner of "
                             f"{board.name} cannot give; run it with --runner qemu, or without --cycles")
    with Device(board, model, runner=runner, arena_bytes=arena_bytes, decode=decode, kernels=kernels,
                log_dir=log_dir, name=name, mlperf_model=mlperf_model, timeout_s=infer_timeout_s) as dev:
        samples = [dev.pack(sample) for sample in _as_samples(inputs, len(dev.info.inputs))]
        outputs: list[list[np.ndarray]] = [[] for _ in dev.info.outputs]
        timing = None
        # The first sample alone: timed runs and per-layer profile, outputs by hb-get.
        for k, blob in enumerate(samples[:1] if batch else samples):
            if k == 0:
                got, timing = dev.infer_packed(blob, runs=runs, warmups=warmups, profile=profile_layers)
            else:
                got, _ = dev.infer_packed(blob)
            for j, array in enumerate(got):
                outputs[j].append(array)
        if batch and len(samples) > 1:
            dev_outputs = dev.batch(samples[1:])
            for j, arrays in enumerate(dev_outputs):
                outputs[j].extend(arrays)
        after = dev.protocol.info()
        model_readback = None
        if read_back_model:  # the model as stored in the device's flash, for the survival audit
            model_readback = dev.protocol.read_model(0, int(after.values.get("model_bytes", 0)))
        retransmissions, round_trips = dev.protocol.retransmissions, dev.link.commands
        code = dev.close(exit_code=0)
    latency = dev.latency_of(timing.ticks if timing else [])
    estimate = None
    if cycles and dev.runner.timing_unit == "instructions" and samples:
        from hil_bench.timing.profile import profile_inference

        # QEMU logging every block runs several times slower than the run above: 10x the watchdog's deadline
        deadline = infer_timeout_s or PROFILE_SLOWDOWN * dev.watchdog.seconds(1, len(samples[0]))
        estimate = profile_inference(board, dev.elf, samples[0], runner=dev.runner.kind, timeout_s=deadline)
    from hil_bench.timing.fields import timing_fields

    times = timing_fields(latency.median if latency.samples else None, latency.unit, board.cpu.clock_hz, estimate)
    layers = [{"index": i, "op": name, "latency": dev.to_unit(t)} for i, (name, t) in
              enumerate(timing.layers if timing else ())]
    s, used = dev.image.sizes, after.values
    arena_used, stack_used = int(used.get("arena_used", 0)), int(used.get("stack_used", 0))
    decoded = decoded_weight_bytes(model) if decode == "init" else 0
    ram_split = {"arena": arena_used - decoded, "decoded_weights": decoded, "harness_buffers": s.harness_bytes,
                 "stack": stack_used, "static": s.static_bytes}
    return RunResult(board=board.name, runner=dev.runner.kind, timing_source=dev.runner.timing_source,
                     latency=latency, layers=layers,
                     outputs=[np.stack(o) for o in outputs],
                     flash_bytes=s.flash_bytes, ram_reserved_bytes=s.ram_bytes, model_bytes=s.model_bytes,
                     code_bytes=s.code_bytes, arena_bytes=s.arena_bytes, arena_used_bytes=arena_used,
                     stack_used_bytes=stack_used, decoded_weight_bytes=decoded, harness_ram_bytes=s.harness_bytes,
                     ram_split=ram_split, **stored,
                     ram_bytes=s.data_bytes + s.bss_bytes + arena_used + stack_used,
                     retransmissions=retransmissions, exit_code=code, image_kind=dev.image.image_kind,
                     round_trips=round_trips, model_readback=model_readback, elf=dev.elf,
                     kernels=dev.kernels, compiler_flags=dev.image.compiler_flags, **times)


def _run_natively(model: bytes, board: Board, inputs, decode: str = "in-place") -> RunResult:
    """The native build of the runtime (hil_bench.runtime): outputs only. No per-inference timer is
    exposed by the host runner, so latency is reported as unavailable rather than guessed."""
    check(model, board)[0].raise_if_not("the model")
    # Accept samples with or without the model's batch axis of 1, as the serial boards do.
    sg = read_model(model).subgraphs[0]
    arrays = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
    shaped = [np.asarray(a).reshape(len(a), *[int(d) for d in sg.tensors[int(i)].shape])
              if np.asarray(a)[0].size == int(np.prod(sg.tensors[int(i)].shape)) else a
              for a, i in zip(arrays, sg.inputs)]
    outs = host_run(model, shaped[0] if isinstance(inputs, np.ndarray) else shaped, decode=decode)
    return RunResult(board=board.name, runner="host", timing_source="none",
                     latency=Latency("none", 0.0, 0.0, 0.0, 0.0, []), layers=[], outputs=outs,
                     model_bytes=len(model), image_kind="host-native")


__all__ = ["Device", "Latency", "RunResult", "build_image", "run_batched", "run_model"]
