"""Maintained flag inputs: per client, what the needs-attention flags are decided on, kept
equal to their assignments, sessions and scores inside every write.

The rules' SQL lives here, once: `reads/flags.py` evaluates the same expressions as of any day
from the live tables, and this module stores them as of each client's newest data in
`client_flag_inputs` (migration 0013) and as of every day they change in `client_flag_steps`
(migration 0014), from which the flags as of a past day are read. A client's rows depend on
their assignments, sessions and scores, which the triggers of migrations 0011 and 0012 already
note (`homework_days_stale`, `score_spans_stale`); `refresh`, called by `engine.write` before
those marks are cleared, recomputes the noted clients' rows in both tables. docs/metrics.md
says when the flags read which.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Select,
    case,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    union,
)

from data_access.reads import metrics  # the flags' thresholds and the credit rule
from data_access.store.maintained_schema import (
    ClientFlagInput,
    ClientFlagStep,
    HomeworkDayStale,
    ScoreSpanStale,
)
from data_access.store.schema import SCHEDULED, Assignment, Client, Score, TherapySession

COLUMNS = [
    "client_id",
    "completion_credit",
    "sessions_with_homework",
    "no_shows",
    "last_reviewed_set_on",
    "last_session_on",
    "last_score_on",
]
STEP_COLUMNS = ["client_id", "day", "completion_credit", "sessions_with_homework", "no_shows"]
AsOf = dt.date | ColumnElement[dt.date] | None  # a day, each row's own day, or (None) any day


@dataclass(frozen=True)
class Owner:
    """Whose inputs the rules read: a client id column and the FROM it comes from, to which
    their subqueries are correlated (`clients`, or the days of `client_flag_steps`)."""

    client_id: ColumnElement[int]
    source: FromClause


CLIENTS = Owner(Client.__table__.c.id, Client.__table__)


def _up_to(column: ColumnElement[dt.date], as_of: AsOf) -> list[ColumnElement[bool]]:
    return [] if as_of is None else [column <= as_of]


def _last_n(query: Select, n: int, value: Callable, owner: Owner) -> ColumnElement:
    """Per client: SUM(value) over `query`'s first `n` rows, NULL unless there are `n`.

    `query` is correlated to the owner and ordered newest first, so the database walks each
    client's index entries backwards and stops after `n`, instead of ranking all their history.
    """
    last = query.limit(n).correlate(owner.source).subquery()
    return (
        select(func.sum(value(last))).select_from(last).having(func.count() == n).scalar_subquery()
    )


def _reviewed(as_of: AsOf, owner: Owner = CLIENTS) -> list[ColumnElement[bool]]:
    """The client's reviewed assignments set by `as_of` (any day when None)."""
    return [
        Assignment.client_id == owner.client_id,
        Assignment.status != "pending",
        *_up_to(Assignment.assigned_on, as_of),
    ]


def _recorded_sessions(as_of: AsOf, owner: Owner = CLIENTS) -> list[ColumnElement[bool]]:
    """The client's recorded sessions by `as_of`: a scheduled one is neither attended nor
    missed, so no flag counts it."""
    return [
        TherapySession.client_id == owner.client_id,
        TherapySession.attendance != SCHEDULED,
        *_up_to(TherapySession.held_on, as_of),
    ]


def completion_credit(as_of: AsOf, owner: Owner = CLIENTS) -> ColumnElement[float]:
    """Per client: the credit of their last LOW_COMPLETION_WINDOW reviewed assignments (by due
    date), NULL with fewer. Low completion: under LOW_COMPLETION_THRESHOLD of the window."""
    reviewed = (
        select(Assignment.status)
        .where(*_reviewed(as_of, owner))
        .order_by(Assignment.due_on.desc(), Assignment.id.desc())
    )
    window = metrics.LOW_COMPLETION_WINDOW
    return _last_n(reviewed, window, lambda last: metrics.assignment_credit(last.c.status), owner)


def sessions_with_homework(as_of: AsOf, owner: Owner = CLIENTS) -> ColumnElement[int]:
    """Per client: of their last NO_HOMEWORK_SESSIONS attended sessions, how many had homework
    (any type) set that day; NULL with fewer. No homework: none of them."""
    attended = (
        select(TherapySession.held_on)
        .where(*_recorded_sessions(as_of, owner), TherapySession.attendance == "attended")
        .order_by(TherapySession.held_on.desc())
    )

    def set_at(last):  # noqa: ANN001, ANN202 - the subquery of the last sessions
        homework_set = (
            exists()
            .where(
                Assignment.client_id == owner.client_id, Assignment.assigned_on == last.c.held_on
            )
            .correlate_except(Assignment)
        )
        return case((homework_set, 1), else_=0)

    return _last_n(attended, metrics.NO_HOMEWORK_SESSIONS, set_at, owner)


def no_shows(as_of: AsOf, owner: Owner = CLIENTS) -> ColumnElement[int]:
    """Per client: of their last NO_SHOW_RUN recorded sessions, how many were no-shows; NULL
    with fewer. No-shows: all of them."""
    recorded = (
        select(TherapySession.attendance)
        .where(*_recorded_sessions(as_of, owner))
        .order_by(TherapySession.held_on.desc())
    )
    run = metrics.NO_SHOW_RUN
    return _last_n(
        recorded, run, lambda last: case((last.c.attendance == "no_show", 1), else_=0), owner
    )


def _inputs(*conditions: ColumnElement[bool]) -> Select:
    """The `client_flag_inputs` rows of the clients meeting `conditions`, in COLUMNS' order,
    for those with any reviewed homework, recorded session or score."""
    rows = (
        select(
            Client.id.label("client_id"),
            completion_credit(None).label("completion_credit"),
            sessions_with_homework(None).label("sessions_with_homework"),
            no_shows(None).label("no_shows"),
            select(func.max(Assignment.assigned_on))
            .where(*_reviewed(None))
            .scalar_subquery()
            .label("last_reviewed_set_on"),
            select(func.max(TherapySession.held_on))
            .where(*_recorded_sessions(None))
            .scalar_subquery()
            .label("last_session_on"),
            select(func.max(Score.recorded_on))
            .where(Score.client_id == Client.id)
            .scalar_subquery()
            .label("last_score_on"),
        )
        .where(*conditions)
        .subquery()
    )
    dated = (rows.c.last_reviewed_set_on, rows.c.last_session_on, rows.c.last_score_on)
    return select(*rows.c).where(or_(*(day.is_not(None) for day in dated)))


def _steps(clients: Callable[[ColumnElement[int]], ColumnElement[bool]] | None) -> Select:
    """The `client_flag_steps` rows, in STEP_COLUMNS' order, of the clients `clients` picks
    (every client when None): each day on which a client had homework set that is now reviewed,
    or a recorded session, with the inputs as of that day. Only those days change the inputs:
    the credit counts reviewed homework by the day it was set, the other two recorded sessions."""

    def picked(client_id: ColumnElement[int]) -> list[ColumnElement[bool]]:
        return [] if clients is None else [clients(client_id)]

    reviewed = select(
        Assignment.client_id.label("client_id"), Assignment.assigned_on.label("day")
    ).where(Assignment.status != "pending", *picked(Assignment.client_id))
    recorded = select(TherapySession.client_id, TherapySession.held_on).where(
        TherapySession.attendance != SCHEDULED, *picked(TherapySession.client_id)
    )
    days = union(reviewed, recorded).subquery("step_days")
    owner = Owner(days.c.client_id, days)
    return select(
        days.c.client_id,
        days.c.day,
        completion_credit(days.c.day, owner).label("completion_credit"),
        sessions_with_homework(days.c.day, owner).label("sessions_with_homework"),
        no_shows(days.c.day, owner).label("no_shows"),
    )


def marked_clients() -> Select[tuple[int]]:
    """Clients whose assignments, sessions or scores the write has touched."""
    return union(select(HomeworkDayStale.client_id), select(ScoreSpanStale.client_id))


def refresh(conn: Connection) -> int:
    """Recompute the rows of the clients a write touched, inside its transaction, before the
    homework days and score spans clear the marks it reads; returns how many clients (0, two
    cheap reads, for a write that touched none)."""
    if is_current(conn):
        return 0
    marked = [int(c) for c in conn.execute(marked_clients()).scalars()]
    touched = select(marked_clients().subquery().c.client_id)
    conn.execute(delete(ClientFlagInput).where(ClientFlagInput.client_id.in_(touched)))
    conn.execute(insert(ClientFlagInput).from_select(COLUMNS, _inputs(Client.id.in_(touched))))
    conn.execute(delete(ClientFlagStep).where(ClientFlagStep.client_id.in_(touched)))
    steps = _steps(lambda client_id: client_id.in_(touched))
    conn.execute(insert(ClientFlagStep).from_select(STEP_COLUMNS, steps))
    return len(marked)


def rebuild(conn: Connection) -> tuple[int, int]:
    """Recompute every row of both tables from the live tables (the caller's transaction);
    returns the rows of each (the inputs, the steps)."""
    conn.execute(delete(ClientFlagInput))
    conn.execute(insert(ClientFlagInput).from_select(COLUMNS, _inputs()))
    conn.execute(delete(ClientFlagStep))
    conn.execute(insert(ClientFlagStep).from_select(STEP_COLUMNS, _steps(None)))
    inputs, steps = (
        conn.execute(select(func.count()).select_from(table)).scalar_one()
        for table in (ClientFlagInput, ClientFlagStep)
    )
    return inputs, steps


def is_current(conn: Connection) -> bool:
    """True when no client is marked: every write's touched clients have been recomputed (a
    write that bypassed `engine.write` leaves marks, and until the next write the flags are
    derived from the live tables)."""
    for stale in (HomeworkDayStale, ScoreSpanStale):
        if conn.execute(select(stale.id).limit(1)).first() is not None:
            return False
    return True
