"""Build the firmware ELF for a board: model array + runtime + app + board support, with arm-none-eabi-gcc.

Builds are cached by a hash of everything that goes in (board file, sources, model, options,
compiler version) in :mod:`hil_bench.cache`, so running the same model on
the same board twice compiles once; a new model on a board compiles only its array and the sources
that see the board configuration (:mod:`hil_bench.firmware.objcache`). A cached image is used only when
its files match their recorded digests and its weights their CRC-32 table
(:func:`hil_bench.firmware.image.weights_problem`); otherwise it is rebuilt, saying why.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from hil_bench.boards import Board
from hil_bench.cache import building, cache_dir, discard, open_entry, remove_entry, source_key
from hil_bench.compress.defaults import DECODE
from hil_bench.resources import firmware_dir
from hil_bench.toolchain import run_build_tool
from hil_bench.errors import BuildError, DoesNotFitError, Error, ToolMissingError, UsageError
from hil_bench.firmware.config import board_config_header
from hil_bench.firmware.features import check_cpu_features, kernel_path
from hil_bench.firmware.linker import linker_script
from hil_bench.firmware.objcache import CONFIG_HEADER, ObjectCache
from hil_bench.firmware.sizes import ImageSizes, check_fits, image_sizes
from hil_bench.runtime.sources import runtime_sources
from hil_bench.firmware.mlperf import check_mlperf_model
from hil_bench.tensor_types import element_bytes
from hil_bench.tflite import read_model

FIRMWARE_DIR = firmware_dir()
CC = "arm-none-eabi-gcc"
COMPILE_TIMEOUT_S = 180
DEFAULT_ARENA_BYTES = 512 * 1024   # only when the host build cannot plan the model (it then refuses it)
# The arena an image reserves by default: the host build's plan plus this margin, which covers what the
# device's plan adds to the host's (the optimized kernels' per-op scratch, alignment); a device whose
# plan is bigger still refuses the model at boot with the bytes it needs (then pass --arena-bytes).
ARENA_MARGIN_FRACTION = 0.25
ARENA_MARGIN_MIN_BYTES = 2048
ARENA_MARGIN = f"{ARENA_MARGIN_FRACTION:.0%} of the host build's plan, at least {ARENA_MARGIN_MIN_BYTES:,} B"
MIN_DB_BUFFER_BYTES = 64 * 1024
KERNELS = ("opt", "ref")   # --kernels: the core's optimized path, or the plain C reference kernels
OPT_FLAGS = ("-O2", "-g", "-ffunction-sections", "-fdata-sections", "-fno-common", "-std=gnu11", "-Wall")


@dataclass(frozen=True)
class FirmwareImage:
    board: Board
    elf: Path
    sizes: ImageSizes
    image_kind: str          # "model" or "test-no-model"
    key: str
    cached: bool
    kernels: str = "c"       # kernel path compiled in: "helium", "dsp" or "c" (hb_kpath.h)
    compiler_flags: str = "" # the flags every source was compiled with (CPU, optimization, defines)


def cache_root() -> Path:
    """Kept for callers of the old name: the cache root of :mod:`hil_bench.cache`."""
    return cache_dir()


def compiler_version() -> str:
    """The cross compiler's version line (part of every build's cache key and of result rows)."""
    if shutil.which(CC) is None:
        raise ToolMissingError(f"{CC} not found; install it with: apt-get install gcc-arm-none-eabi "
                               "libnewlib-arm-none-eabi (or `make install`)")
    out = subprocess.run([CC, "--version"], capture_output=True, text=True, timeout=30)
    return out.stdout.splitlines()[0] if out.stdout else "unknown"


def bsp_dirs(board: Board) -> list[Path]:
    """Board support of ``board``: the generic Cortex-M code (``bsp/cortex_m``, when there) and its
    SoC family's own (``bsp/<family>``)."""
    family = FIRMWARE_DIR / "bsp" / board.family
    if board.family in ("cortex_m", "include"):
        raise BuildError(f"board {board.name}: family {board.family!r} names the generic board support, not a "
                         "SoC family; set family to the SoC's folder under firmware/bsp (e.g. 'cmsdk')")
    if not family.is_dir():
        raise BuildError(f"no board support for family {board.family!r}: expected {family} "
                         f"(see {FIRMWARE_DIR / 'bsp'} for what a family provides)")
    generic = FIRMWARE_DIR / "bsp" / "cortex_m"
    return [generic, family] if generic.is_dir() else [family]


# What writes model_data.c (the array and its weight checksum table): a change there is a new image.
_MODEL_DATA_SOURCES = [Path(__file__).parents[1] / "export.py", Path(__file__).parents[1] / "compress" / "checksums.py"]


def _sources(board: Board, with_model: bool) -> list[Path]:
    app = [p for p in sorted((FIRMWARE_DIR / "app").glob("*.c"))
           if p.name != ("model_none.c" if with_model else "model_runtime.c")]
    # Generic Cortex-M code (vectors, faults, timer, exit), then the SoC family's own (UART, bring-up).
    srcs = [p for d in bsp_dirs(board) for p in sorted(d.glob("*.c"))] + app
    if with_model:
        srcs += runtime_sources()   # firmware/runtime/sources.txt: the list the CMake library builds too
    return srcs


def _headers(board: Board, with_model: bool) -> list[Path]:
    dirs = [FIRMWARE_DIR / "bsp" / "include", FIRMWARE_DIR / "app", *bsp_dirs(board)]
    if with_model:
        dirs.append(FIRMWARE_DIR / "runtime")
    return sorted(h for d in dirs for h in d.rglob("*.h"))


def default_arena_bytes(model: bytes, decode: str = DECODE) -> int:
    """The arena an image reserves unless told: the host build's plan plus :data:`ARENA_MARGIN`, in 16-byte
    units (:data:`DEFAULT_ARENA_BYTES` when the host build cannot plan the model: too big for its own
    arena, or refused; the fits check and the device's boot judge the model, not the build)."""
    from hil_bench.runtime.host import model_info

    try:
        planned = int(model_info(model, decode=decode)["arena_bytes"])
    except Error:
        return DEFAULT_ARENA_BYTES
    return arena_with_margin(planned)


def arena_with_margin(planned: int) -> int:
    """``planned`` bytes plus :data:`ARENA_MARGIN`, rounded up to 16 bytes."""
    margin = max(ARENA_MARGIN_MIN_BYTES, int(planned * ARENA_MARGIN_FRACTION))
    return (planned + margin + 15) // 16 * 16


def _input_bytes(model: bytes) -> int:
    """Total bytes of the model's input tensors, to size the input buffer."""
    m = read_model(model)
    sg = m.subgraphs[0]
    total = 0
    for i in sg.inputs:
        t = sg.tensors[int(i)]
        n = 1
        for d in (t.shape if t.shape is not None else []):
            n *= max(int(d), 1)
        total += n * element_bytes(t.type, f"model input {int(i)}")
    return total


def build_firmware(board: Board, model: bytes | None = None, *,
                   arena_bytes: int | None = None, stack_bytes: int | None = None,
                   semihosting: bool = True, db_buffer_bytes: int | None = None,
                   rebuild: bool = False, decode: str = DECODE, kernels: str = "opt",
                   mlperf_model: str | None = None, instruction_ticks: bool = False) -> FirmwareImage:
    """Compile and link; ``model=None`` gives the model-less TEST image (protocol and link checks only).
    ``board`` and ``model`` come resolved from the edge (the CLI, the plugin, ``bench``): a Board, bytes.

    ``mlperf_model``: the MLPerf Tiny model id (kws01, vww01, ic01, ad01, ...) ``profile%`` answers, so
    MLPerf Tiny's runner accepts the image; None answers "hil-bench". ``instruction_ticks``: the runner's
    timer counts instructions (QEMU -icount), so MLPerf timestamps convert them at the board clock.

    ``kernels``: "opt" compiles the optimized path the core has (Helium on Armv8.1-M with MVE, the DSP
    extension on Cortex-M4/M7/M33, plain C elsewhere); "ref" forces the plain C reference kernels.

    ``arena_bytes`` None: the host build's plan plus :data:`ARENA_MARGIN` (:func:`default_arena_bytes`).

    Raises DoesNotFitError (with region and numbers) before compiling when the model or arena cannot
    fit, and also when the linker finds a region overflowing.
    """
    model_id = check_mlperf_model(mlperf_model)
    from hil_bench.compress.formats import DECODE_MODES

    if decode not in DECODE_MODES:
        raise UsageError(f"decode must be one of {', '.join(DECODE_MODES)}, not {decode!r}")
    if kernels not in KERNELS:
        raise UsageError(f"kernels must be one of {', '.join(KERNELS)}, not {kernels!r}")
    if board.is_host:
        raise BuildError("board 'host' is built natively by the runtime's host build, not by hil_bench.firmware")
    if model is not None and not isinstance(model, (bytes, bytearray)):   # bytes(Path) would be the path's text
        raise TypeError(f"build_firmware takes the model's bytes (read the file at the edge), "
                        f"not {type(model).__name__}")
    model_bytes = None if model is None else bytes(model)
    with_model = model_bytes is not None
    stack = stack_bytes if stack_bytes is not None else board.placement.stack_bytes
    if not with_model:
        arena = 0
    else:
        arena = arena_bytes if arena_bytes is not None else default_arena_bytes(model_bytes, decode)
        if arena <= 0:
            raise UsageError(f"arena_bytes must be positive, not {arena}")
    check_fits(board, model_bytes=len(model_bytes or b""), arena_bytes=arena, stack_bytes=stack)
    db_bytes = db_buffer_bytes or max(MIN_DB_BUFFER_BYTES, _input_bytes(model_bytes) if with_model else 0)
    db_bytes = (db_bytes + 15) // 16 * 16
    image_kind = "model" if with_model else "test-no-model"

    cpu_flags = (*board.cpu.cflags, "-mthumb")
    check_cpu_features(board, CC, cpu_flags)
    defines = ("-DHB_KERNELS_REF",) if kernels == "ref" else ()
    if with_model:   # link only the weight formats (decoders, in-place kernels) the model uses
        from hil_bench.compress.linked import format_defines

        defines += format_defines(model_bytes, decode)
    flags = (*cpu_flags, *OPT_FLAGS, *defines)
    path = kernel_path(CC, cpu_flags, kernels) if with_model else "none"
    srcs = _sources(board, with_model)
    here = Path(__file__)
    inputs = [*srcs, *_headers(board, with_model), here,
              *(here.with_name(n) for n in ("linker.py", "config.py", "mlperf.py")), *_MODEL_DATA_SOURCES]
    key = source_key(inputs, compiler_version(), board.source.read_bytes() if board.source else board.name,
                     [arena, stack, semihosting, db_bytes, image_kind, flags, decode, model_id, instruction_ticks],
                     model_bytes or b"",
                     root=FIRMWARE_DIR)
    out_dir = cache_root() / "firmware" / f"{board.name}-{key}"
    elf = out_dir / "firmware.elf"
    if rebuild:
        remove_entry(out_dir)
    elif _cached_image(out_dir, with_model):
        return FirmwareImage(board, elf, image_sizes(elf, board), image_kind, key, True, path, " ".join(flags))

    label = f"firmware for {board.name}, {image_kind}, {path} kernels"
    with building(out_dir, prefix=f".{board.name}-", label=label) as work:
        (work / CONFIG_HEADER).write_text(board_config_header(
            board, arena_bytes=arena, db_buffer_bytes=db_bytes, semihosting=semihosting, image_kind=image_kind,
            decode=decode, model_version=model_id, instruction_ticks=instruction_ticks))
        (work / "firmware.ld").write_text(linker_script(board, stack))
        if with_model:
            # start-up cost: every `hil-bench` call loads this module; this waits until used
            from hil_bench.export import export_c_array

            export_c_array(model_bytes, work, name="g_model")
            srcs = srcs + [work / "model_data.c"]
        compile_and_link(board, srcs, work, with_model, defines)
    return FirmwareImage(board, elf, image_sizes(elf, board), image_kind, key, False, path, " ".join(flags))


def _cached_image(out_dir: Path, with_model: bool) -> bool:
    """Whether ``out_dir`` holds an intact cached image: its files as recorded and, with a model, every
    weight tensor matching the CRC-32 table the build embedded beside it. A damaged one is removed."""
    if open_entry(out_dir, ("firmware.elf",)) is None:
        return False
    if with_model:
        from hil_bench.firmware.image import weights_problem

        problem = weights_problem(out_dir / "firmware.elf")
        if problem:
            discard(out_dir, problem)
            return False
    return True


def _run(cmd: list[str], what: str) -> None:
    def overflow(stderr: str) -> None:
        found = re.search(r"region [`'](\w+)' overflowed by (\d+) bytes", stderr)
        if found:
            raise DoesNotFitError(f"{what}: the image does not fit region {found.group(1)!r}: over by "
                                  f"{int(found.group(2)):,} bytes (linker)")

    run_build_tool(cmd, what, COMPILE_TIMEOUT_S, on_failure=overflow)


def compile_and_link(board: Board, srcs: list[Path], work: Path, with_model: bool,
                     defines: tuple[str, ...] = ()) -> None:
    """Compile ``srcs`` (through the object cache) and link ``work/firmware.elf`` with ``work``'s
    generated config header and linker script: the one compile step of every image built here."""
    cpu = list(board.cpu.cflags) + ["-mthumb"]
    incs = [f"-I{work}", f"-I{FIRMWARE_DIR / 'bsp' / 'include'}", *(f"-I{d}" for d in bsp_dirs(board)),
            f"-I{FIRMWARE_DIR / 'app'}"]
    if with_model:
        incs.append(f"-I{FIRMWARE_DIR / 'runtime' / 'include'}")
    objects = ObjectCache(FIRMWARE_DIR, _headers(board, with_model), (work / CONFIG_HEADER).read_text(),
                          compiler_version(), *cpu, *OPT_FLAGS, *defines, *(i.replace(str(work), "<work>") for i in incs))
    objs = []
    jobs = []
    for i, src in enumerate(srcs):
        obj = work / ("model_data.o" if src.name == "model_data.c" else f"{i:03d}_{src.stem}.o")
        objs.append(obj)
        if not objects.fetch(src, obj):
            jobs.append((src, obj, [CC, *cpu, *OPT_FLAGS, *defines, *incs, "-c", str(src), "-o", str(obj)]))

    def compile_one(src: Path, obj: Path, cmd: list[str]) -> None:
        _run(cmd, f"compiling {src.name}")
        objects.store(src, obj)

    with ThreadPoolExecutor(max_workers=2) as pool:
        for fut in [pool.submit(compile_one, *job) for job in jobs]:
            fut.result()
    _run([CC, *cpu, "-T", str(work / "firmware.ld"), "-nostartfiles", "-Wl,--gc-sections",
          f"-Wl,-Map={work / 'firmware.map'}", "--specs=nano.specs", "--specs=nosys.specs",
          *map(str, objs), "-lm", "-o", str(work / "firmware.elf")], f"linking firmware for {board.name}")
