"""Write a standalone firmware project for a board (``hil-bench export --project``): the runtime a
firmware engineer embeds, built with CMake and the Arm GNU toolchain instead of hil-bench.

The project holds the runtime's own sources with its CMakeLists.txt (``firmware/runtime``, the list
of sources the harness measures: ``sources.txt``), the model as ``run`` stores it (compressed with the
same ``--compress``), the board support, ``hb_board_config.h`` and the linker script the harness
generates for the board, a fixed input and ``main.c`` (``firmware/export/main.c``): one inference, the
outputs printed over the UART. Written into a temporary folder and renamed into place, so a failed
export leaves no half-written project.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hil_bench.boards import Board, pick_runner, runner_class
from hil_bench.cache import building
from hil_bench.compress.defaults import COMPRESS, DECODE
from hil_bench.errors import ToolMissingError, UnsupportedModelError, UsageError
from hil_bench.export import export_c_array
from hil_bench.firmware.build import CC, FIRMWARE_DIR, KERNELS, OPT_FLAGS, bsp_dirs, default_arena_bytes
from hil_bench.firmware.config import board_config_header
from hil_bench.firmware.linker import linker_script
from hil_bench.tensor_types import numpy_dtype
from hil_bench.tflite import read_model

TOOLCHAIN_FILE = "arm-none-eabi.cmake"
INPUT_NPY = "input.npy"   # the fixed input main.c runs, for `hil-bench run MODEL --inputs DIR/input.npy`
ELF = "build/firmware.elf"


@dataclass(frozen=True)
class ExportedProject:
    root: Path
    board: str
    compress: str
    model_bytes: int   # the model as stored in the project (compressed as `run` stores it)
    input_npy: Path

    @property
    def toolchain(self) -> Path:
        return self.root / TOOLCHAIN_FILE


def default_input(model: bytes) -> np.ndarray:
    """The sample ``hil-bench run --random 1 --seed 0`` feeds, with its batch axis: [1, *input shape]."""
    sg = read_model(model).subgraphs[0]
    t = sg.tensors[int(sg.inputs[0])]
    full = tuple(int(d) for d in t.shape)
    dtype = numpy_dtype(t.type, "input 0")
    if dtype.kind not in "iu":
        raise UsageError(f"the model takes {dtype.name} input; give the fixed input with --inputs X.npy")
    info = np.iinfo(dtype)
    shape = full[1:] if full[:1] == (1,) else full
    return np.random.default_rng(0).integers(info.min, info.max + 1, size=(1, *shape), dtype=dtype)


def _semihosting(board: Board) -> bool:
    """As the harness builds for the board's runner: exit through semihosting only on a simulator."""
    try:
        spec = pick_runner(board)
    except ToolMissingError:
        spec = board.runners[0]
    return runner_class(spec.kind).semihosting(spec)


def _toolchain(board: Board) -> str:
    flags = " ".join((*board.cpu.cflags, "-mthumb"))
    return f"""# Arm GNU toolchain (arm-none-eabi-gcc) for board {board.name}; written by `hil-bench export`.
# The CPU flags are the board file's cflags, as hil-bench compiles with them.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER {CC})
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(HB_CPU_FLAGS "{flags}")
set(CMAKE_C_FLAGS_INIT "${{HB_CPU_FLAGS}}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${{HB_CPU_FLAGS}} --specs=nano.specs --specs=nosys.specs")
"""


def _cmake_lists(board: Board, kernels: str, model_name: str) -> str:
    opt = " ".join(f for f in OPT_FLAGS if not f.startswith("-std="))
    includes = " ".join(f"bsp/{d.name}" for d in bsp_dirs(board))
    return f"""# One inference of {model_name} on {board.name} with the hil-bench runtime; outputs over the UART.
# Written by `hil-bench export --project`. Build:
#   cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE={TOOLCHAIN_FILE} && cmake --build build
cmake_minimum_required(VERSION 3.16)
if(NOT CMAKE_TOOLCHAIN_FILE)   # the board's toolchain unless another is given
    set(CMAKE_TOOLCHAIN_FILE ${{CMAKE_CURRENT_SOURCE_DIR}}/{TOOLCHAIN_FILE})
endif()
project(hb_export C)

# The flags hil-bench builds and measures the runtime with (hil_bench/firmware/build.py).
set(CMAKE_C_STANDARD 11)
set(CMAKE_C_EXTENSIONS ON)
add_compile_options({opt})
set(HB_RUNTIME_KERNELS {kernels} CACHE STRING "opt: the core's optimized kernels; ref: plain C")
add_subdirectory(runtime)

file(GLOB bsp_sources CONFIGURE_DEPENDS bsp/*/*.c)
add_executable(firmware main.c model_data.c input_data.c app/hb_fmt.c ${{bsp_sources}})
set_target_properties(firmware PROPERTIES SUFFIX ".elf"
                      LINK_DEPENDS ${{CMAKE_CURRENT_SOURCE_DIR}}/firmware.ld)
target_include_directories(firmware PRIVATE . app bsp/include {includes})
target_link_libraries(firmware PRIVATE hil_bench::runtime m)
target_link_options(firmware PRIVATE -T${{CMAKE_CURRENT_SOURCE_DIR}}/firmware.ld -nostartfiles
                    -Wl,--gc-sections -Wl,-Map=${{CMAKE_CURRENT_BINARY_DIR}}/firmware.map)
"""


def _input_source(data: bytes) -> tuple[str, str]:
    rows = ",\n".join("    " + ", ".join(f"0x{b:02x}" for b in data[i:i + 16]) for i in range(0, len(data), 16))
    header = ("/* The fixed input main.c feeds (all graph inputs, in order); written by `hil-bench export`. */\n"
              "#ifndef HB_INPUT_DATA_H\n#define HB_INPUT_DATA_H\n\n"
              "extern const unsigned char g_input[];\nextern const unsigned int g_input_len;\n\n"
              "#endif /* HB_INPUT_DATA_H */\n")
    source = (f"/* {len(data)} bytes: {INPUT_NPY} of this project, raw. Written by `hil-bench export`. */\n"
              f"#include \"input_data.h\"\n\nconst unsigned char g_input[] = {{\n{rows}\n}};\n"
              f"const unsigned int g_input_len = {len(data)}u;\n")
    return header, source


def _check_input(x: np.ndarray, model: bytes) -> np.ndarray:
    """One sample of the model's single input, with its batch axis: [1, *input shape]."""
    sg = read_model(model).subgraphs[0]
    if len(sg.inputs) != 1:
        raise UsageError(f"the model has {len(sg.inputs)} inputs; export --project feeds one")
    t = sg.tensors[int(sg.inputs[0])]
    full = tuple(int(d) for d in t.shape)
    dtype = numpy_dtype(t.type, "input 0")
    sample = full[1:] if full[:1] == (1,) else full
    x = np.asarray(x)
    if x.dtype != dtype or x.shape not in (sample, full, (1, *sample)):
        raise UsageError(f"the fixed input must be one {dtype.name} sample shaped ({', '.join(map(str, sample))}), "
                         f"got {x.shape} {x.dtype}")
    return x.reshape(1, *sample)


def export_project(model: bytes, project: str | Path, board: Board, *, compress: str = COMPRESS,
                   inputs: np.ndarray | None = None, kernels: str = "opt", arena_bytes: int | None = None,
                   name: str = "model.tflite") -> ExportedProject:
    """Write the project folder ``project`` (must not exist, or be empty) for ``board``.

    ``compress`` stores the weights as ``run --compress`` does, and main.c decodes them as ``run`` does
    (:data:`hil_bench.compress.defaults.DECODE`: in place); ``inputs`` is the one sample main.c feeds
    (default: the sample of ``run --random 1 --seed 0``); ``kernels`` "opt" or "ref" as ``run``;
    ``arena_bytes`` None: the host build's plan plus the stated margin, as ``run`` reserves.
    Raises UnsupportedModelError naming every operator × type the runtime lacks, before writing.
    """
    from hil_bench.board_fit import unsupported_ops
    from hil_bench.compress import compress_model
    from hil_bench.firmware.features import board_kernel_path

    if board.is_host:
        raise UsageError("board 'host' has no firmware to export; pick a board with a memory map (see `hil-bench boards`)")
    if kernels not in KERNELS:
        raise UsageError(f"kernels must be one of {', '.join(KERNELS)}, not {kernels!r}")
    root = Path(project).absolute()
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise UsageError(f"{project}: exists and is not an empty folder; give a new --project folder")
    data = bytes(model)
    read_model(data)
    missing = unsupported_ops(data)
    if missing:
        raise UnsupportedModelError(f"{name}: the runtime has no kernel for {', '.join(missing)} (see `hil-bench ops`)")
    x = _check_input(default_input(data) if inputs is None else inputs, data)
    stored = compress_model(data, compress, DECODE, board_kernel_path(board, kernels)).model
    arena_bytes = arena_bytes if arena_bytes is not None else default_arena_bytes(stored, DECODE)
    root.parent.mkdir(parents=True, exist_ok=True)
    if root.exists():
        root.rmdir()
    with building(root, prefix=f".{root.name}-") as work:
        runtime = FIRMWARE_DIR / "runtime"
        shutil.copytree(runtime, work / "runtime", ignore=shutil.ignore_patterns("*.o", "build"))
        for d in [FIRMWARE_DIR / "bsp" / "include", *bsp_dirs(board)]:
            shutil.copytree(d, work / "bsp" / d.name)
        (work / "app").mkdir()
        for f in ("hb_fmt.c", "hb_fmt.h"):
            shutil.copy2(FIRMWARE_DIR / "app" / f, work / "app" / f)
        shutil.copy2(FIRMWARE_DIR / "export" / "main.c", work / "main.c")
        export_c_array(stored, work, name="g_model")
        header, source = _input_source(x.tobytes())
        (work / "input_data.h").write_text(header)
        (work / "input_data.c").write_text(source)
        np.save(work / INPUT_NPY, x, allow_pickle=False)
        (work / "hb_board_config.h").write_text(board_config_header(
            board, arena_bytes=arena_bytes, db_buffer_bytes=0, semihosting=_semihosting(board), image_kind="export",
            decode=DECODE))
        # CMake names the object model_data.c.obj (model_data.c.o on some hosts).
        (work / "firmware.ld").write_text(linker_script(board, model_object="model_data.c.o*"))
        (work / TOOLCHAIN_FILE).write_text(_toolchain(board))
        (work / "CMakeLists.txt").write_text(_cmake_lists(board, kernels, name))
    return ExportedProject(root, board.name, compress, len(stored), root / INPUT_NPY)
