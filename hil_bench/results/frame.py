"""Rows <-> CSV cells <-> pandas DataFrame, with the schema's types kept through every hop.

CSV loses types, so encoding is fixed here once: ``None`` is an empty cell, booleans are ``true`` /
``false``, floats are written with ``repr`` (so they read back bit-exact). In a DataFrame, optional
integers are ``Int64``, optional booleans ``boolean`` and missing floats ``NaN``, so a missing
measurement never turns a column of sizes into floats or a survival flag into ``False``.
"""

from __future__ import annotations

import typing

import pandas as pd

from hil_bench.errors import ResultsError
from hil_bench.results.row import COLUMN_DEFAULTS, COLUMN_KINDS, COLUMNS, ResultRow

_TRUE, _FALSE = "true", "false"


def encode_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _TRUE if value else _FALSE
    if isinstance(value, float):
        return repr(value)
    return str(value)


def decode_cell(column: str, text: str):
    """The typed value of one CSV cell; ``ValueError`` says what was expected."""
    kind, optional = COLUMN_KINDS[column]
    if kind is str:
        return text
    if text == "":
        if optional:
            return None
        raise ValueError(f"column {column} is required but empty")
    if kind is bool:
        if text.lower() in (_TRUE, "1"):
            return True
        if text.lower() in (_FALSE, "0"):
            return False
        raise ValueError(f"column {column}: {text!r} is not true/false")
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"column {column}: {text!r} is not {'an integer' if kind is int else 'a number'}") from None


def encode_row(row: ResultRow) -> list[str]:
    return [encode_cell(getattr(row, c)) for c in COLUMNS]


def decode_row(cells: typing.Sequence[str], header: typing.Sequence[str]) -> ResultRow:
    if len(cells) != len(header):
        raise ValueError(f"{len(cells)} cells where the header has {len(header)} (a truncated or hand-edited line)")
    values = dict(zip(header, cells))
    return ResultRow.from_dict({c: decode_cell(c, values[c]) if c in values else COLUMN_DEFAULTS[c] for c in COLUMNS})


def _dtype(column: str) -> str:
    kind, optional = COLUMN_KINDS[column]
    if kind is int:
        return "Int64" if optional else "int64"
    if kind is bool:
        return "boolean" if optional else "bool"
    if kind is float:
        return "float64"
    return "object"


def rows_to_frame(rows: typing.Iterable[ResultRow]) -> pd.DataFrame:
    """A DataFrame with exactly the schema's columns and dtypes (also when there are no rows)."""
    records = [r.to_dict() for r in rows]
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    return frame.astype({c: _dtype(c) for c in COLUMNS})


def value(cell):
    """A DataFrame cell as a plain Python value, with every NA spelling (NaN, pd.NA, None) as None."""
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return None
    if hasattr(cell, "item"):  # numpy scalar
        return cell.item()
    return cell


def frame_to_rows(frame: pd.DataFrame, where: str = "DataFrame") -> list[ResultRow]:
    """Check a DataFrame against the schema and turn it back into rows (extra columns are ignored)."""
    require_columns(frame, COLUMNS, where)
    rows = []
    for i, record in enumerate(frame[list(COLUMNS)].to_dict("records")):
        try:
            rows.append(ResultRow.from_dict({k: value(v) for k, v in record.items()}))
        except ResultsError as exc:
            raise ResultsError(f"{where}, row {i}: {exc}") from None
    return rows


def require_columns(frame: pd.DataFrame, columns: typing.Iterable[str], where: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ResultsError(f"{where} lacks column(s) {', '.join(missing)}; it is not a hil-bench results table "
                           "(read results files with hil_bench.results.read_results)")
