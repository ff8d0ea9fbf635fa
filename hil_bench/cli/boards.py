"""List the boards hil-bench knows (boards/*.toml) and, for each, which runners can start it here."""

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
    shown = []
    for row in rows:
        runners = ", ".join(f"{r['kind']}{'' if r['available'] else ' (not installed)'}" for r in row.get("runners", []))
        shown.append({"board": row["board"], "cpu": row.get("cpu", "?"), "runners": runners or row.get("error"),
                      "description": row.get("description", "")})
    print(table(shown, [("board", "board"), ("cpu", "cpu"), ("runners", "runners (in order of preference)"),
                        ("description", "description")]))
    return 0
