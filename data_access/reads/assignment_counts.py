"""Homework due in a period, counted by clinician, week, type, difficulty or days allowed.

What "in the period" means (docs/overview-caseload.md): completion over assignments *due* in
the period (`due_on`), weekly figures by the Monday of the due date (`due_week`, indexed).
Whole weeks are read from the maintained counts (`data_access/store/aggregates.py`); the weeks
the period or "today" cut through are counted from the assignments themselves, and so are
the clients not active, taken off for an active-clients view. Both give the same numbers
(docs/metrics.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    func,
    select,
    true,
)

from data_access.reads import metrics
from data_access.reads.filters import Filters, is_active, type_condition
from data_access.reads.frames import read_frame
from data_access.reads.scope import Scope
from data_access.store.aggregates import mix_keys
from data_access.store.days_allowed import days_allowed
from data_access.store.maintained_schema import (
    AggregateStale,
    HomeworkCount,
    HomeworkMixCount,
    HomeworkWeekCount,
)
from data_access.store.schema import Assignment, Client, monday_of

COUNT_COLUMNS = ["assignments", "completed", "partial", "reviewed", "credit", "overdue"]
MIX_KEYS = ("difficulty", "days_allowed")  # held practice-wide only, in homework_mix_counts
# Read whole weeks from the maintained counts; `make bench` turns it off to time the live way.
READ_MAINTAINED = True
SUNDAY = dt.timedelta(days=6)  # a week's last day, from its Monday


def due_in_period(filters: Filters) -> ColumnElement[bool]:
    """Assignments due in the period: the one rule for "completion in a period" on every page."""
    return due_in(filters)


def due_in(
    filters: Filters, whole_weeks: bool = False, per_client: bool = True
) -> ColumnElement[bool]:
    """Assignments due in the period; `whole_weeks` widens it to the weeks (Mondays) it touches.

    The `due_week` range lets the database walk the (due_week, status, type_id, client_id, …)
    index; the `due_on` range (the same weeks' days, with `whole_weeks`) lets it walk
    (client_id, due_on) per client instead, reading only the period of each client. For whole
    weeks the `due_on` range says nothing new, so without `per_client` it is left out: SQLite
    then walks the weeks for a team or the practice instead of seeking thousands of clients
    one by one.
    """
    conditions: list[ColumnElement[bool]] = []
    keep_days = per_client or not whole_weeks
    if filters.start:
        first = monday_of(filters.start)
        conditions.append(Assignment.due_week >= first)
        if keep_days:
            conditions.append(Assignment.due_on >= (first if whole_weeks else filters.start))
    if filters.end:
        last = monday_of(filters.end) + dt.timedelta(days=6)
        conditions.append(Assignment.due_week <= filters.end)
        if keep_days:
            conditions.append(Assignment.due_on <= (last if whole_weeks else filters.end))
    return and_(true(), *conditions)


def _by_status(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Turn rows per (`by`…, status) with `n` and `overdue` into one row per `by` group with
    COUNT_COLUMNS and the completion rate, ordered by `by`.

    Grouping by status in SQL and pivoting the few rows here is half the work per assignment
    of summing a CASE expression per count over a year of assignments.
    """
    keys = list(by)
    n = frame["n"].fillna(0).astype(int)
    status = frame["status"]
    parts = pd.DataFrame(
        {
            "assignments": n,
            "completed": n.where(status == "completed", 0),
            "partial": n.where(status == "partial", 0),
            "reviewed": n.where(status != "pending", 0),
            "overdue": frame["overdue"].fillna(0).astype(int),
        }
    )
    if keys:
        parts[keys] = frame[keys]
        summed = parts.groupby(keys, dropna=False, sort=True).sum().reset_index()
        summed = summed[summed["assignments"] != 0].reset_index(drop=True)  # all not active
    else:
        summed = parts.sum().to_frame().T
    counts = ["assignments", "completed", "partial", "reviewed", "overdue"]
    summed[counts] = summed[counts].astype(int)
    summed["credit"] = metrics.credit(summed["completed"], summed["partial"])
    summed = metrics.add_completion_rate(summed)
    return summed[[*keys, *COUNT_COLUMNS, "completion_rate"]]


def assignment_counts(
    conn: Connection,
    scope: Scope,
    by: Sequence[str] = (),
    whole_weeks: bool = False,
    maintained: bool | None = None,
) -> pd.DataFrame:
    """Assignments due in the period, grouped by any of clinician_id, due_week, type_id,
    difficulty, days_allowed: counts of all, completed, partial, reviewed, overdue, the credit
    and the completion rate.

    Read from the maintained counts where they answer the question exactly (`maintained_rows`),
    else (or with `maintained` False; None means READ_MAINTAINED) from the assignments
    themselves (`live_rows`).
    """
    if maintained is None:
        maintained = READ_MAINTAINED
    rows = maintained_rows(conn, scope, by, whole_weeks) if maintained else None
    if rows is None:
        rows = live_rows(conn, scope, by, whole_weeks)
    frame = _by_status(rows, by)
    if "due_week" in frame:
        frame["due_week"] = pd.to_datetime(frame["due_week"]).dt.date
    return frame


def live_rows(conn: Connection, scope: Scope, by: Sequence[str], whole_weeks: bool) -> pd.DataFrame:
    """Rows per (`by`…, status) with `n` and `overdue`, counted from `assignments`.

    SQL groups by the keys and status. Per clinician within a period, the join walks each
    client's due dates; with no start date each client's assignments are summed first (in
    (client_id, status) index order) and then per owner, so a million assignments are not each
    joined to their client.
    """
    filters = scope.filters
    keys: dict[str, ColumnElement] = {
        "due_week": Assignment.due_week,
        "type_id": Assignment.type_id,
        "difficulty": Assignment.difficulty,
        "days_allowed": days_allowed(conn),
    }
    # Totals are summed from weekly rows: grouped by status alone, SQLite chose the (status,
    # due_on) index over the (due_week, status, …) one and read every row.
    own = [name for name in by if name != "clinician_id"] if by else ["due_week"]
    per_client = "clinician_id" in by and filters.start is None
    owner = [Client.clinician_id] if "clinician_id" in by and not per_client else []
    one_caseload = scope.viewer.role == "clinician" or bool(filters.clinician_ids)
    grouped = [
        *([Assignment.client_id] if per_client else owner),
        *(keys[name].label(name) for name in own),
        Assignment.status,
    ]
    overdue = func.sum(case((metrics.overdue(filters.as_of), 1), else_=0))
    query = (
        select(*grouped, func.count().label("n"), overdue.label("overdue"))
        .select_from(Assignment)
        .where(
            due_in(filters, whole_weeks, per_client=bool(owner) or one_caseload),
            type_condition(filters),
            scope.client_ids(Assignment.client_id),
        )
        .group_by(*grouped)
    )
    if owner:
        query = query.join(Client, Client.id == Assignment.client_id)
    if per_client:
        inner = query.subquery()
        columns = [Client.clinician_id, *(inner.c[name] for name in own), inner.c.status]
        query = (
            select(
                *columns,
                func.sum(inner.c.n).label("n"),
                func.sum(inner.c.overdue).label("overdue"),
            )
            .join(Client, Client.id == inner.c.client_id)
            .group_by(*columns)
        )
    return read_frame(query, conn)


def is_current(conn: Connection) -> bool:
    """True when every write's touched keys have been recomputed; a write that bypassed
    `engine.write` leaves marks, and until the next write the live tables are read instead."""
    return conn.execute(select(AggregateStale.clinician_id).limit(1)).first() is None


def _split_weeks(filters: Filters, whole_weeks: bool) -> tuple[set[dt.date], list[Filters]]:
    """The weeks (Mondays) the maintained counts cannot answer, and each as filters of its own:
    a week the start or end cuts through, and the week of "today", where overdue depends on
    the day."""
    first = monday_of(filters.start) if filters.start else None
    last = monday_of(filters.end) if filters.end else None
    cut = set()
    if not whole_weeks:
        if first and filters.start != first:
            cut.add(first)
        if last and filters.end != last + SUNDAY:
            cut.add(last)
    today = monday_of(filters.as_of)
    if (first is None or first <= today) and (last is None or today <= last):
        cut.add(today)
    edges = []
    for week in sorted(cut):
        start, end = week, week + SUNDAY
        if not whole_weeks:
            start = max(start, filters.start or start)
            end = min(end, filters.end or end)
        edges.append(replace(filters, start=start, end=end))
    return cut, edges


def maintained_rows(
    conn: Connection, scope: Scope, by: Sequence[str], whole_weeks: bool
) -> pd.DataFrame | None:
    """Rows per (`by`…, status) with `n` and `overdue`, summed from the maintained counts (the
    practice-wide ones when the view is the whole practice and not per clinician), or None when
    they cannot answer: the discharged clients alone, difficulty or days allowed for less than
    the whole practice, or unrecomputed marks.

    For the clients active today (the pages' default) the week counts' rows of clients without
    a discharge date are read where they answer (`_counts_table`); else the rows of the clients
    not active are counted live and taken off: a few seeks per such client."""
    filters = scope.filters
    everyone = scope.with_filters(replace(filters, client_status="all"))
    practice_wide = everyone.sees_everyone and "clinician_id" not in by
    if filters.client_status not in ("all", "active") or not is_current(conn):
        return None
    if any(key in MIX_KEYS for key in by) and not practice_wide:
        return None
    if not practice_wide and filters.start is None:
        return None  # every week per clinician: the live per-client sums read less (make bench)
    cut, edges = _split_weeks(filters, whole_weeks)
    frames = [live_rows(conn, scope.with_filters(edge), by, whole_weeks=False) for edge in edges]
    table, active_only = _counts_table(conn, practice_wide, by, filters)
    frames.append(_summed(conn, everyone, by, table, cut, active_only))
    if filters.client_status == "active" and not active_only:
        frames.append(_not_active(conn, everyone, by, cut))
    frame = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
    if "difficulty" in frame:
        difficulty = frame["difficulty"].astype(float)
        frame["difficulty"] = difficulty.where(difficulty > 0)  # 0 stands for "not rated"
    return frame


def _counts_table(
    conn: Connection, practice_wide: bool, by: Sequence[str], filters: Filters
) -> tuple[type[HomeworkCount] | type[HomeworkMixCount] | type[HomeworkWeekCount], bool]:
    """The maintained counts with the fewest rows to read for the figures asked for, and
    whether they hold the active clients' apart.

    With no type chosen or asked for, and no client admitted or discharged after the as-of
    day, the clients active on it are those without a discharge date, which the week counts
    keep apart (a few thousand rows a week): nothing is counted live to take the others off.
    Otherwise the practice's mix counts (a few hundred rows a week) or, per clinician, the
    week counts or, for types, `homework_counts` (three times the week counts' rows)."""
    by_type = bool(filters.type_ids) or any(key in ("type_id", *MIX_KEYS) for key in by)
    if not by_type and filters.client_status == "active" and _settled_by(conn, filters.as_of):
        return HomeworkWeekCount, True
    if practice_wide:
        return HomeworkMixCount, False
    return (HomeworkCount if by_type else HomeworkWeekCount), False


def _settled_by(conn: Connection, as_of: dt.date) -> bool:
    """True when every client was admitted, and every discharged one discharged, by `as_of`."""
    latest = conn.execute(select(func.max(Client.intake_on), func.max(Client.discharged_on))).one()
    return all(day is None or day <= as_of for day in latest)


def _late(
    status: ColumnElement[str], due_week: ColumnElement[dt.date], as_of: dt.date
) -> ColumnElement[bool]:
    """Overdue, for a week wholly before or after the as-of day's (today's week is read live):
    every pending assignment of a week before it, none after."""
    return and_(status == "pending", due_week < monday_of(as_of))


def _not_active(
    conn: Connection, everyone: Scope, by: Sequence[str], cut: set[dt.date]
) -> pd.DataFrame:
    """What `_summed` counts for the clients not active on the as-of day, with `n` and `overdue`
    negated, keyed as the maintained counts are (unrated difficulty 0, days allowed by bucket).

    Most of a practice's clients are discharged, with few assignments in a recent period: the
    database lists them, then seeks each one's (client_id, due_on) index entries in the period
    (`client_id IN (…)`; joined to `clients`, SQLite read every assignment of the period)."""
    filters = everyone.filters
    clinician = select(Client.clinician_id).where(Client.id == Assignment.client_id)
    keys = {"clinician_id": clinician.scalar_subquery(), **mix_keys(conn)}
    grouped = [*(keys[name].label(name) for name in by), Assignment.status]
    not_active = select(Client.id).where(
        everyone.clinicians(Client.clinician_id), ~is_active(filters.as_of)
    )
    conditions = [
        Assignment.client_id.in_(not_active),
        Assignment.due_week.not_in(sorted(cut)),
        type_condition(filters),
    ]
    if filters.start:
        first = monday_of(filters.start)
        conditions += [Assignment.due_week >= first, Assignment.due_on >= first]
    if filters.end:
        last = monday_of(filters.end)
        conditions += [Assignment.due_week <= last, Assignment.due_on <= last + SUNDAY]
    late = _late(Assignment.status, Assignment.due_week, filters.as_of)
    query = (
        select(
            *grouped,
            (-func.count()).label("n"),
            (-func.sum(case((late, 1), else_=0))).label("overdue"),
        )
        .where(*conditions)
        .group_by(*grouped)
    )
    return read_frame(query, conn)


def _summed(
    conn: Connection,
    scope: Scope,
    by: Sequence[str],
    table: type[HomeworkCount] | type[HomeworkMixCount] | type[HomeworkWeekCount],
    cut: set[dt.date],
    active_only: bool = False,
) -> pd.DataFrame:
    """Sum `table`'s counts over the period's weeks but the `cut` ones, by `by` and status
    (`active_only`: the week counts of clients without a discharge date).

    Today's week is cut, so each week left lies wholly before or after today (`_late`)."""
    filters = scope.filters
    conditions: list[ColumnElement[bool]] = [table.due_week.not_in(sorted(cut))]
    if filters.start:
        conditions.append(table.due_week >= monday_of(filters.start))
    if filters.end:
        conditions.append(table.due_week <= filters.end)
    if filters.type_ids:
        conditions.append(table.type_id.in_(filters.type_ids))
    if table is not HomeworkMixCount:
        conditions.append(scope.clinicians(table.clinician_id))
    if active_only:
        conditions.append(HomeworkWeekCount.discharged == 0)
    keys = [getattr(table, name).label(name) for name in by]
    late = _late(table.status, table.due_week, filters.as_of)
    query = (
        select(
            *keys,
            table.status,
            func.sum(table.n).label("n"),
            func.sum(case((late, table.n), else_=0)).label("overdue"),
        )
        .where(*conditions)
        .group_by(*keys, table.status)
    )
    return read_frame(query, conn)
