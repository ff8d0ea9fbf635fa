"""The bytes an image puts in flash, read back from its ELF: what the binary audit
(:func:`hil_bench.audit.audit_elf`) inspects."""

from __future__ import annotations

from pathlib import Path

from hil_bench.errors import Error, ModelFileError, UsageError

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


def weights_problem(elf_path: str | Path) -> str:
    """What is wrong with the model weights in an image's flash ("" when every weight tensor matches the
    CRC-32 table the build embedded beside the model): the check before a cached image is trusted. The
    full audit (:func:`hil_bench.audit.audit_elf`) says more; this needs only the codecs."""
    from hil_bench.compress import checksums
    from hil_bench.compress.find_in_image import find_models

    try:
        flash = loaded_bytes(elf_path)
        found = find_models(flash)
        if len(found) != 1:
            return "its flash holds no model" if not found else f"its flash holds {len(found)} models"
        table = checksums.find_table(flash, found[0])
        if table is None:
            return "its model has no weight checksum table"
        actual = checksums.checksums_of(flash[found[0]:])
    except Error as exc:
        return f"its model fails the weight check ({exc})"
    if len(actual) != len(table):
        return (f"its model fails the weight check (the checksum table lists {len(table)} weight tensors, the "
                f"model has {len(actual)})")
    for want, got in zip(table, actual):
        if want != got:
            return f"its model fails the weight check (weight tensor {got.tensor} fails its CRC-32)"
    return ""
