"""List the boards hil-bench knows and, for each, which runners can start it here (and why not).

Boards come from --boards-dir folders, then $HIL_BENCH_BOARDS, then the built-in ones; a user board
named like a built-in one overrides it, and the list says so."""

from __future__ import annotations

NAME = "boards"
HELP = "list boards and whether each runner (qemu, fvp, pyocd, host) is available here"


def add_arguments(p) -> None:
    p.add_argument("--json", action="store_true")


def run(args) -> int:
    from hil_bench.boards import describe_boards
    from hil_bench.cli.output import print_json, table

    rows = describe_boards()
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
        shown.append({"board": row["board"], "cpu": row.get("cpu", "?"), "runners": runners or row.get("error"),
                      "description": row.get("description", "")})
    print(table(shown, [("board", "board"), ("cpu", "cpu"), ("runners", "runners (in order of preference)"),
                        ("description", "description")]))
    for note in notes:
        print(note)
    return 0
