"""Read what an image really takes from its ELF (pyelftools): flash, RAM, model, and use per region.

flash = everything loaded (text + rodata + model + the .data load image);
RAM   = .data + .bss + arena + stack (NOLOAD sections included, they are reserved memory).

The harness's own buffers (the serial load buffer ``g_buf``, the command line, the per-layer profile
and the CRC table) are in .bss beside the runtime's statics; they are measured by symbol so RAM can be
split into what the model needs (arena), what the harness adds and the stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hil_bench.boards.board import Board
from hil_bench.errors import DoesNotFitError

_SHF_ALLOC = 0x2
# The harness's RAM: serial load buffer, command line, per-layer profile, CRC-32 table (firmware/app).
HARNESS_SYMBOLS = ("g_buf", "g_line", "g_op_ticks", "g_table")
MODEL_SYMBOL = "g_model"   # the .tflite array (hil_bench.export); the rest of .hb_model is its checksum table


@dataclass(frozen=True)
class ImageSizes:
    flash_bytes: int
    ram_bytes: int
    model_bytes: int
    code_bytes: int       # flash without the model: code, read-only data, the weight checksum table
    data_bytes: int
    bss_bytes: int
    arena_bytes: int
    stack_bytes: int
    regions: tuple[tuple[str, int, int], ...]  # (region, used, size)
    model_section_bytes: int = 0   # .hb_model: the model array, its weight checksum table and alignment
    harness_bytes: int = 0         # the harness's buffers in .bss (HARNESS_SYMBOLS)

    @property
    def static_bytes(self) -> int:
        """.data + .bss without the harness's buffers: the runtime's and C library's statics."""
        return self.data_bytes + self.bss_bytes - self.harness_bytes

    @property
    def model_extra_bytes(self) -> int:
        """What the .hb_model section holds beside the model: the weight checksum table and padding."""
        return self.model_section_bytes - self.model_bytes

    def as_dict(self) -> dict:
        d = {k: getattr(self, k) for k in ("flash_bytes", "ram_bytes", "model_bytes", "code_bytes", "data_bytes",
                                           "bss_bytes", "arena_bytes", "stack_bytes", "harness_bytes",
                                           "model_section_bytes", "static_bytes", "model_extra_bytes")}
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
        symbol_sizes: dict[str, int] = {}
        if symtab is not None:
            syms = symtab.get_symbol_by_name("__data_load")
            data_load = syms[0]["st_value"] if syms else None
            for name in (*HARNESS_SYMBOLS, MODEL_SYMBOL):
                found = symtab.get_symbol_by_name(name)
                if found:
                    symbol_sizes[name] = int(found[0]["st_size"])

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
    stored = symbol_sizes.get(MODEL_SYMBOL, model)
    return ImageSizes(flash_bytes=loaded, ram_bytes=ram, model_bytes=stored,
                      code_bytes=loaded - stored, data_bytes=size(".data"), bss_bytes=size(".bss"),
                      arena_bytes=size(".hb_arena"), stack_bytes=size(".stack"), regions=regions,
                      model_section_bytes=model,
                      harness_bytes=sum(symbol_sizes.get(n, 0) for n in HARNESS_SYMBOLS))


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
