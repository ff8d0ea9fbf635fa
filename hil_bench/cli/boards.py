"""List the boards hil-bench knows and, for each, its clock, kernel path, timing source, and which runners
can start it here (and why not).

Boards come from --boards-dir folders, then $HIL_BENCH_BOARDS, then the built-in ones; a user board
named like a built-in one overrides it, and the list says so."""

from __future__ import annotations

from hil_bench.boards import describe_boards, load_board
from hil_bench.cli.output import print_json, table
from hil_bench.errors import Error
from hil_bench.firmware.build import CC
from hil_bench.firmware.features import kernel_path

NAME = "boards"
HELP = "list boards (clock, kernel path, timing source) and whether each runner is available here"


def add_arguments(p) -> None:
    p.add_argument("--json", action="store_true")


def run(args) -> int:
    rows = describe_boards()
    for row in rows:
        if "error" not in row:
            row["kernels"] = _kernel_path(row["board"])
            row.update(_timing(row["board"]))
    if args.json:
        print_json(rows)
        return 0
    shown, notes = [], []
    for row in rows:
        if row.get("overrides"):
            notes.append(f"note: board {row['board']!r} from {row['file']} overrides {row['overrides']}")
        elif not row.get("builtin", True):
            notes.append(f"note: board {row['board']!r} comes from {row['file']}")
        for r in row.get("runners", []):
            if not r["available"]:
                notes.append(f"{row['board']}: {r['kind']} not available: {r['reason']}")
        runners = ", ".join(f"{r['kind']}{'' if r['available'] else ' (not installed)'}" for r in row.get("runners", []))
        shown.append({"board": row["board"], "cpu": row.get("cpu", "?"), "clock": _mhz(row),
                      "kernels": row.get("kernels", "?"), "timing": row.get("timing_source", "?"),
                      "runners": runners or row.get("error"), "description": row.get("description", "")})
    print(table(shown, [("board", "board"), ("cpu", "cpu"), ("clock", "clock"),
                        ("kernels", "kernels (--kernels opt)"), ("timing", "timing source"),
                        ("runners", "runners (in order of preference)"), ("description", "description")]))
    for note in notes:
        print(note)
    print("kernels: helium = Arm Helium (MVE) int8 kernels, dsp = Arm DSP-extension (SIMD) kernels, c = plain C; "
          "`--kernels ref` always runs plain C. All give byte-identical outputs.")
    print("timing source: of the first runner installed here; qemu-icount-instructions counts instructions "
          "(`run --cycles` adds a modelled cycle estimate), dwt-cycles measures core cycles at the clock.")
    return 0


def _mhz(row: dict) -> str:
    if "clock_hz" not in row:
        return "?"
    if row.get("cpu") == "host":   # the native build: no board clock to plan with
        return "-"
    ws = f", flash {row['flash_wait_states']} WS" if row.get("flash_wait_states") else ""
    return f"{row['clock_hz'] / 1e6:g} MHz{ws}"


def _timing(name: str) -> dict:
    """Clock, wait states and the timing source of the runner ``run`` would pick here (else the first)."""
    from hil_bench.boards import load_board, runner_class

    board = load_board(name)
    specs = [s for s in board.runners if runner_class(s.kind).available(s)] or list(board.runners)
    return {"clock_hz": board.cpu.clock_hz, "flash_wait_states": board.cpu.flash_wait_states,
            "ram_wait_states": board.cpu.ram_wait_states,
            "timing_source": runner_class(specs[0].kind).timing_source}


def _kernel_path(name: str) -> str:
    """The runtime's kernel path for a board's compiler flags ("?" when the cross compiler is missing)."""
    board = load_board(name)
    if board.is_host:
        return "c"
    try:
        return kernel_path(CC, (*board.cpu.cflags, "-mthumb"))
    except Error:
        return "?"
