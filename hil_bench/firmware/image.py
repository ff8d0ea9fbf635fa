"""The bytes an image puts in flash, read back from its ELF: what the binary audit
(:func:`hil_bench.audit.audit_elf`) inspects."""

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

