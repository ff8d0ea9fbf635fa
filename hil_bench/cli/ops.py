"""The runtime's operator coverage: every operator × type it runs and the kernel paths of each
(c always; dsp on Cortex-M4/M7/M33, helium on Cortex-M55/M85 where the runtime has an optimized
kernel). Read from the runtime itself (the host build's ``hb_run --ops``), the table ``size``,
``run`` and the pytest plugin check a model against.
"""

from __future__ import annotations

NAME = "ops"
HELP = "list the operators and types the runtime runs, with their kernel paths (c / dsp / helium)"
PATHS = ("c", "dsp", "helium")


def add_arguments(p) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args) -> int:
    from hil_bench.cli.output import print_json, table
    from hil_bench.runtime.host import op_table

    rows = [{"operator": row.key, "type": t, **{p: "yes" if p in row.paths else "" for p in PATHS}}
            for row in op_table() for t in row.types]
    if args.json:
        print_json({"ops": [{"operator": r["operator"], "type": r["type"],
                             "paths": [p for p in PATHS if r[p]]} for r in rows]})
        return 0
    print(table(rows, [("operator", "operator"), ("type", "type"), ("c", "c"), ("dsp", "dsp"),
                       ("helium", "helium")]))
    return 0
