"""Compiled objects shared between firmware images: most of an image is the same runtime compiled the same way.

An image differs from the last one mostly in its model array, yet a build used to compile all ~80
sources again. Here each object is keyed by what can change it: the compiler, the flags, the source's
own bytes and every header it could include. Sources that include the board's generated
``hb_board_config.h`` (app and board support) also key on its content; the runtime never includes it
(checked, not assumed), so one compiled runtime serves every model, arena and input size on a CPU.
Each object is a cache entry (:mod:`hil_bench.cache`): written whole, its digest recorded, and checked on
every fetch, so a damaged object is compiled again instead of linked into an image.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from hil_bench.cache import building, cache_dir, open_entry

CONFIG_HEADER = "hb_board_config.h"
OBJECT = "object.o"    # the file in each entry
_BOARD_HEADERS = (CONFIG_HEADER, "hb_bsp.h")   # what reaches the generated board configuration


class ObjectCache:
    """Object files by content key for one build: ``fetch``/``store`` around each compile."""

    def __init__(self, firmware_dir: Path, headers: list[Path], config_text: str, *flag_parts: str) -> None:
        self.firmware_dir = firmware_dir
        self.root = cache_dir("objects")
        base = hashlib.sha256()
        for part in flag_parts:
            base.update(part.encode() + b"\0")
        for h in headers:
            base.update(str(h.relative_to(firmware_dir)).encode() + b"\0" + h.read_bytes())
        self._base = base.digest()
        self._config = config_text.encode()
        self._runtime = firmware_dir / "runtime"
        self._runtime_is_board_free = not any(
            name in p.read_text(errors="replace") for p in self._runtime.rglob("*.[ch]") for name in _BOARD_HEADERS)

    def _path(self, src: Path) -> Path | None:
        """The entry folder of ``src``'s object; None for sources built per image (the model array)."""
        if self.firmware_dir not in src.parents:
            return None
        h = hashlib.sha256(self._base)
        h.update(str(src.relative_to(self.firmware_dir)).encode() + b"\0" + src.read_bytes())
        if not (self._runtime_is_board_free and self._runtime in src.parents):
            h.update(self._config)
        return self.root / h.hexdigest()[:32]

    def fetch(self, src: Path, obj: Path) -> bool:
        """Copy an intact cached object of ``src`` to ``obj``; False when it must be compiled."""
        entry = self._path(src)
        if entry is None or open_entry(entry, (OBJECT,)) is None:
            return False
        shutil.copyfile(entry / OBJECT, obj)
        return True

    def store(self, src: Path, obj: Path) -> None:
        entry = self._path(src)
        if entry is None:
            return
        with building(entry, prefix=f".{entry.name}-", label=str(src.relative_to(self.firmware_dir))) as work:
            shutil.copyfile(obj, work / OBJECT)
