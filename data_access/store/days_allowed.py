"""Days allowed until due (docs/metrics.md, "Days allowed"): the one SQL expression and its
buckets, shared by the maintained counts (store) and the live reads (reads)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, Integer, case, cast, func

from data_access.store.engine import is_sqlite
from data_access.store.schema import Assignment

# The buckets of days allowed as (first day, last day or None); a bucket is named by its first
# day in the maintained counts and in what the reads return (dashboard/words.py puts it in words).
DAYS_ALLOWED_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 3), (4, 7), (8, 14), (15, None))


def days_allowed(conn: Connection) -> ColumnElement[int]:
    """SQL: whole days from `assigned_on` to `due_on` (SQLite stores dates as text)."""
    if is_sqlite(conn):
        return cast(
            func.julianday(Assignment.due_on) - func.julianday(Assignment.assigned_on), Integer
        )
    return Assignment.due_on - Assignment.assigned_on


def days_bucket(conn: Connection) -> ColumnElement[int]:
    """SQL: the first day of the DAYS_ALLOWED_BUCKETS bucket of an assignment's days allowed."""
    days = days_allowed(conn)
    bounded = [(days <= last, first) for first, last in DAYS_ALLOWED_BUCKETS if last is not None]
    return case(*bounded, else_=DAYS_ALLOWED_BUCKETS[-1][0])
