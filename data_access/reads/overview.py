"""The overview page's figures: headline counts for a period and the one before, completion per
week, and the homework mix by type, difficulty and days allowed (docs/overview-caseload.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from data_access.access.viewer import Viewer
from data_access.reads import metrics
from data_access.reads.assignment_counts import COUNT_COLUMNS, assignment_counts
from data_access.reads.filters import Filters
from data_access.reads.practice import (
    active_clients,
    assignments_set,
    outcome_counts,
    previous_period,
    session_counts,
)
from data_access.reads.queries import assignment_types
from data_access.reads.scope import Scope, scope_of
from data_access.store.days_allowed import DAYS_ALLOWED_BUCKETS


@dataclass(frozen=True)
class PeriodSummary:
    """The overview's headline figures for one period, each with the counts behind it."""

    start: dt.date | None
    end: dt.date | None
    active_clients: int
    sessions_attended: int
    sessions_with_homework: int
    assignments_set: int
    assignments_due: int
    completed: int
    partial: int
    reviewed: int
    outcome_clients: int
    improved_clients: int
    # Clients needing attention on the period's last day: as of one day, not of the period, so
    # the page reads it apart (`flags.flagged_on`, cached on Filters.on_the_day) and sets it here.
    flagged_clients: int | None = None

    @property
    def setting_rate(self) -> float | None:
        """Share of attended sessions at which homework was set (None without sessions)."""
        return (
            self.sessions_with_homework / self.sessions_attended if self.sessions_attended else None
        )

    @property
    def completion_rate(self) -> float | None:
        return metrics.completion_rate(self.completed, self.partial, self.reviewed)

    @property
    def improved_share(self) -> float | None:
        """Share of clients with outcome scores who reliably improved (None without any)."""
        return self.improved_clients / self.outcome_clients if self.outcome_clients else None


def period_summary(
    conn: Connection, scope: Scope, due: pd.DataFrame | None = None
) -> PeriodSummary:
    """The headline figures for the filters' period (the flagged count apart: see PeriodSummary).

    `due` may pass in this period's assignment counts grouped any way (e.g. the mix's), so
    the assignments are not counted twice.
    """
    filters = scope.filters
    sessions = session_counts(conn, scope).iloc[0]
    if due is None:
        due = assignment_counts(conn, scope)
    totals = due[COUNT_COLUMNS].sum()
    outcomes = outcome_counts(conn, scope).iloc[0]
    return PeriodSummary(
        start=filters.start,
        end=filters.end,
        active_clients=int(active_clients(conn, scope)["active_clients"].iloc[0]),
        sessions_attended=int(sessions["attended"]),
        sessions_with_homework=int(sessions["with_homework"]),
        assignments_set=assignments_set(conn, scope),
        assignments_due=int(totals["assignments"]),
        completed=int(totals["completed"]),
        partial=int(totals["partial"]),
        reviewed=int(totals["reviewed"]),
        outcome_clients=int(outcomes["outcome_clients"]),
        improved_clients=int(outcomes["improved_clients"]),
    )


def weekly_completion(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Completion per due week (Monday) over the weeks the period touches, with reviewed N.

    Columns: due_week, assignments, completed, partial, reviewed, credit, overdue,
    completion_rate (NaN where none was reviewed).
    """
    return assignment_counts(conn, scope, by=("due_week",), whole_weeks=True)


def _bucket_days(days: pd.Series) -> pd.Series:
    """Each days-allowed value's DAYS_ALLOWED_BUCKETS bucket, named by its first day."""
    firsts = np.full(len(days), DAYS_ALLOWED_BUCKETS[-1][0], dtype=int)
    for first, last in reversed(DAYS_ALLOWED_BUCKETS):
        upper = np.inf if last is None else last
        firsts[(days >= first).to_numpy() & (days <= upper).to_numpy()] = first
    return pd.Series(firsts, index=days.index)


def _sum_by(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Re-aggregate a grouped count frame by one of its keys (small frames only)."""
    summed = frame.groupby(key, dropna=False, sort=True)[COUNT_COLUMNS].sum().reset_index()
    return metrics.add_completion_rate(summed)


@dataclass(frozen=True)
class HomeworkMix:
    """Assignments due in the period by type, by difficulty and by days allowed until due."""

    by_type: pd.DataFrame  # type, category, assignments, share, reviewed, credit, completion_rate
    by_difficulty: pd.DataFrame  # difficulty (1..5, None: not rated), counts, completion_rate
    by_days: pd.DataFrame  # days_allowed (bucket's first day), counts, completion_rate


def _mix_counts(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Assignments due in the period grouped by type, difficulty and days allowed."""
    return assignment_counts(conn, scope, by=("type_id", "difficulty", "days_allowed"))


def _mix_from(conn: Connection, grouped: pd.DataFrame) -> HomeworkMix:
    """Re-sum the (type, difficulty, days allowed) counts by each of the three."""
    grouped = grouped.copy()
    catalogue = assignment_types(conn)
    by_type = _sum_by(grouped, "type_id").merge(catalogue, on="type_id", how="left")
    total = by_type["assignments"].sum()
    by_type["share"] = by_type["assignments"] / total if total else np.nan
    by_type = by_type.rename(columns={"name": "type"}).sort_values(
        "assignments", ascending=False, ignore_index=True
    )
    by_difficulty = _sum_by(grouped, "difficulty")
    by_difficulty["difficulty"] = pd.Series(
        [None if pd.isna(d) else int(d) for d in by_difficulty["difficulty"]], dtype=object
    )
    grouped["days_allowed"] = _bucket_days(grouped["days_allowed"].astype(float))
    order = [first for first, _ in DAYS_ALLOWED_BUCKETS]
    by_days = (
        _sum_by(grouped, "days_allowed")
        .set_index("days_allowed")
        .reindex(order)
        .dropna(how="all")
        .reset_index()
    )
    return HomeworkMix(by_type=by_type, by_difficulty=by_difficulty, by_days=by_days)


@dataclass(frozen=True)
class OverviewData:
    """Everything the overview page shows, for one viewer and one set of filters."""

    current: PeriodSummary
    previous: PeriodSummary | None
    weekly: pd.DataFrame
    mix: HomeworkMix


def overview_data(conn: Connection, viewer: Viewer, filters: Filters) -> OverviewData:
    """The overview page's figures: headline now and in the previous period, weekly, mix.

    The viewer's scope is resolved once for both periods. One after the other on one
    connection: a worker thread for the previous period saved a tenth of a second on a quiet
    server but cost a quarter more CPU, which a crowd pays in waiting (docs/performance.md).
    """
    scope = scope_of(conn, viewer, filters)
    before = previous_period(filters)
    grouped = _mix_counts(conn, scope)
    return OverviewData(
        current=period_summary(conn, scope, due=grouped),
        previous=period_summary(conn, scope.with_filters(before)) if before else None,
        weekly=weekly_completion(conn, scope),
        mix=_mix_from(conn, grouped),
    )
