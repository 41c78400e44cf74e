"""Data downloads (CSV now; XLSX with the exports issue) with their sources, safe for spreadsheets."""

from __future__ import annotations

import io

import pandas as pd

from .schema import Source

#: Characters that make a spreadsheet treat a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """Prefix text that a spreadsheet would run as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def escape_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(escape_cell)
    out.columns = [escape_cell(str(c)) for c in out.columns]
    return out


def sources_lines(sources: list[Source]) -> list[str]:
    return [f"{s.id}: {s.citation} Licence: {s.licence}." for s in sources]


def to_csv_bytes(df: pd.DataFrame, *, sources: list[Source], title: str | None = None) -> bytes:
    """CSV of exactly ``df``, preceded by commented lines naming the title and every source."""
    buf = io.StringIO()
    if title:
        buf.write(f"# {escape_cell(title)}\n")
    for line in sources_lines(sources):
        buf.write(f"# Source: {line}\n")
    escape_frame(df).to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")
