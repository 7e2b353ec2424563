"""Per client over a period: homework due and its completion, attended sessions and those with
homework set that day.

The period's whole calendar months are added up from the maintained `client_months`
(`data_access/store/client_months.py`); the days before its first whole month and after its
last are counted from the assignments and sessions themselves, as is everything while a type
filter is on (the months hold every type) or a write has left marks. Both ways give the same
rows (docs/metrics.md, "Where the figures are read from").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

import pandas as pd
from sqlalchemy import Connection, FromClause, Select, case, func, select, true

from data_access.reads import metrics
from data_access.reads.assignment_counts import due_in_period
from data_access.reads.filters import date_between, type_condition
from data_access.reads.frames import read_frame
from data_access.reads.scope import Scope
from data_access.store.client_months import DUE, SESSIONS, homework_set_at_session
from data_access.store.engine import is_sqlite
from data_access.store.homework_days import is_current
from data_access.store.maintained_schema import ClientMonth
from data_access.store.schema import Assignment, Client, TherapySession

READ_MAINTAINED = True  # the benchmark and the tests turn it off to compare with the live read
DAY = dt.timedelta(days=1)
# Past this share of a period's days counted live at its edges, the months save no time.
MAX_LIVE_SHARE = 0.25
# Sessions of this many days or fewer are found by day, not client by client: measured on SQLite
# at 10,000 clients, a week's edge cost the admin 30 ms by client and 1 ms by day, one clinician
# 0.1 and 0.7 ms; at 15 days a team of 20 was already slower by day.
WEEK_DAYS = 7
Months = tuple[dt.date | None, dt.date | None]  # first and last whole month (None: unbounded)
Edge = tuple[dt.date, dt.date, int]  # days counted live, added (1) or taken off (-1)


def homework_due_per_client(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Per client: homework due in the period and its completion counts, by the rule every
    page uses for "completion in a period" (due in it), so the figures match Overview.

    Columns: client_id, due, completed, partial, reviewed, credit; clients with homework due.
    """
    frame = _per_client(conn, scope, DUE, _live_due)
    frame["credit"] = metrics.credit(frame["completed"], frame["partial"]).astype(float)
    return frame


def sessions_per_client(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Per client: attended sessions in the period (`attended`) and how many had homework of
    the chosen types set that day (`with_homework`, `attended_per_client`'s rule); clients
    with an attended session."""
    return _per_client(conn, scope, SESSIONS, _live_sessions)


def sessions_summed(conn: Connection, scope: Scope, by_clinician: bool = False) -> pd.DataFrame:
    """`sessions_per_client` added up in SQL, in all (one row) or per clinician with sessions
    (`clinician_id`): a headline needs the totals, and summing 10,000 clients' rows in SQL
    halved the months' read for the admin (docs/query-design.md)."""
    by = "clinician_id" if by_clinician else None

    def live(part: Scope) -> pd.DataFrame:
        per_client = attended_per_client(conn, part).subquery()
        return read_frame(_sum_by(per_client, SESSIONS, by), conn)

    frame = _combined(conn, scope, SESSIONS, live, by)
    return frame[frame["attended"] > 0].reset_index(drop=True) if by_clinician else frame


def attended_per_client(conn: Connection, scope: Scope) -> Select:
    """SELECT per client in view: attended sessions in the period (`attended`) and how many had
    homework of the chosen types set that day (`with_homework`).

    Homework-setting rate (docs/metrics.md): an attended session counts as "set" when at least one
    assignment of the chosen types for that client has `assigned_on` = the session's date.
    """
    filters = scope.filters
    client_id = TherapySession.client_id
    if is_sqlite(conn) and _within_a_week(filters.start, filters.end):
        # A week or less (a period's edge): walk those days in the (held_on, attendance) index
        # and check each session's client, instead of seeking every client in view; `+ 0`
        # keeps SQLite off the client index (docs/query-design.md).
        client_id = client_id + 0
    attended = (
        TherapySession.attendance == "attended",
        date_between(TherapySession.held_on, filters),
        scope.client_ids(client_id),
    )
    homework_set = homework_set_at_session().where(type_condition(filters))
    if is_sqlite(conn):
        # SQLite probes each client's assignments in (client_id, assigned_on) order, one index
        # seek per session; counting the sessions a second time would cost more than it saves.
        return (
            select(
                TherapySession.client_id,
                func.count().label("attended"),
                func.sum(case((homework_set, 1), else_=0)).label("with_homework"),
            )
            .where(*attended)
            .group_by(TherapySession.client_id)
        )
    # PostgreSQL keeps an EXISTS inside an expression as a probe per session (351,314 for a
    # year of the practice), but plans one in WHERE as a merge semi-join that reads both
    # (client_id, date) indexes once.
    sessions = (
        select(TherapySession.client_id, func.count().label("attended"))
        .where(*attended)
        .group_by(TherapySession.client_id)
        .subquery()
    )
    with_homework = (
        select(TherapySession.client_id, func.count().label("n"))
        .where(*attended, homework_set)
        .group_by(TherapySession.client_id)
        .subquery()
    )
    return select(
        sessions.c.client_id,
        sessions.c.attended,
        func.coalesce(with_homework.c.n, 0).label("with_homework"),
    ).join(with_homework, with_homework.c.client_id == sessions.c.client_id, isouter=True)


def _within_a_week(start: dt.date | None, end: dt.date | None) -> bool:
    """Whether [start, end] holds WEEK_DAYS days or fewer."""
    return start is not None and end is not None and (end - start).days < WEEK_DAYS


def _live_due(conn: Connection, scope: Scope) -> pd.DataFrame:
    filters = scope.filters
    query = (
        select(
            Assignment.client_id,
            func.count().label("due"),
            metrics.completed_count().label("completed"),
            metrics.partial_count().label("partial"),
            metrics.reviewed_count().label("reviewed"),
        )
        .where(
            due_in_period(filters),
            type_condition(filters),
            scope.client_ids(Assignment.client_id),
        )
        .group_by(Assignment.client_id)
    )
    return read_frame(query, conn)


def _live_sessions(conn: Connection, scope: Scope) -> pd.DataFrame:
    return read_frame(attended_per_client(conn, scope), conn)


def _per_client(
    conn: Connection,
    scope: Scope,
    columns: list[str],
    live: Callable[[Connection, Scope], pd.DataFrame],
) -> pd.DataFrame:
    """`columns` per client with a non-zero first column, by client (`_combined`)."""
    frame = _combined(conn, scope, columns, lambda part: live(conn, part), "client_id")
    return frame[frame[columns[0]] > 0].reset_index(drop=True)


def _combined(
    conn: Connection,
    scope: Scope,
    columns: list[str],
    live: Callable[[Scope], pd.DataFrame],
    by: str | None,
) -> pd.DataFrame:
    """`columns` summed by `by` (`_sum_by`) over the period: the whole months from the
    maintained table, with the edge days `live` adds or takes off (`_month_parts`); or all of
    it `live` when the months cannot answer (a type filter, a period within one month, edges
    too long, or a write's marks)."""
    filters = scope.filters
    parts = _month_parts(filters.start, filters.end)
    if not READ_MAINTAINED or filters.type_ids or parts is None or not is_current(conn):
        frames = [live(scope)]
    else:
        (first, last), edges = parts
        months = _sum_by(ClientMonth.__table__, columns, by).where(
            scope.client_ids(ClientMonth.client_id),
            true() if first is None else ClientMonth.month >= first,
            true() if last is None else ClientMonth.month <= last,
        )
        frames = [read_frame(months, conn)]
        for edge_first, edge_last, sign in edges:
            edge = live(scope.with_filters(replace(filters, start=edge_first, end=edge_last)))
            edge[columns] = edge[columns] * sign
            frames.append(edge)
    frame = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
    if by is None:
        frame = frame[columns].fillna(0).sum().to_frame().T
    else:
        frame = frame.groupby(by, as_index=False, sort=True)[columns].sum()
    frame[columns] = frame[columns].fillna(0).astype(int)
    return frame


def _sum_by(source: FromClause, columns: list[str], by: str | None) -> Select:
    """SUM of `columns` over `source` (a table or subquery with `client_id`), grouped by `by`:
    "client_id", "clinician_id" (each row's client's clinician) or None (one row)."""
    keys = {"client_id": [source.c.client_id], "clinician_id": [Client.clinician_id], None: []}
    query = select(*keys[by], *(func.sum(source.c[c]).label(c) for c in columns))
    query = query.select_from(source)
    if by == "clinician_id":
        query = query.join(Client, Client.id == source.c.client_id)
    return query.group_by(*keys[by])


def _month_after(day: dt.date) -> dt.date:
    """The first day of the month after `day`'s."""
    return (day.replace(day=1) + dt.timedelta(days=31)).replace(day=1)


def _month_parts(start: dt.date | None, end: dt.date | None) -> tuple[Months, list[Edge]] | None:
    """The calendar months to add up for the period [start, end] (None where it is open) and
    the days to count live at its edges: a partial month is either counted live over the
    period's days in it (+1), or taken whole from the table with the days outside the period
    counted live and taken off (-1), whichever reads fewer days. None when counting the whole
    period live costs about as much: it lies within one month, or the edges' days are more than
    MAX_LIVE_SHARE of it (a 12-week period ending mid-month: measured, no quicker)."""
    if start is not None and end is not None and start.replace(day=1) == end.replace(day=1):
        return None
    edges: list[Edge] = []
    first = start
    if start is not None and start.day != 1:
        month, after = start.replace(day=1), _month_after(start)
        if start - month < after - start:  # fewer days before the period than in it
            first = month
            edges.append((month, start - DAY, -1))
        else:
            first = after
            edges.append((start, after - DAY, 1))
    last = None if end is None else end.replace(day=1)
    if end is not None and _month_after(end) - DAY != end:
        month, after = end.replace(day=1), _month_after(end)
        if after - DAY - end < end - month + DAY:  # fewer days after the period than in it
            edges.append((end + DAY, after - DAY, -1))
        else:
            last = (month - DAY).replace(day=1)
            edges.append((month, end, 1))
    if first is not None and last is not None and first > last:
        return None
    live_days = sum((last_day - first_day).days + 1 for first_day, last_day, _ in edges)
    if start is not None and end is not None and live_days > MAX_LIVE_SHARE * (end - start).days:
        return None
    return (first, last), edges
