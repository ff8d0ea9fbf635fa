"""How much flash and RAM a board offers the model's image, minus headroom for the user's application.

The budget is the size of the regions the board file places the image in: flash = the regions holding
code and model (``[placement] code``, ``model``), RAM = the regions holding data and arena (``data``,
``arena``), each region counted once. An explicit budget (``--flash-budget 115KiB`` for every board, or ``--flash-budget corstone300=115KiB``
for one) replaces the board's.
The verdict compares totals: the firmware build itself already refuses an image that overflows any
single region.
"""

from __future__ import annotations

from dataclasses import dataclass

from hil_bench.errors import UsageError


@dataclass(frozen=True)
class Budget:
    board: str
    flash_bytes: int | None        # None: the board has no memory map (the host build)
    ram_bytes: int | None
    app_flash: int = 0
    app_ram: int = 0
    source: str = "board file"

    @property
    def flash_left(self) -> int | None:
        return None if self.flash_bytes is None else self.flash_bytes - self.app_flash

    @property
    def ram_left(self) -> int | None:
        return None if self.ram_bytes is None else self.ram_bytes - self.app_ram

    def judge(self, flash: int | None, ram: int | None, ram_what: str = "RAM") -> tuple[bool | None, str]:
        """(fits, why): None when there is nothing to judge (no memory map, or no measurement)."""
        if self.flash_bytes is None:
            return None, f"{self.board} has no memory map"
        if flash is None:
            return None, "no flash figure"
        problems = []
        for what, used, left, app, total in (("flash", flash, self.flash_left, self.app_flash, self.flash_bytes),
                                             (ram_what, ram, self.ram_left, self.app_ram, self.ram_bytes)):
            if used is None or total is None:
                continue
            if used > left:
                headroom = f" minus {app:,} B for the application" if app else ""
                problems.append(f"{what} {used:,} B is over the {total:,} B budget{headroom} by {used - left:,} B")
        return (False, "; ".join(problems)) if problems else (True, "fits")

    def as_dict(self) -> dict:
        return {"board": self.board, "flash_bytes": self.flash_bytes, "ram_bytes": self.ram_bytes,
                "app_flash": self.app_flash, "app_ram": self.app_ram, "flash_left": self.flash_left,
                "ram_left": self.ram_left, "source": self.source}


def board_budget(board, *, app_flash: int = 0, app_ram: int = 0, flash_budget: int | None = None,
                 ram_budget: int | None = None) -> Budget:
    """The budget on ``board`` (a :class:`~hil_bench.boards.Board`); refuses headroom bigger than it."""
    flash = ram = None
    source = "board file"
    if board.placement is not None:
        p = board.placement
        flash = sum(board.region(n).size for n in dict.fromkeys((p.code, p.model)))
        ram = sum(board.region(n).size for n in dict.fromkeys((p.data, p.arena)))
    if flash_budget is not None or ram_budget is not None:
        source = "given" if flash_budget is not None and ram_budget is not None else "given and board file"
    flash = flash_budget if flash_budget is not None else flash
    ram = ram_budget if ram_budget is not None else ram
    for what, total, app in (("--app-flash", flash, app_flash), ("--app-ram", ram, app_ram)):
        if total is not None and app >= total:
            raise UsageError(f"{what} {app:,} B leaves nothing of the {total:,} B budget on {board.name}; "
                             "give a smaller headroom")
    return Budget(board.name, flash, ram, app_flash, app_ram, source)


def parse_budgets(values: list[str] | None, boards: list[str], option: str) -> dict[str, int | None]:
    """``{board: bytes or None}`` from ``option``'s values: ``SIZE`` (every board) or ``BOARD=SIZE``, each
    value possibly a comma-separated list; a board given twice, or not swept, is refused."""
    from hil_bench.sizing.grid import parse_size

    out: dict[str, int | None] = dict.fromkeys(boards)
    every = None
    named: dict[str, int] = {}
    for value in values or ():
        for item in (i.strip() for i in str(value).split(",")):
            if not item:
                raise UsageError(f"{option} {value!r} has an empty item; give SIZE or BOARD=SIZE, e.g. "
                                 f"{option} 115KiB or {option} corstone300=115KiB")
            board, _, size = item.rpartition("=")
            if not board:
                if every is not None:
                    raise UsageError(f"{option} gives the budget for every board twice; give it once")
                every = parse_size(size, option)
                continue
            if board not in out:
                raise UsageError(f"{option} {item}: board {board!r} is not among the boards given "
                                 f"({', '.join(boards)})")
            if board in named:
                raise UsageError(f"{option} gives board {board} twice; give it once")
            named[board] = parse_size(size, f"{option} {board}=")
    return {b: named.get(b, every) for b in out}
