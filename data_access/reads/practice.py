"""Practice-wide figures the pages share, aggregated in SQL: sessions and the homework-setting
rate, clients active in a period, assignments set, reliable improvement per client.

What "in the period" means (docs/overview-caseload.md): sessions by `held_on`, assignments
set by `assigned_on`. Every query is restricted to the viewer's clients and the filters;
results are small grouped frames, never whole tables. Homework due in a period is counted in
`assignment_counts`; the overview and caseload pages are put together in `overview` and
`caseload`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

import pandas as pd
from sqlalchemy import ColumnElement, Connection, and_, case, func, or_, select

from data_access.reads import metrics
from data_access.reads.client_periods import sessions_summed
from data_access.reads.filters import Filters, date_between, type_condition
from data_access.reads.frames import read_frame
from data_access.reads.scope import Scope
from data_access.reads.scores import paired, window_pairs, window_pairs_select
from data_access.store.schema import Assignment, Client, monday_of

OUTCOME_MEASURES = ("PHQ-9", "GAD-7")


def previous_period(filters: Filters) -> Filters | None:
    """The same filters over the equally long period that ends the day before `start`.

    "Today" moves to that period's last day, so active status and flags read as they did then.
    """
    if filters.start is None or filters.end is None:
        return None
    end = filters.start - dt.timedelta(days=1)
    start = end - (filters.end - filters.start)
    return replace(filters, start=start, end=end, today=min(end, filters.as_of))


def session_counts(conn: Connection, scope: Scope, by_clinician: bool = False) -> pd.DataFrame:
    """Attended sessions in the period and how many had homework set that day, in all or per
    clinician (only those with sessions): `client_periods.sessions_summed`, with the
    homework-setting rate."""
    frame = sessions_summed(conn, scope, by_clinician)
    attended = frame["attended"].astype(float)
    frame["setting_rate"] = frame["with_homework"] / attended.where(attended > 0)
    return frame


def active_in_period(scope: Scope) -> ColumnElement[bool]:
    """Condition on `Client`: in scope, in the filters, and in treatment some day of the period."""
    filters = scope.filters
    conditions = [scope.clients()]
    if filters.end:
        conditions.append(Client.intake_on <= filters.end)
    if filters.start:
        conditions.append(
            or_(Client.discharged_on.is_(None), Client.discharged_on >= filters.start)
        )
    return and_(*conditions)


def active_clients(conn: Connection, scope: Scope, by_clinician: bool = False) -> pd.DataFrame:
    """Clients in treatment on at least one day of the period (column `active_clients`)."""
    query = select(
        *([Client.clinician_id] if by_clinician else []), func.count().label("active_clients")
    ).where(active_in_period(scope))
    if by_clinician:
        query = query.group_by(Client.clinician_id)
    return read_frame(query, conn)


def assignments_set(conn: Connection, scope: Scope) -> int:
    """Assignments of the chosen types set (assigned_on) in the period."""
    filters = scope.filters
    conditions = [date_between(Assignment.assigned_on, filters)]
    if filters.start:  # due_on >= assigned_on: lets the due_week index narrow the scan
        conditions.append(Assignment.due_week >= monday_of(filters.start))
    query = select(func.count()).where(
        *conditions, type_condition(filters), scope.client_ids(Assignment.client_id)
    )
    return int(conn.execute(query).scalar_one())


def outcome_counts(conn: Connection, scope: Scope, by_clinician: bool = False) -> pd.DataFrame:
    """How many clients `client_outcomes` lists (`outcome_clients`), and how many of them
    reliably improved by its paired rule (`improved_clients`), in all or per clinician (only
    clinicians with such clients).

    Counted in SQL over the window's pairs (`scores.window_pairs_select`) with
    `metrics.reliable_change_sql`: the overview's headline and the caseload table need only
    the counts, not a row per client fetched and classified in pandas.
    """
    pairs = window_pairs_select(conn, scope, OUTCOME_MEASURES, None).subquery()
    improved, deteriorated = metrics.reliable_change_sql(
        pairs.c.measure, pairs.c.baseline, pairs.c.latest
    )
    per_client = (
        select(
            pairs.c.clinician_id,
            func.max(improved).label("improved"),
            func.max(deteriorated).label("deteriorated"),
        )
        .where(pairs.c.baseline_on != pairs.c.latest_on)  # two or more scores: scores.paired
        .group_by(pairs.c.client_id, pairs.c.clinician_id)
        .subquery()
    )
    only_improved = and_(per_client.c.improved == 1, per_client.c.deteriorated == 0)
    counts = [
        func.count().label("outcome_clients"),
        func.coalesce(func.sum(case((only_improved, 1), else_=0)), 0).label("improved_clients"),
    ]
    if by_clinician:
        query = select(per_client.c.clinician_id, *counts).group_by(per_client.c.clinician_id)
    else:
        query = select(*counts)
    frame = read_frame(query, conn)
    for column in ("outcome_clients", "improved_clients"):
        frame[column] = frame[column].astype(int)
    return frame


def client_outcomes(
    conn: Connection, scope: Scope, client_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """PHQ-9/GAD-7 outcome per client with two or more scores on either in the period.

    A client is reliably improved when either measure reliably improved and neither reliably
    deteriorated: the paired rule of docs/metrics.md, applied to whichever of the two they were
    scored on.
    Columns: client_id, clinician_id, improved, deteriorated, phq_change, gad_change.
    """
    columns = ["client_id", "clinician_id", "improved", "deteriorated", "phq_change", "gad_change"]
    pairs = window_pairs(conn, scope, OUTCOME_MEASURES, client_ids, counted=False)
    pairs = pairs[paired(pairs)]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    classified = metrics.classify_outcomes(pairs)
    grouped = classified.groupby(["client_id", "clinician_id"])
    per_client = grouped.agg(
        improved=("reliable_improvement", "any"), deteriorated=("reliable_deterioration", "any")
    )
    per_client["improved"] &= ~per_client["deteriorated"]
    changes = classified.pivot_table(
        index=["client_id", "clinician_id"], columns="measure", values="change", aggfunc="first"
    ).reindex(columns=list(OUTCOME_MEASURES))
    per_client["phq_change"] = changes["PHQ-9"]
    per_client["gad_change"] = changes["GAD-7"]
    return per_client.reset_index()[columns]
