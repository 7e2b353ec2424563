"""Maintained client months: per client and calendar month, the homework due and the attended
sessions, kept equal to the assignments and sessions inside every write.

A per-client figure over a long period (the Outcomes page's year) adds up these rows for the
period's whole months and counts only the days at its edges from the assignments and sessions
themselves (`reads/client_periods.py`). A client's months depend on their assignments and
sessions alone, which migration 0011's triggers already note in `homework_days_stale`;
`refresh`, called by `engine.write` before those marks are cleared, recomputes the noted
clients' months in the same transaction. docs/metrics.md says which figures read this table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Select,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    union_all,
)

from data_access.reads import metrics  # the one rule for completed, partial and reviewed
from data_access.store.engine import is_sqlite
from data_access.store.maintained_schema import ClientMonth, HomeworkDayStale
from data_access.store.schema import Assignment, TherapySession

DUE = ["due", "completed", "partial", "reviewed"]
SESSIONS = ["attended", "with_homework"]
COLUMNS = ["client_id", "month", *DUE, *SESSIONS]
Clients = Callable[[ColumnElement[int]], ColumnElement[bool]]  # picks clients by their id column


def month_of(conn: Connection, day: ColumnElement[dt.date]) -> ColumnElement[dt.date]:
    """SQL: the first day of `day`'s calendar month (SQLite stores dates as ISO text)."""
    if is_sqlite(conn):
        return func.date(day, "start of month")
    return cast(func.date_trunc("month", day), Date)


def homework_set_at_session() -> ColumnElement[bool]:
    """SQL, per session: homework of any type set for its client on its day, the rule of the
    homework-setting rate (docs/metrics.md); the live read adds its type filter."""
    return exists().where(
        Assignment.client_id == TherapySession.client_id,
        Assignment.assigned_on == TherapySession.held_on,
    )


def months_of(conn: Connection, clients: Clients | None = None) -> Select:
    """SELECT of the `client_months` rows, in COLUMNS' order, of the clients `clients` picks
    (every client when None)."""

    def picked(client_id: ColumnElement[int]) -> list[ColumnElement[bool]]:
        return [] if clients is None else [clients(client_id)]

    zero = literal(0)
    due_month = month_of(conn, Assignment.due_on)
    due = (
        select(
            due_month.label("month"),
            Assignment.client_id.label("client_id"),
            func.count().label("due"),
            metrics.completed_count().label("completed"),
            metrics.partial_count().label("partial"),
            metrics.reviewed_count().label("reviewed"),
            zero.label("attended"),
            zero.label("with_homework"),
        )
        .where(*picked(Assignment.client_id))
        .group_by(due_month, Assignment.client_id)
    )
    held_month = month_of(conn, TherapySession.held_on)
    sessions = (
        select(
            held_month,
            TherapySession.client_id,
            zero,
            zero,
            zero,
            zero,
            func.count(),
            func.sum(case((homework_set_at_session(), 1), else_=0)),
        )
        .where(TherapySession.attendance == "attended", *picked(TherapySession.client_id))
        .group_by(held_month, TherapySession.client_id)
    )
    both = union_all(due, sessions).subquery("parts")
    return select(
        both.c.client_id,
        both.c.month,
        *(func.sum(both.c[column]) for column in DUE + SESSIONS),
    ).group_by(both.c.client_id, both.c.month)


def refresh(conn: Connection) -> int:
    """Recompute the months of the clients a write touched, inside its transaction, before the
    homework days clear the marks it reads; returns how many clients (0, one cheap read, for
    a write that touched no homework or session)."""
    if conn.execute(select(HomeworkDayStale.id).limit(1)).first() is None:
        return 0
    touched = select(HomeworkDayStale.client_id)
    clients = conn.execute(select(func.count(HomeworkDayStale.client_id.distinct()))).scalar_one()
    conn.execute(delete(ClientMonth).where(ClientMonth.client_id.in_(touched)))
    rows = months_of(conn, lambda client_id: client_id.in_(touched))
    conn.execute(insert(ClientMonth).from_select(COLUMNS, rows))
    return clients


def rebuild(conn: Connection) -> int:
    """Recompute every row from the live tables (the caller's transaction); returns the rows."""
    conn.execute(delete(ClientMonth))
    conn.execute(insert(ClientMonth).from_select(COLUMNS, months_of(conn)))
    return conn.execute(select(func.count()).select_from(ClientMonth)).scalar_one()
