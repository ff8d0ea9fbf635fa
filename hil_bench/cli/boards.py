"""List the boards hil-bench knows and, for each, which runners can start it here (and why not).

Boards come from --boards-dir folders, then $HIL_BENCH_BOARDS, then the built-in ones; a user board
named like a built-in one overrides it, and the list says so."""

from __future__ import annotations

from hil_bench.boards import describe_boards, load_board
from hil_bench.cli.output import print_json, table
from hil_bench.errors import Error
from hil_bench.firmware.build import CC
from hil_bench.firmware.features import kernel_path

NAME = "boards"
HELP = "list boards and whether each runner (qemu, fvp, pyocd, host) is available here"


def add_arguments(p) -> None:
    p.add_argument("--json", action="store_true")


def run(args) -> int:
    rows = describe_boards()
    for row in rows:
        if "error" not in row:
            row["kernels"] = _kernel_path(row["board"])
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
        shown.append({"board": row["board"], "cpu": row.get("cpu", "?"), "kernels": row.get("kernels", "?"),
                      "runners": runners or row.get("error"), "description": row.get("description", "")})
    print(table(shown, [("board", "board"), ("cpu", "cpu"), ("kernels", "kernels (--kernels opt)"),
                        ("runners", "runners (in order of preference)"), ("description", "description")]))
    for note in notes:
        print(note)
    print("kernels: helium = Arm Helium (MVE) int8 kernels, dsp = Arm DSP-extension (SIMD) kernels, c = plain C; "
          "`--kernels ref` always runs plain C. All give byte-identical outputs.")
    return 0


def _kernel_path(name: str) -> str:
    """The runtime's kernel path for a board's compiler flags ("?" when the cross compiler is missing)."""
    board = load_board(name)
    if board.is_host:
        return "c"
    try:
        return kernel_path(CC, (*board.cpu.cflags, "-mthumb"))
    except Error:
        return "?"
