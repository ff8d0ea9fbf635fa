"""The bytes an image puts in flash, read back from its ELF: what the binary audit inspects."""

from __future__ import annotations

from pathlib import Path

from hil_bench.errors import ModelFileError, UsageError

_SHF_ALLOC = 0x2


def loaded_bytes(elf_path: str | Path) -> bytes:
    """Every loaded (allocated, PROGBITS) section's contents, in address order, concatenated."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    try:
        with open(elf_path, "rb") as fh:
            elf = ELFFile(fh)
            sections = sorted((s["sh_addr"], s.data()) for s in elf.iter_sections()
                              if s["sh_flags"] & _SHF_ALLOC and s["sh_type"] == "SHT_PROGBITS" and s["sh_size"])
    except ELFError as exc:
        raise ModelFileError(f"{elf_path}: not a readable ELF file ({exc})") from None
    except FileNotFoundError:
        raise UsageError(f"{elf_path}: no such file") from None
    return b"".join(data for _, data in sections)


def audit_elf(elf_path: str | Path, reference: bytes | None = None):
    """Audit the model found in an image's flash bytes: every weight tensor, raw or compressed, decoded
    and checked against the image's checksum table and, given ``reference`` (a .tflite's bytes), compared
    value for value with it.

    Raises CorruptTensorError naming the tensor when one fails to decode, its checksum or the comparison.
    """
    from hil_bench.audit import audit_image

    return [t.audit for t in audit_image(loaded_bytes(elf_path), reference, require_checksums=True)]


def weights_problem(elf_path: str | Path) -> str:
    """What is wrong with the model weights in an image's flash ("" when every weight tensor matches the
    CRC-32 table the build embedded beside the model): the check before a cached image is trusted."""
    from hil_bench.errors import Error

    try:
        audit_elf(elf_path)
    except Error as exc:
        return f"its model fails the weight check ({exc})"
    return ""
