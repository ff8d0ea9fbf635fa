"""A plain-text table for terminals and CI logs: columns padded to their widest cell, no dependencies."""

from __future__ import annotations

import typing


def format_table(header: typing.Sequence[str], rows: typing.Iterable[typing.Sequence[str]],
                 right: typing.Collection[int] = ()) -> str:
    """Header, a dashed rule, then the rows; columns whose index is in ``right`` are right-aligned (numbers)."""
    rows = [[str(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]

    def line(cells):
        out = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        return "  ".join(out).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])
