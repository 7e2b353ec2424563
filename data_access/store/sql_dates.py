"""SQL for days and weeks on both dialects: a date's Monday (`week_start`, the bucket of
`schema.monday_of`) and the day a number of days later (`days_after`). SQLite stores dates as
ISO text."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Date, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class week_start(FunctionElement):  # noqa: N801 - reads as the SQL function it compiles to
    """SQL: the Monday of a date's week (the same bucket as `schema.monday_of`)."""

    type = Date()
    name = "week_start"
    inherit_cache = True


@compiles(week_start, "sqlite")
def _week_start_sqlite(element: week_start, compiler, **kw) -> str:  # noqa: ANN001
    # 'weekday 0' moves forward to Sunday (a Sunday stays); six days back is that week's Monday.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


@compiles(week_start, "postgresql")
def _week_start_postgresql(element: week_start, compiler, **kw) -> str:  # noqa: ANN001
    return f"CAST(date_trunc('week', {compiler.process(element.clauses, **kw)}) AS DATE)"


class days_after(FunctionElement):  # noqa: N801 - reads as the SQL function it compiles to
    """SQL: the day `days` days after a date (`days_after(week, 7)`: the next week's Monday)."""

    type = Date()
    name = "days_after"
    inherit_cache = True

    def __init__(self, day: ColumnElement, days: int) -> None:
        # The count is part of the SQL text (and so of the statement cache's key).
        super().__init__(day, literal_column(str(int(days))))


@compiles(days_after, "sqlite")
def _days_after_sqlite(element: days_after, compiler, **kw) -> str:  # noqa: ANN001
    day, days = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"date({day}, '+' || {days} || ' days')"


@compiles(days_after, "postgresql")
def _days_after_postgresql(element: days_after, compiler, **kw) -> str:  # noqa: ANN001
    day, days = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({day} + {days})"
