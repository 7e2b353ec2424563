"""SQL for weeks on both dialects: a date's Monday (`week_start`, the bucket of
`schema.monday_of`) and the Monday a week later (`week_after`). SQLite stores dates as ISO text."""

from __future__ import annotations

from sqlalchemy import Date
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


class week_after(FunctionElement):  # noqa: N801 - reads as the SQL function it compiles to
    """SQL: the day seven days after a date (a week's Monday: the next week's)."""

    type = Date()
    name = "week_after"
    inherit_cache = True


@compiles(week_after, "sqlite")
def _week_after_sqlite(element: week_after, compiler, **kw) -> str:  # noqa: ANN001
    return f"date({compiler.process(element.clauses, **kw)}, '+7 days')"


@compiles(week_after, "postgresql")
def _week_after_postgresql(element: week_after, compiler, **kw) -> str:  # noqa: ANN001
    return f"({compiler.process(element.clauses, **kw)} + 7)"
