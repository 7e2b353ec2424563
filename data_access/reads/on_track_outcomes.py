"""What became of clients flagged not on track early (docs/metrics.md, "Early warning").

Both tables follow clients from their first PHQ-9 or GAD-7 score: *flagged* when a score in
weeks 3-4 after it is worse than the expected band's unfavourable edge (expected.py), and
judged by their last score after week 4. How well the flag predicts compares flagged and
unflagged closed episodes; outcome by homework compares flagged clients by how much of the
homework set after the flag they did. Numbers only; both are associations, not causes.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    Date,
    Integer,
    and_,
    cast,
    func,
    literal,
    or_,
    select,
    union,
)
from statsmodels.stats.proportion import proportion_confint

from data_access.access.viewer import Viewer, client_scope
from data_access.reads import metrics, scores
from data_access.reads.expected import expected_response
from data_access.reads.frames import read_frame
from data_access.reads.insight import mean_with_interval
from data_access.reads.outcomes import BAND_STARTS, completion_band
from data_access.store import score_spans
from data_access.store.maintained_schema import ScoreSpan
from data_access.store.schema import MEASURES, Assignment, Client, Score
from data_access.store.sql_dates import days_after

ALERT_WEEKS = (3, 4)
# alert_accuracy's groups: flagged not on track by week 4, and not (dashboard/ names them)
ALERT_GROUPS = ("flagged", "not_flagged")
COURSE_COLUMNS = ["client_id", "flagged", "flagged_day", "last_day", "change", "improved"]
EPOCH = dt.date(1970, 1, 1)
BAND_COLUMNS = [
    "band", "n", "mean", "ci_low", "ci_high", "ri_count", "ri_rate", "ri_low", "ri_high",
    "too_few",
]  # fmt: skip


def day_number(conn: Connection, column: ColumnElement[dt.date]) -> ColumnElement[int]:
    """SQL: days from 1970-01-01 to `column`, so large reads carry integers, not dates."""
    if conn.dialect.name == "sqlite":
        return cast(func.julianday(column) - func.julianday(EPOCH.isoformat()), Integer)
    return column - literal(EPOCH, Date)


def _spans(conn: Connection, viewer: Viewer, measure: str, closed_only: bool) -> CTE:
    """Per client in scope with a `measure` score (with `closed_only`, discharged clients
    only): the day of their first and last score, from the maintained spans while they are
    current (scores.READ_MAINTAINED), else grouped from the scores."""
    if scores.READ_MAINTAINED and score_spans.is_current(conn):
        span = select(ScoreSpan.client_id, ScoreSpan.first_on, ScoreSpan.last_on).where(
            ScoreSpan.measure == measure
        )
        owner = ScoreSpan.client_id
    else:
        span = select(
            Score.client_id,
            func.min(Score.recorded_on).label("first_on"),
            func.max(Score.recorded_on).label("last_on"),
        ).where(Score.measure == measure)
        span = span.group_by(Score.client_id)
        owner = Score.client_id
    span = span.join(Client, Client.id == owner).where(client_scope(viewer))
    if closed_only:
        span = span.where(Client.discharged_on.is_not(None))
    return span.cte("span")  # read by both halves of early_courses' union: worked out once


def early_courses(
    conn: Connection, viewer: Viewer, measure: str, closed_only: bool
) -> pd.DataFrame:
    """Per client in scope with a `measure` score in weeks 3-4 after their first and a later
    last score (with `closed_only`, discharged clients only): whether they were flagged not on
    track by week 4, the day of their first such score, their last score's day (both as
    `day_number`s), the change from first to last (+ = better) and whether it is a reliable
    improvement.

    Columns: COURSE_COLUMNS. Empty when the practice has too little history for a band.
    """
    fitted = expected_response(conn, measure)
    if not fitted.enough:
        return pd.DataFrame(columns=COURSE_COLUMNS)
    span = _spans(conn, viewer, measure, closed_only)
    day = day_number(conn, Score.recorded_on)
    since_first = day - day_number(conn, span.c.first_on)
    weeks = (7 * ALERT_WEEKS[0], 7 * (ALERT_WEEKS[1] + 1) - 1)
    this_client = and_(Score.client_id == span.c.client_id, Score.measure == measure)
    # Each client's first score and those in weeks 3-4: one index range from the first day to
    # the end of week 4; the last score: one seek. Filtering every score of each client for
    # the same few read the whole history (4x the CPU for the admin).
    early = (
        select(Score.client_id, day.label("day"), Score.value)
        .join(
            span,
            and_(
                this_client,
                Score.recorded_on >= span.c.first_on,
                Score.recorded_on <= days_after(span.c.first_on, weeks[1]),
            ),
        )
        .where(or_(Score.recorded_on == span.c.first_on, since_first.between(*weeks)))
    )
    last = (
        select(Score.client_id, day.label("day"), Score.value)
        .join(span, and_(this_client, Score.recorded_on == span.c.last_on))
    )
    picked = union(early, last).subquery("picked")  # a client has one score a measure and day
    query = select(picked).order_by(picked.c.client_id, picked.c.day)
    frame = read_frame(query, conn)
    by_client = frame.groupby("client_id", sort=False)
    frame["baseline"] = by_client["value"].transform("first")
    frame["week"] = (frame["day"] - by_client["day"].transform("first")) // 7
    early = frame[frame["week"].between(*ALERT_WEEKS)].copy()
    early["edge"] = fitted.edge(early["baseline"], early["week"])
    off = fitted.off_course(early["value"], early["edge"])
    flagged_day = early[off].groupby("client_id")["day"].min()
    last = by_client.last()
    last = last[(last["week"] > ALERT_WEEKS[1]) & last.index.isin(early["client_id"])]
    spec = MEASURES[measure]
    change = (last["value"] - last["baseline"]) * (1 if spec.higher_is_better else -1)
    courses = pd.DataFrame(
        {
            "client_id": last.index.astype(int),
            "flagged": last.index.isin(flagged_day.index),
            "flagged_day": flagged_day.reindex(last.index).to_numpy(),
            "last_day": last["day"].to_numpy(),
            "change": change.to_numpy(),
            "improved": (change >= spec.reliable_change).to_numpy(),
        }
    )
    return courses[COURSE_COLUMNS]


def alert_accuracy(conn: Connection, viewer: Viewer, measure: str = "PHQ-9") -> pd.DataFrame:
    """How well the alert predicts here: of the viewer's discharged clients with a `measure`
    score in weeks 3-4 and a later last score, the share who ended without reliable
    improvement, among those flagged not on track by week 4 and those not flagged.

    Columns: group, count, total, rate, ci_low, ci_high, too_few (Wilson 95 % intervals);
    empty when the practice has too little history for a band.
    """
    if not expected_response(conn, measure).enough:
        return pd.DataFrame()
    courses = early_courses(conn, viewer, measure, closed_only=True)
    flagged = courses["flagged"].astype(bool)
    no_improvement = ~courses["improved"].astype(bool)
    rows = []
    for group, members in zip(ALERT_GROUPS, (flagged, ~flagged), strict=True):
        count, total = int(no_improvement[members].sum()), int(members.sum())
        too_few = total < metrics.MIN_CLIENTS_FOR_FIGURE
        low, high = proportion_confint(count, max(total, 1), alpha=0.05, method="wilson")
        rate = count / total if total else np.nan
        rows.append((group, count, total, rate, low, high, too_few))
    table = pd.DataFrame(rows, columns=["group", "count", "total", "rate", "ci_low", "ci_high",
                                        "too_few"])  # fmt: skip
    table.loc[table["too_few"], ["rate", "ci_low", "ci_high"]] = np.nan
    return table


def completion_after_flag(conn: Connection, courses: pd.DataFrame) -> pd.Series:
    """Per flagged client (`early_courses` rows): completion rate of the homework set from the
    day of the flag to their last score, NaN under MIN_REVIEWED_FOR_RATE reviewed."""
    flagged = courses[courses["flagged"].astype(bool)]
    if flagged.empty:
        return pd.Series(dtype=float, name="completion_rate")
    since = EPOCH + dt.timedelta(days=int(flagged["flagged_day"].min()))
    homework = read_frame(  # credit and reviewed per client and day set
        select(
            Assignment.client_id,
            day_number(conn, Assignment.assigned_on).label("day"),
            metrics.completion_credit().label("credit"),
            metrics.reviewed_count().label("reviewed"),
        )
        .where(
            Assignment.client_id.in_([int(c) for c in flagged["client_id"]]),
            Assignment.status != "pending",
            Assignment.assigned_on >= since,
        )
        .group_by(Assignment.client_id, Assignment.assigned_on),
        conn,
    )
    homework = homework.merge(flagged[["client_id", "flagged_day", "last_day"]], on="client_id")
    after = homework[homework["day"].between(homework["flagged_day"], homework["last_day"])]
    per_client = after.groupby("client_id")[["credit", "reviewed"]].sum()
    rate = (per_client["credit"] / per_client["reviewed"]).where(
        per_client["reviewed"] >= metrics.MIN_REVIEWED_FOR_RATE
    )
    return rate.reindex(flagged["client_id"].to_numpy()).rename("completion_rate")


def outcome_by_completion(conn: Connection, viewer: Viewer, measure: str = "PHQ-9") -> pd.DataFrame:
    """Among the viewer's clients flagged not on track by week 4 (any status, last score after
    week 4): per completion band of the homework set after the flag, N, mean change first to
    last (+ = better, t 95 % interval) and reliable improvement (Wilson 95 % interval).

    Columns: BAND_COLUMNS, one row per band (outcomes.BANDS); `too_few` under 5 clients, whose
    figures are NaN. Empty when the practice has too little history for a band.
    """
    if not expected_response(conn, measure).enough:
        return pd.DataFrame(columns=BAND_COLUMNS)
    courses = early_courses(conn, viewer, measure, closed_only=False)
    rates = completion_after_flag(conn, courses)
    flagged = courses[courses["flagged"].astype(bool)].set_index("client_id")
    flagged = flagged.join(rates).dropna(subset=["completion_rate"])
    band = completion_band(flagged["completion_rate"])
    rows = []
    for start in BAND_STARTS:
        part = flagged[band == start]
        change = mean_with_interval(part["change"])
        count, total = int(part["improved"].sum()), len(part)
        low, high = proportion_confint(count, max(total, 1), alpha=0.05, method="wilson")
        few = bool(change["too_few"])
        rows.append(
            {
                "band": start,
                "n": total,
                "mean": change["mean"],
                "ci_low": change["ci_low"],
                "ci_high": change["ci_high"],
                "ri_count": count,
                "ri_rate": np.nan if few else count / total,
                "ri_low": np.nan if few else low,
                "ri_high": np.nan if few else high,
                "too_few": few,
            }
        )
    return pd.DataFrame(rows, columns=BAND_COLUMNS)
