"""Query results as DataFrames: `read_frame`, which every read uses in place of `pd.read_sql`."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, Select

from data_access.store.engine import is_sqlite


def read_frame(query: Select, conn: Connection) -> pd.DataFrame:
    """`pd.read_sql(query, conn)`: the same frame, on SQLite built from the driver's own rows.

    pandas has SQLAlchemy wrap every row in a Row object first, which for the tens of thousands
    of rows a practice page reads cost up to a quarter of the page's CPU
    (docs/performance.md). Here each column's result processor (SQLite's text dates made dates)
    runs over that column alone, and pandas infers the dtypes as `read_sql` does
    (`DataFrame.from_records`, `coerce_float`). SQLite's driver names no column types, so the
    processors are the ones SQLAlchemy would pick; PostgreSQL's are chosen by the type the
    server reports, so there `pd.read_sql` is used as it is.
    """
    if not is_sqlite(conn):
        return pd.read_sql(query, conn)
    result = conn.execute(query)
    columns = list(result.keys())
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    if not rows:
        return pd.DataFrame(columns=columns)
    dialect = conn.dialect
    processors = [
        c.type.dialect_impl(dialect).result_processor(dialect, None) for c in query.selected_columns
    ]
    if any(processors):
        values = [
            column if process is None else [process(v) for v in column]
            for column, process in zip(zip(*rows, strict=True), processors, strict=True)
        ]
        rows = list(zip(*values, strict=True))
    return pd.DataFrame.from_records(rows, columns=columns, coerce_float=True)
