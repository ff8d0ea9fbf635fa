"""Export a ``.tflite`` as the C array TensorFlow Lite Micro firmware compiles in.

Writes ``model_data.c`` and ``model_data.h``: ``const unsigned char g_model[]`` holding the flatbuffer
byte for byte, and ``const unsigned int g_model_len``. The array is 16-byte aligned because TFLite Micro
reads the flatbuffer in place and some of its buffers (and SIMD kernels reading them) need that
alignment. The header has ``extern "C"`` guards, so C++ firmware (TFLM itself is C++) links against the
array compiled by a C compiler, and the other way round. Beside the array, ``g_model_weight_crc[]``
holds a CRC-32 of every weight tensor (:mod:`hil_bench.compress.checksums`) for the binary audit.

The input is parsed first, so a corrupt ``.tflite`` never becomes firmware, and each file is written to
a temporary file and renamed, so an interrupted export never leaves a half-written source behind.
"""

from __future__ import annotations

import hashlib
import keyword
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hil_bench.errors import UsageError
from hil_bench.tflite import read_model
from hil_bench.compress.checksums import checksums_of, pack

C_FILE = "model_data.c"
H_FILE = "model_data.h"
_BYTES_PER_LINE = 12
_HEX = tuple(f"0x{b:02x}" for b in range(256))

# Reserved words of C and C++ that a generated symbol must not collide with.
_RESERVED = frozenset(
    "alignas alignof and asm auto bool break case catch char class const constexpr continue default delete do "
    "double else enum explicit export extern false float for friend goto if inline int long mutable namespace new "
    "noexcept not nullptr operator or private protected public register restrict return short signed sizeof "
    "static struct switch template this throw true try typedef typeid typename union unsigned using virtual void "
    "volatile while xor".split()
)

# Chosen by compiler because no single spelling works everywhere: GCC, Clang, armclang (armcc 6) and
# armcc 5 take the GNU attribute; then C11/C++11 keywords; IAR and MSVC have their own. A build can
# predefine HB_MODEL_ALIGN16 (e.g. to add a section attribute) and it is left alone.
_ALIGN_MACRO = """\
#ifndef HB_MODEL_ALIGN16
#if defined(__GNUC__) || defined(__clang__) || defined(__ARMCC_VERSION) || defined(__CC_ARM)
#define HB_MODEL_ALIGN16 __attribute__((aligned(16)))
#elif defined(__cplusplus) && __cplusplus >= 201103L
#define HB_MODEL_ALIGN16 alignas(16)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define HB_MODEL_ALIGN16 _Alignas(16)
#elif defined(__ICCARM__)
#define HB_MODEL_ALIGN16 _Pragma("data_alignment=16")
#elif defined(_MSC_VER)
#define HB_MODEL_ALIGN16 __declspec(align(16))
#else
#error "model_data.c: no known way to align the model to 16 bytes with this compiler; define HB_MODEL_ALIGN16"
#endif /* compiler */
#endif /* HB_MODEL_ALIGN16 */
"""


@dataclass(frozen=True)
class CArrayExport:
    """Where an export went and what it holds, for logs and reports."""

    c_path: Path
    h_path: Path
    name: str
    size: int
    sha256: str


def export_c_array(source: bytes | str | Path, out_dir: str | Path, name: str = "g_model") -> CArrayExport:
    """Write ``out_dir/model_data.c`` and ``out_dir/model_data.h`` for the ``.tflite`` in ``source``.

    ``source`` is the flatbuffer's bytes or a path to it; ``name`` is the array's C symbol (its length
    is ``<name>_len``). ``out_dir`` is created if needed. Raises :class:`ModelFileError` for a corrupt
    or truncated model and :class:`UsageError` for a missing file or a bad symbol name.
    """
    _check_symbol(name)
    read_model(source)  # validates before anything is written
    data = bytes(source) if isinstance(source, (bytes, bytearray, memoryview)) else Path(source).read_bytes()
    origin = "model buffer" if isinstance(source, (bytes, bytearray, memoryview)) else Path(source).name
    digest = hashlib.sha256(data).hexdigest()
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{out}: cannot create the output directory ({exc.strerror})") from None
    header = render_header(name, len(data), origin, digest)
    source_text = render_source(data, name, origin, digest)
    _write_atomically({out / H_FILE: header, out / C_FILE: source_text})
    return CArrayExport(out / C_FILE, out / H_FILE, name, len(data), digest)


def _check_symbol(name: str) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name or "") or name in _RESERVED or keyword.iskeyword(name):
        raise UsageError(f"{name!r} is not usable as a C/C++ symbol name; use letters, digits and '_' "
                         "(not starting with a digit, not a reserved word), e.g. g_model")
    if name.startswith("__") or re.match(r"_[A-Z]", name):
        raise UsageError(f"{name!r} is a symbol name reserved for the compiler in C and C++; pick one without a "
                         "leading double underscore or underscore-capital, e.g. g_model")


def _banner(origin: str, size: int, digest: str) -> str:
    return (f"/* Generated by hil-bench from {_comment_safe(origin)}: {size} bytes, sha256 {digest}.\n"
            " * Do not edit; re-export with `hil-bench export`. */\n")


def _comment_safe(text: str) -> str:
    """Keep a file name from ending the comment it is quoted in."""
    text = text.encode("ascii", "replace").decode("ascii")
    return text.replace("*/", "* /").replace("\n", " ").replace("\r", " ")


def render_header(name: str, size: int, origin: str, digest: str) -> str:
    """The text of ``model_data.h``: declarations with C linkage, includable from C and C++."""
    guard = f"HB_{name.upper()}_MODEL_DATA_H_"
    return (
        f"{_banner(origin, size, digest)}"
        f"#ifndef {guard}\n#define {guard}\n\n"
        "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
        f"/* The .tflite flatbuffer, 16-byte aligned, {size} bytes. */\n"
        f"extern const unsigned char {name}[];\n"
        f"extern const unsigned int {name}_len;\n"
        f"/* CRC-32 of every weight tensor, raw or compressed, for `hil-bench audit --elf`. */\n"
        f"extern const unsigned char {name}_weight_crc[];\n\n"
        "#ifdef __cplusplus\n}  /* extern \"C\" */\n#endif\n\n"
        f"#endif  /* {guard} */\n"
    )


def render_source(data: bytes, name: str, origin: str, digest: str) -> str:
    """The text of ``model_data.c``: the aligned array and its length.

    It includes its own header, which matters in C++: a namespace-scope ``const`` would otherwise have
    internal linkage, while the ``extern "C"`` declaration seen first gives it external C linkage.
    """
    starts = range(0, len(data), _BYTES_PER_LINE)
    rows = (", ".join(map(_HEX.__getitem__, data[i : i + _BYTES_PER_LINE])) for i in starts)
    body = ",\n".join(f"    {row}" for row in rows)
    return (
        f"{_banner(origin, len(data), digest)}"
        f"#include \"{H_FILE}\"\n\n"
        f"{_ALIGN_MACRO}\n"
        f"HB_MODEL_ALIGN16 const unsigned char {name}[] = {{\n{body}\n}};\n\n"
        f"const unsigned int {name}_len = {len(data)}u;\n\n"
        f"{render_checksums(data, name)}"
    )


def render_checksums(data: bytes, name: str) -> str:
    """The weight checksum table (:mod:`hil_bench.compress.checksums`), in the model's own section so a
    linker that keeps the model keeps the table, though no code reads it: the binary audit does."""
    table = pack(len(data), checksums_of(data))
    starts = range(0, len(table), _BYTES_PER_LINE)
    rows = (", ".join(map(_HEX.__getitem__, table[i : i + _BYTES_PER_LINE])) for i in starts)
    body = ",\n".join(f"    {row}" for row in rows)
    return (
        "#if defined(__GNUC__) || defined(__clang__)\n"
        f"__attribute__((used, section(\".rodata.{name}\")))\n"
        "#endif\n"
        f"const unsigned char {name}_weight_crc[] = {{\n{body}\n}};\n"
    )


def _write_atomically(files: dict[Path, str]) -> None:
    """Write every file to a temporary sibling, then rename them all into place.

    Nothing is renamed until every temporary file is complete and flushed to disk, and temporaries are
    removed on any failure, so readers see either the old files or the new ones, never a partial one.
    """
    pending: list[tuple[str, Path]] = []
    current: Path | str = "output"
    try:
        for path, text in files.items():
            current = path
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            pending.append((tmp, path))
            os.fchmod(fd, 0o644)  # mkstemp makes 0600; sources are meant to be shared and built by others
            with os.fdopen(fd, "w", encoding="ascii", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        for tmp, path in pending:
            os.replace(tmp, path)
    except BaseException as exc:
        for tmp, _ in pending:
            if os.path.exists(tmp):
                os.unlink(tmp)
        if isinstance(exc, OSError):
            from hil_bench.paths import write_error

            raise write_error(current, exc, "the C array") from None
        raise
