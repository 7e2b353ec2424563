"""CSV that is safe to open in a spreadsheet: formula-like cells are neutralised.

A cell beginning with =, +, -, @, tab or carriage return would run as a formula in Excel or
LibreOffice (CSV injection); such cells get a leading apostrophe, as OWASP recommends.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix a text cell that a spreadsheet would read as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_safe_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV bytes of `frame` with every text cell (and header) neutralised."""
    safe = frame.copy()
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    # CRLF rows (RFC 4180) also make the writer quote a cell holding a lone carriage return.
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def restore(value: str) -> str:
    """Undo `neutralise` on import, so an exported file re-imports to the same data."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
