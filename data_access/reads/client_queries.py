"""Everything the client page shows about one client, each piece aggregated in SQL.

Every function takes the viewer and restricts to its scope even after `client_page` has
resolved the client through `queries.get_client`, so no path reads an unseen client's rows.
All queries filter on `client_id` first, which the per-client indexes in schema.py serve.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, case, func, select

from data_access.access.viewer import Viewer, in_scope
from data_access.reads import metrics
from data_access.reads.expected import BANDED, ExpectedResponse, expected_course
from data_access.reads.filters import Filters, date_between
from data_access.reads.flags import needs_attention
from data_access.reads.frames import read_frame
from data_access.reads.queries import client_status, get_client
from data_access.reads.scope import scope_of
from data_access.reads.scores import baseline_latest
from data_access.store.schema import SCHEDULED, Assignment, AssignmentType, Score, TherapySession
from data_access.store.sql_dates import week_start

TREND_MEASURES = ("PHQ-9", "GAD-7", "MOOD")
ROLLING_RATINGS = 7  # the rolling mean of daily ratings covers this many recorded days


def _as_dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Make date columns `datetime.date` on both dialects (SQLite can hand back strings)."""
    for column in columns:
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


@dataclass(frozen=True)
class ClientHeader:
    """The facts at the top of the page: who, whose, how long, attendance and status."""

    client_id: int
    client_code: str
    clinician: str
    intake_on: dt.date
    discharged_on: dt.date | None
    status: str
    weeks_in_treatment: int
    sessions_attended: int
    sessions_missed: int
    sessions_cancelled: int


def client_header(conn: Connection, viewer: Viewer, code: str, as_of: dt.date) -> ClientHeader:
    """Header facts for the client `code` as of `as_of`; NotInScope when the viewer may not see it.

    Weeks in treatment run from intake to discharge (or `as_of`); sessions count up to `as_of`,
    "missed" being no-shows (cancellations are counted apart).
    """
    client = get_client(conn, viewer, code)
    counts = conn.execute(
        select(
            func.coalesce(func.sum(case((TherapySession.attendance == "attended", 1), else_=0)), 0),
            func.coalesce(func.sum(case((TherapySession.attendance == "no_show", 1), else_=0)), 0),
            func.coalesce(
                func.sum(case((TherapySession.attendance == "cancelled", 1), else_=0)), 0
            ),
        ).where(
            TherapySession.client_id == client["client_id"],
            in_scope(TherapySession.client_id, viewer),
            TherapySession.held_on <= as_of,
        )
    ).one()
    discharged = client["discharged_on"]
    until = min(as_of, discharged) if discharged else as_of
    return ClientHeader(
        client_id=client["client_id"],
        client_code=client["client_code"],
        clinician=client["clinician"],
        intake_on=client["intake_on"],
        discharged_on=discharged,
        status=client_status(discharged, as_of),
        weeks_in_treatment=max(0, (until - client["intake_on"]).days // 7),
        sessions_attended=int(counts[0]),
        sessions_missed=int(counts[1]),
        sessions_cancelled=int(counts[2]),
    )


def score_series(
    conn: Connection, viewer: Viewer, client_id: int, filters: Filters
) -> pd.DataFrame:
    """Every score in the window, oldest first, with a rolling mean of the last 7 per measure.

    Columns: measure, recorded_on, value, rolling_mean.
    """
    rolling = func.avg(Score.value).over(
        partition_by=Score.measure,
        order_by=(Score.recorded_on, Score.id),
        rows=(-(ROLLING_RATINGS - 1), 0),
    )
    query = (
        select(Score.measure, Score.recorded_on, Score.value, rolling.label("rolling_mean"))
        .where(
            Score.client_id == client_id,
            in_scope(Score.client_id, viewer),
            Score.measure.in_(TREND_MEASURES),
            date_between(Score.recorded_on, filters),
        )
        .order_by(Score.measure, Score.recorded_on, Score.id)
    )
    frame = read_frame(query, conn)
    frame["rolling_mean"] = frame["rolling_mean"].astype(float)
    return _as_dates(frame, "recorded_on")


def session_dates(
    conn: Connection, viewer: Viewer, client_id: int, filters: Filters
) -> pd.DataFrame:
    """The client's recorded sessions in the window (not the booked ones), for the charts'
    session marks. Columns: held_on, attendance."""
    query = (
        select(TherapySession.held_on, TherapySession.attendance)
        .where(
            TherapySession.client_id == client_id,
            in_scope(TherapySession.client_id, viewer),
            date_between(TherapySession.held_on, filters),
            TherapySession.attendance != SCHEDULED,
        )
        .order_by(TherapySession.held_on)
    )
    return _as_dates(read_frame(query, conn), "held_on")


def _shown_status(as_of: dt.date):  # noqa: ANN202 - a SQL CASE expression
    """SQL: the status as the page shows it, with pending-and-past-due read as 'overdue'."""
    return case(
        (metrics.overdue(as_of), "overdue"),
        else_=Assignment.status,
    )


def assignment_list(
    conn: Connection, viewer: Viewer, client_id: int, filters: Filters
) -> pd.DataFrame:
    """Assignments due in the window, newest due first, with overdue shown as a status.

    Columns: assignment_id, type, category, assigned_on, due_on, status, shown_status,
    difficulty, engagement, reviewed_on, instructions.
    """
    query = (
        select(
            Assignment.id.label("assignment_id"),
            AssignmentType.name.label("type"),
            AssignmentType.category,
            Assignment.assigned_on,
            Assignment.due_on,
            Assignment.status,
            _shown_status(filters.as_of).label("shown_status"),
            Assignment.difficulty,
            Assignment.engagement,
            Assignment.reviewed_on,
            Assignment.instructions,
        )
        .join(AssignmentType, AssignmentType.id == Assignment.type_id)
        .where(
            Assignment.client_id == client_id,
            in_scope(Assignment.client_id, viewer),
            date_between(Assignment.due_on, filters),
        )
        .order_by(Assignment.due_on.desc(), Assignment.id.desc())
    )
    frame = read_frame(query, conn)
    for column in ("difficulty", "engagement"):
        frame[column] = frame[column].astype("Int64")
    return _as_dates(frame, "assigned_on", "due_on", "reviewed_on")


def _status_counts(as_of: dt.date) -> list:
    """SQL aggregates shared by the weekly and per-type figures: counts and the rate's parts."""
    overdue = metrics.overdue(as_of)
    return [
        func.count().label("set"),
        metrics.completed_count().label("completed"),
        metrics.partial_count().label("partial"),
        func.coalesce(func.sum(case((Assignment.status == "not_done", 1), else_=0)), 0).label(
            "not_done"
        ),
        func.coalesce(
            func.sum(case((and_(Assignment.status == "pending", ~overdue), 1), else_=0)), 0
        ).label("pending"),
        func.coalesce(func.sum(case((overdue, 1), else_=0)), 0).label("overdue"),
        metrics.reviewed_count().label("reviewed"),
        metrics.completion_credit().label("credit"),
    ]


COUNT_COLUMNS = ["set", "completed", "partial", "not_done", "pending", "overdue", "reviewed"]


def _finish_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Integer counts and the completion rate."""
    for column in COUNT_COLUMNS:
        frame[column] = frame[column].astype(int)
    frame["credit"] = frame["credit"].astype(float)
    return metrics.add_completion_rate(frame)


def weekly_completion(
    conn: Connection, viewer: Viewer, client_id: int, filters: Filters
) -> pd.DataFrame:
    """Per due week: counts by status, the week's rate, and the course-to-date rate.

    Columns: week, set, completed, partial, not_done, pending, overdue, reviewed, credit,
    completion_rate, cum_reviewed, cum_credit, cum_rate.
    """
    weekly = (
        select(Assignment.due_week.label("week"), *_status_counts(filters.as_of))
        .where(
            Assignment.client_id == client_id,
            in_scope(Assignment.client_id, viewer),
            date_between(Assignment.due_on, filters),
        )
        .group_by(Assignment.due_week)
        .subquery()
    )
    to_date = {"order_by": weekly.c.week, "rows": (None, 0)}
    query = select(
        weekly,
        func.sum(weekly.c.reviewed).over(**to_date).label("cum_reviewed"),
        func.sum(weekly.c.credit).over(**to_date).label("cum_credit"),
    ).order_by(weekly.c.week)
    frame = _finish_counts(read_frame(query, conn))
    frame["cum_reviewed"] = frame["cum_reviewed"].astype(int)
    frame["cum_credit"] = frame["cum_credit"].astype(float)
    reviewed = frame["cum_reviewed"].astype(float)
    frame["cum_rate"] = frame["cum_credit"] / reviewed.where(reviewed > 0)
    return _as_dates(frame, "week")


def type_mix(conn: Connection, viewer: Viewer, client_id: int, filters: Filters) -> pd.DataFrame:
    """Per assignment type set to this client: counts by status and its completion rate.

    Columns: type, set, completed, partial, not_done, pending, overdue, reviewed, credit,
    completion_rate; most often set first.
    """
    query = (
        select(AssignmentType.name.label("type"), *_status_counts(filters.as_of))
        .join(AssignmentType, AssignmentType.id == Assignment.type_id)
        .where(
            Assignment.client_id == client_id,
            in_scope(Assignment.client_id, viewer),
            date_between(Assignment.due_on, filters),
        )
        .group_by(AssignmentType.name)
        .order_by(func.count().desc(), AssignmentType.name)
    )
    return _finish_counts(read_frame(query, conn))


def weekly_scores(
    conn: Connection, viewer: Viewer, client_id: int, filters: Filters
) -> pd.DataFrame:
    """Per week and measure: the mean score and its change since the previous scored week.

    `change` is signed so that positive means better (metrics.signed_change).
    Columns: week, measure, mean_score, n_scores, previous_mean, change.
    """
    week = week_start(Score.recorded_on)
    means = (
        select(
            week.label("week"),
            Score.measure,
            func.avg(Score.value).label("mean_score"),
            func.count().label("n_scores"),
        )
        .where(
            Score.client_id == client_id,
            in_scope(Score.client_id, viewer),
            Score.measure.in_(TREND_MEASURES),
            date_between(Score.recorded_on, filters),
        )
        .group_by(week, Score.measure)
        .subquery()
    )
    previous = func.lag(means.c.mean_score).over(
        partition_by=means.c.measure, order_by=means.c.week
    )
    query = select(means, previous.label("previous_mean")).order_by(means.c.week, means.c.measure)
    frame = read_frame(query, conn)
    frame["mean_score"] = frame["mean_score"].astype(float)
    frame["previous_mean"] = frame["previous_mean"].astype(float)
    frame["n_scores"] = frame["n_scores"].astype(int)
    frame["change"] = [
        np.nan if np.isnan(before) else metrics.signed_change(measure, before, now)
        for measure, before, now in zip(
            frame["measure"], frame["previous_mean"], frame["mean_score"], strict=True
        )
    ]
    return _as_dates(frame, "week")


def homework_and_scores(weekly: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Weekly homework beside the weekly change of each measure, one row per week.

    Joins two frames already aggregated in SQL. Columns: week, set, reviewed, credit,
    completion_rate, then `<measure> change` for each measure with scores.
    """
    homework = weekly[["week", "set", "reviewed", "credit", "completion_rate"]]
    changes = scores.pivot_table(index="week", columns="measure", values="change", dropna=False)
    changes.columns = [f"{measure} change" for measure in changes.columns]
    joined = homework.merge(changes.reset_index(), on="week", how="outer").sort_values("week")
    for column in ("set", "reviewed"):
        joined[column] = joined[column].fillna(0).astype(int)
    joined["credit"] = joined["credit"].fillna(0.0)
    return joined.reset_index(drop=True)


def headline_outcomes(
    conn: Connection, viewer: Viewer, client_id: int, filters: Filters
) -> pd.DataFrame:
    """Baseline, latest, change and the verdict's code for each measure with a score.

    Uses scores.baseline_latest and metrics.outcome. With one score there is no change yet.
    Columns: measure, baseline, latest, baseline_on, latest_on, n_scores, change, verdict.
    """
    scope = scope_of(conn, viewer, filters)
    pairs = baseline_latest(conn, scope, TREND_MEASURES, client_ids=[client_id])
    rows = []
    for row in pairs.itertuples():
        if row.n_scores < 2:
            change, verdict = np.nan, "one_score"
        else:
            result = metrics.outcome(row.measure, row.baseline, row.latest)
            change, verdict = result.change, result.verdict
        rows.append(
            {
                "measure": row.measure,
                "baseline": int(row.baseline),
                "latest": int(row.latest),
                "baseline_on": row.baseline_on,
                "latest_on": row.latest_on,
                "n_scores": int(row.n_scores),
                "change": float(change),
                "verdict": verdict,
            }
        )
    columns = [
        "measure", "baseline", "latest", "baseline_on", "latest_on", "n_scores", "change",
        "verdict",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def client_flags(conn: Connection, viewer: Viewer, client_id: int, as_of: dt.date) -> pd.DataFrame:
    """The needs-attention flags raised for this client today. Columns: flag, reviewed, facts
    (flags.needs_attention's)."""
    frame = needs_attention(conn, viewer, Filters(today=as_of), client_ids=[client_id])
    return frame[["flag", "reviewed", "facts"]].reset_index(drop=True)


@dataclass(frozen=True)
class ClientPage:
    """Everything the client page draws, read in one go (so one cache entry holds it)."""

    header: ClientHeader
    flags: pd.DataFrame
    headlines: pd.DataFrame
    scores: pd.DataFrame
    sessions: pd.DataFrame
    assignments: pd.DataFrame
    weekly: pd.DataFrame
    types: pd.DataFrame
    homework_scores: pd.DataFrame
    homework_rate: float | None  # completion over the whole view (None: nothing reviewed)
    homework_reviewed: int
    expected: pd.DataFrame  # expected.expected_course: this client's expected band by week
    no_band: list[ExpectedResponse]  # measures with too little history for an expected band


def client_page(conn: Connection, viewer: Viewer, code: str, filters: Filters) -> ClientPage:
    """All of the client page's data for `code`; NotInScope when the viewer may not see it."""
    header = client_header(conn, viewer, code, filters.as_of)
    cid = header.client_id
    weekly = weekly_completion(conn, viewer, cid, filters)
    reviewed = int(weekly["reviewed"].sum())
    rate = metrics.completion_rate(
        int(weekly["completed"].sum()), int(weekly["partial"].sum()), reviewed
    )
    whole_course = Filters(end=filters.as_of, today=filters.as_of)
    firsts = baseline_latest(conn, scope_of(conn, viewer, whole_course), BANDED, client_ids=[cid])
    course, no_band = expected_course(conn, firsts)
    return ClientPage(
        header=header,
        flags=client_flags(conn, viewer, cid, filters.as_of),
        headlines=headline_outcomes(conn, viewer, cid, filters),
        scores=score_series(conn, viewer, cid, filters),
        sessions=session_dates(conn, viewer, cid, filters),
        assignments=assignment_list(conn, viewer, cid, filters),
        weekly=weekly,
        types=type_mix(conn, viewer, cid, filters),
        homework_scores=homework_and_scores(weekly, weekly_scores(conn, viewer, cid, filters)),
        homework_rate=rate,
        homework_reviewed=reviewed,
        expected=course,
        no_band=no_band,
    )
