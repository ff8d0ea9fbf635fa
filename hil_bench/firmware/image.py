"""The bytes an image puts in flash, read back from its ELF: what the binary audit inspects."""

from __future__ import annotations

from pathlib import Path

_SHF_ALLOC = 0x2


def loaded_bytes(elf_path: str | Path) -> bytes:
    """Every loaded (allocated, PROGBITS) section's contents, in address order, concatenated."""
    from elftools.elf.elffile import ELFFile

    with open(elf_path, "rb") as fh:
        elf = ELFFile(fh)
        sections = sorted((s["sh_addr"], s.data()) for s in elf.iter_sections()
                          if s["sh_flags"] & _SHF_ALLOC and s["sh_type"] == "SHT_PROGBITS" and s["sh_size"])
    return b"".join(data for _, data in sections)
