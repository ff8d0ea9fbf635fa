"""Read what an image really takes from its ELF (pyelftools): flash, RAM, model, and use per region.

flash = everything loaded (text + rodata + model + the .data load image);
RAM   = .data + .bss + arena + stack (NOLOAD sections included, they are reserved memory).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hil_bench.boards.board import Board
from hil_bench.errors import DoesNotFitError

_SHF_ALLOC = 0x2


@dataclass(frozen=True)
class ImageSizes:
    flash_bytes: int
    ram_bytes: int
    model_bytes: int
    code_bytes: int       # flash without the model
    data_bytes: int
    bss_bytes: int
    arena_bytes: int
    stack_bytes: int
    regions: tuple[tuple[str, int, int], ...]  # (region, used, size)

    def as_dict(self) -> dict:
        d = {k: getattr(self, k) for k in ("flash_bytes", "ram_bytes", "model_bytes", "code_bytes", "data_bytes",
                                           "bss_bytes", "arena_bytes", "stack_bytes")}
        d["regions"] = {name: {"used": used, "size": size} for name, used, size in self.regions}
        return d


def image_sizes(elf_path: Path, board: Board) -> ImageSizes:
    from elftools.elf.elffile import ELFFile

    with open(elf_path, "rb") as fh:
        elf = ELFFile(fh)
        sections = {}
        for sec in elf.iter_sections():
            if sec["sh_flags"] & _SHF_ALLOC and sec["sh_size"]:
                sections[sec.name] = (sec["sh_addr"], sec["sh_size"], sec["sh_type"] != "SHT_NOBITS")
        symtab = elf.get_section_by_name(".symtab")
        data_load = None
        if symtab is not None:
            syms = symtab.get_symbol_by_name("__data_load")
            data_load = syms[0]["st_value"] if syms else None

    def size(name: str) -> int:
        return sections.get(name, (0, 0, False))[1]

    loaded = sum(s for _, s, progbits in sections.values() if progbits)
    model = size(".hb_model")
    ram = size(".data") + size(".bss") + size(".hb_arena") + size(".stack")
    used = {r.name: 0 for r in board.memory}
    for name, (addr, sz, _) in sections.items():
        for r in board.memory:
            if r.origin <= addr < r.end:
                used[r.name] += sz
        if name == ".data" and data_load is not None:
            for r in board.memory:
                if r.origin <= data_load < r.end:
                    used[r.name] += sz
    regions = tuple((r.name, used[r.name], r.size) for r in board.memory)
    return ImageSizes(flash_bytes=loaded, ram_bytes=ram, model_bytes=model, code_bytes=loaded - model,
                      data_bytes=size(".data"), bss_bytes=size(".bss"), arena_bytes=size(".hb_arena"),
                      stack_bytes=size(".stack"), regions=regions)


def check_fits(board: Board, *, model_bytes: int, arena_bytes: int, stack_bytes: int) -> None:
    """Refuse, before compiling anything, a model or arena bigger than the region meant to hold it."""
    p = board.placement
    if p is None:
        return
    needs: dict[str, list[tuple[str, int]]] = {}
    needs.setdefault(p.model, []).append(("model", model_bytes))
    needs.setdefault(p.arena, []).append(("arena", arena_bytes))
    needs.setdefault(p.data, []).append(("stack", stack_bytes))
    for region_name, items in needs.items():
        region = board.region(region_name)
        total = sum(n for _, n in items)
        if total > region.size:
            what = " + ".join(f"{label} {n:,} B" for label, n in items)
            raise DoesNotFitError(
                f"board {board.name}: {what} = {total:,} B does not fit region {region.name!r} "
                f"({region.size:,} B at 0x{region.origin:08x}); over by {total - region.size:,} B. "
                "Use a smaller model/arena or a board with more memory.")
