"""Is homework reviewed by the next session, and is it done more often after a review?

Both figures are per clinician with a total row, for homework set in the view (`assigned_on` in
the window: data_access/reads/homework_set.py). Without a type filter they add up the maintained
`homework_days` (data_access/store/homework_days.py: one row per client and day homework was
set); with one, or while a write that bypassed `engine.write` is unrecounted, they are derived
from the assignments and sessions themselves. docs/metrics.md defines both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
from sqlalchemy import Connection, Float, Select, and_, case, cast, func, select

from data_access.reads import assignment_counts, metrics
from data_access.reads.filters import EVERYONE
from data_access.reads.frames import read_frame
from data_access.reads.homework_set import assignments_in_view, set_between
from data_access.reads.scope import Scope
from data_access.store import homework_days
from data_access.store.maintained_schema import HomeworkDay
from data_access.store.schema import Assignment, Client, Clinician, TherapySession

AFTER_REVIEWED = "reviewed"  # completion_after_review's groups: the last homework reviewed or not
AFTER_NOT_REVIEWED = "not_reviewed"
LOOK_BACK = dt.timedelta(weeks=8)  # how far before the window the previous homework is sought


def _from_days(conn: Connection, scope: Scope, maintained: bool | None) -> bool:
    """Whether to read `homework_days`: no type filter (its rows hold every type), the
    maintained reads on, and every write recounted."""
    if maintained is None:
        maintained = assignment_counts.READ_MAINTAINED
    return maintained and not scope.filters.type_ids and homework_days.is_current(conn)


def _days_in_view(scope: Scope) -> Select:
    """SELECT skeleton over `homework_days` joined to the client and clinician, for the days
    homework was set in the window, of the clients in view, per clinician."""
    return (
        select(Client.clinician_id, Clinician.name.label("clinician"))
        .select_from(HomeworkDay)
        .join(Client, Client.id == HomeworkDay.client_id)
        .join(Clinician, Clinician.id == Client.clinician_id)
        .where(scope.clients(), set_between(HomeworkDay.assigned_on, scope.filters))
        .group_by(Client.clinician_id, Clinician.name)
    )


def reviewed_on_time(
    conn: Connection, scope: Scope, maintained: bool | None = None
) -> pd.DataFrame:
    """Per clinician, plus a total row: share of homework reviewed by the next attended session.

    An assignment counts once the client's next attended session after it was set has happened
    (by the as-of day); it is on time when it was reviewed (not pending, with a review date) on
    or before that session. Columns: clinician_id, clinician, eligible, on_time, rate.
    The total row has clinician EVERYONE and clinician_id -1.
    """
    if _from_days(conn, scope, maintained):
        query = (
            _days_in_view(scope)
            .add_columns(
                func.sum(HomeworkDay.n).label("eligible"),
                func.sum(HomeworkDay.on_time).label("on_time"),
            )
            .where(HomeworkDay.next_session <= scope.filters.as_of)
            .order_by(Clinician.name)
        )
    else:
        query = _reviewed_on_time_live(scope)
    frame = read_frame(query, conn)
    total = pd.DataFrame(
        {
            "clinician_id": [-1],
            "clinician": [EVERYONE],
            "eligible": [int(frame["eligible"].sum())],
            "on_time": [int(frame["on_time"].sum())],
        }
    )
    frame = pd.concat([frame, total], ignore_index=True)
    frame["eligible"] = frame["eligible"].astype(int)
    frame["on_time"] = frame["on_time"].astype(int)
    frame["rate"] = frame["on_time"] / frame["eligible"].where(frame["eligible"] > 0)
    return frame


def _reviewed_on_time_live(scope: Scope) -> Select:
    """`reviewed_on_time`'s per-clinician rows from the assignments and sessions."""
    filters = scope.filters
    next_session = (
        select(func.min(TherapySession.held_on))
        .where(
            TherapySession.client_id == Assignment.client_id,
            TherapySession.attendance == "attended",
            TherapySession.held_on > Assignment.assigned_on,
            TherapySession.held_on <= filters.as_of,
        )
        .correlate(Assignment)
        .scalar_subquery()
    )
    # Grouped by client, day set and review day first, so the next session is sought once per
    # group: in a flat subquery SQLite evaluated it again for each place the outer query used it.
    reviewed_on = case(
        (
            and_(Assignment.status != "pending", Assignment.reviewed_on.is_not(None)),
            Assignment.reviewed_on,
        ),
        else_=None,
    )
    per_day = (
        select(
            Assignment.client_id,
            reviewed_on.label("reviewed_on"),
            next_session.label("next_session"),
            func.count().label("n"),
        )
        .where(assignments_in_view(scope))
        .group_by(Assignment.client_id, Assignment.assigned_on, reviewed_on)
        .subquery()
    )
    on_time = case((per_day.c.reviewed_on <= per_day.c.next_session, per_day.c.n), else_=0)
    return (
        select(
            Client.clinician_id,
            Clinician.name.label("clinician"),
            func.sum(per_day.c.n).label("eligible"),
            func.coalesce(func.sum(on_time), 0).label("on_time"),
        )
        .join(Client, Client.id == per_day.c.client_id)
        .join(Clinician, Clinician.id == Client.clinician_id)
        .where(per_day.c.next_session.is_not(None))
        .group_by(Client.clinician_id, Clinician.name)
        .order_by(Clinician.name)
    )


def completion_after_review(
    conn: Connection, scope: Scope, maintained: bool | None = None
) -> pd.DataFrame:
    """Per clinician (and a total row, clinician EVERYONE and clinician_id -1): completion of
    homework set in the view, split by whether the client's previous homework had been
    reviewed by the day it was set (group AFTER_REVIEWED or AFTER_NOT_REVIEWED).

    "Reviewed": every assignment set at the client's previous homework session has a status and
    a review date on or before this one's `assigned_on`. Homework with no previous homework
    (within LOOK_BACK before the window) is left out. Columns: clinician_id, clinician, group,
    reviewed, credit, completion_rate. An association, not a cause.
    """
    if _from_days(conn, scope, maintained):
        query = _after_review_from_days(scope)
    else:
        query = _after_review_live(scope)
    frame = read_frame(query, conn)
    total = frame.groupby("group", as_index=False)[["reviewed", "credit"]].sum()
    total = total.assign(clinician_id=-1, clinician=EVERYONE)
    frame = pd.concat([frame.sort_values(["clinician", "group"]), total], ignore_index=True)
    frame["clinician_id"] = frame["clinician_id"].astype(int)
    frame["reviewed"] = frame["reviewed"].fillna(0).astype(int)
    frame["credit"] = frame["credit"].fillna(0).astype(float)
    return metrics.add_completion_rate(frame)


def _after_review_from_days(scope: Scope) -> Select:
    """`completion_after_review`'s rows from `homework_days`: each day already knows its
    previous homework day and whether that one had been reviewed by then."""
    day = HomeworkDay
    group = case((day.previous_reviewed == 1, AFTER_REVIEWED), else_=AFTER_NOT_REVIEWED)
    query = (
        _days_in_view(scope)
        .add_columns(
            group.label("group"),
            func.sum(day.reviewed).label("reviewed"),
            func.sum(cast(metrics.credit(day.completed, day.partial), Float)).label("credit"),
        )
        .where(day.previous_on.is_not(None))
        .group_by(group)
    )
    if scope.filters.start:
        query = query.where(day.previous_on >= scope.filters.start - LOOK_BACK)
    return query


def _after_review_live(scope: Scope) -> Select:
    """`completion_after_review`'s rows from the assignments: each client's homework days in
    the window and LOOK_BACK before it, each with the day before it (a window function)."""
    filters = scope.filters
    earlier = replace(filters, start=filters.start - LOOK_BACK) if filters.start else filters
    pending = func.sum(case((Assignment.status == "pending", 1), else_=0))
    per_day = (
        select(
            Assignment.client_id,
            Assignment.assigned_on,
            pending.label("pending"),
            func.max(Assignment.reviewed_on).label("last_review"),
            metrics.reviewed_count().label("reviewed"),
            metrics.completion_credit().label("credit"),
        )
        .where(assignments_in_view(scope.with_filters(earlier)))
        .group_by(Assignment.client_id, Assignment.assigned_on)
        .subquery()
    )
    order = {"partition_by": per_day.c.client_id, "order_by": per_day.c.assigned_on}
    sequenced = select(
        per_day,
        func.lag(per_day.c.pending).over(**order).label("before_pending"),
        func.lag(per_day.c.last_review).over(**order).label("before_review"),
    ).subquery()
    followed = and_(
        sequenced.c.before_pending == 0, sequenced.c.before_review <= sequenced.c.assigned_on
    )
    group = case((followed, AFTER_REVIEWED), else_=AFTER_NOT_REVIEWED)
    query = (
        select(
            Client.clinician_id,
            Clinician.name.label("clinician"),
            group.label("group"),
            func.sum(sequenced.c.reviewed).label("reviewed"),
            func.sum(sequenced.c.credit).label("credit"),
        )
        .join(Client, Client.id == sequenced.c.client_id)
        .join(Clinician, Clinician.id == Client.clinician_id)
        .where(sequenced.c.before_pending.is_not(None))
        .group_by(Client.clinician_id, Clinician.name, group)
    )
    if filters.start:
        query = query.where(sequenced.c.assigned_on >= filters.start)
    return query
