"""Maintained homework days: `homework_days` kept equal to the assignments and sessions.

Triggers (migration 0011) note in `homework_days_stale` each client whose assignments or
sessions a write inserts, changes or deletes. `refresh`, called by `engine.write` before it
commits, recomputes all of those clients' rows from the live tables and clears the marks: a
client's days depend on each other (the previous homework day) and on their sessions (the next
attended one), so the whole client is the unit, a few dozen rows. docs/metrics.md says which
figures are read from this table.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, Select, and_, case, delete, func, insert, select

from data_access.store.maintained_schema import HomeworkDay, HomeworkDayStale
from data_access.store.schema import Assignment, TherapySession

COLUMNS = [
    "assigned_on",
    "client_id",
    "n",
    "pending",
    "reviewed",
    "completed",
    "partial",
    "last_review",
    "next_session",
    "on_time",
    "previous_on",
    "previous_reviewed",
]


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def days_of(*conditions: ColumnElement[bool]) -> Select:
    """SELECT of the `homework_days` rows of the clients whose assignments meet `conditions`
    (every client without any), in COLUMNS' order."""
    status = Assignment.status
    grouped = (
        select(
            Assignment.client_id,
            Assignment.assigned_on,
            func.count().label("n"),
            _count(status == "pending").label("pending"),
            _count(status != "pending").label("reviewed"),
            _count(status == "completed").label("completed"),
            _count(status == "partial").label("partial"),
            func.max(Assignment.reviewed_on).label("last_review"),
        )
        .where(*conditions)
        .group_by(Assignment.client_id, Assignment.assigned_on)
        .subquery()
    )
    next_session = (
        select(func.min(TherapySession.held_on))
        .where(
            TherapySession.client_id == grouped.c.client_id,
            TherapySession.attendance == "attended",
            TherapySession.held_on > grouped.c.assigned_on,
        )
        .scalar_subquery()
    )
    order = {"partition_by": grouped.c.client_id, "order_by": grouped.c.assigned_on}
    days = select(
        grouped,
        next_session.label("next_session"),
        func.lag(grouped.c.assigned_on).over(**order).label("previous_on"),
        func.lag(grouped.c.pending).over(**order).label("previous_pending"),
        func.lag(grouped.c.last_review).over(**order).label("previous_review"),
    ).subquery()
    on_time = (
        select(func.count())
        .where(
            Assignment.client_id == days.c.client_id,
            Assignment.assigned_on == days.c.assigned_on,
            Assignment.status != "pending",
            Assignment.reviewed_on.is_not(None),
            Assignment.reviewed_on <= days.c.next_session,
        )
        .scalar_subquery()
    )
    followed = and_(days.c.previous_pending == 0, days.c.previous_review <= days.c.assigned_on)
    return select(
        days.c.assigned_on,
        days.c.client_id,
        days.c.n,
        days.c.pending,
        days.c.reviewed,
        days.c.completed,
        days.c.partial,
        days.c.last_review,
        days.c.next_session,
        on_time,
        days.c.previous_on,
        case((followed, 1), else_=0),
    )


def refresh(conn: Connection) -> int:
    """Recompute the rows of the clients a write touched, inside its transaction; returns how
    many clients (0, one cheap read, for a write that touched no homework or session)."""
    if is_current(conn):
        return 0
    stale = select(HomeworkDayStale.client_id).distinct()
    clients = conn.execute(select(func.count()).select_from(stale.subquery())).scalar_one()
    conn.execute(delete(HomeworkDay).where(HomeworkDay.client_id.in_(stale)))
    conn.execute(insert(HomeworkDay).from_select(COLUMNS, days_of(Assignment.client_id.in_(stale))))
    conn.execute(delete(HomeworkDayStale))
    return clients


def rebuild(conn: Connection) -> int:
    """Recompute every row from the live tables (the caller's transaction); returns the rows."""
    conn.execute(delete(HomeworkDay))
    conn.execute(delete(HomeworkDayStale))
    conn.execute(insert(HomeworkDay).from_select(COLUMNS, days_of()))
    return conn.execute(select(func.count()).select_from(HomeworkDay)).scalar_one()


def is_current(conn: Connection) -> bool:
    """True when every write's touched clients have been recomputed; a write that bypassed
    `engine.write` leaves marks, and until the next write the live tables are read instead."""
    return conn.execute(select(HomeworkDayStale.id).limit(1)).first() is None
