"""The one-week lag: does a week of homework mostly done go with a better score the week after?

Per client and week, the completion of homework due that week beside the change of the mean
score to the next week; compared within clients, as an association, never a cause. The rule is
in docs/metrics.md.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Date, Integer, and_, cast, func, literal, select

from data_access.access.viewer import Viewer
from data_access.reads import metrics
from data_access.reads.filters import Filters, date_between
from data_access.reads.frames import read_frame
from data_access.reads.homework_set import assignments_in_view
from data_access.reads.insight import mean_with_interval
from data_access.reads.scope import Scope, scope_of
from data_access.store.schema import MEASURES, Assignment, Score

DONE_WEEK = 0.5  # a week counts as "mostly done" at this completion rate or more
EPOCH_MONDAY = dt.date(1970, 1, 5)


def _week_number(conn: Connection, column):  # noqa: ANN001, ANN202 - a date column expression
    """SQL: whole weeks from Monday 1970-01-05 to `column` (weeks start on Monday)."""
    if conn.dialect.name == "sqlite":
        days = cast(func.julianday(column) - func.julianday(EPOCH_MONDAY.isoformat()), Integer)
    else:
        days = column - literal(EPOCH_MONDAY, Date)
    return days // 7


def _weekly_completion(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Per client and due week (its number, as `_week_number`): reviewed homework and its
    credit and completion rate. The week is numbered in SQL: turning a quarter of a million
    due dates into dates and then numbers in Python took 0.4 s of the admin's year."""
    query = (
        select(
            Assignment.client_id,
            _week_number(conn, Assignment.due_week).label("week"),
            metrics.reviewed_count().label("reviewed"),
            metrics.completion_credit().label("credit"),
        )
        .where(assignments_in_view(scope), Assignment.status != "pending")
        .group_by(Assignment.client_id, Assignment.due_week)
    )
    frame = read_frame(query, conn)
    frame["week"] = frame["week"].astype(int)
    return metrics.add_completion_rate(frame)


def _weekly_scores(conn: Connection, scope: Scope, measure: str) -> pd.DataFrame:
    filters = scope.filters
    week = _week_number(conn, Score.recorded_on).label("week")
    query = (
        select(Score.client_id, week, func.avg(Score.value * 1.0).label("score"))
        .where(
            and_(
                Score.measure == measure,
                scope.client_ids(Score.client_id),
                date_between(Score.recorded_on, filters),
                Score.recorded_on <= filters.as_of,
            )
        )
        .group_by(Score.client_id, week)
    )
    frame = read_frame(query, conn)
    frame["week"] = frame["week"].astype(int)
    frame["score"] = frame["score"].astype(float)
    return frame


def lag_pairs(conn: Connection, scope: Scope, measure: str) -> pd.DataFrame:
    """Per client and week w: completion of homework due in w, and the score change w → w+1.

    The change is the mean score in week w+1 minus that in week w, signed so positive = better;
    only weeks where both have a score count. Columns: client_id, week, completion_rate, change.
    """
    completion = _weekly_completion(conn, scope)
    scores = _weekly_scores(conn, scope, measure)
    following = scores.assign(week=scores["week"] - 1).rename(columns={"score": "next_score"})
    moves = scores.merge(following, on=["client_id", "week"])
    sign = 1.0 if MEASURES[measure].higher_is_better else -1.0
    moves["change"] = sign * (moves["next_score"] - moves["score"])
    pairs = completion.merge(moves, on=["client_id", "week"])
    return pairs[["client_id", "week", "completion_rate", "change"]]


def lag_view(conn: Connection, viewer: Viewer, filters: Filters, measure: str = "PHQ-9") -> dict:
    """Does a week of homework done go with a better score the week after? Summed up per client.

    Each client's weeks are split into mostly done (completion ≥ 50 %) and mostly not done; for
    clients with both kinds, the difference of their mean next-week change is averaged across
    clients with a t interval (so a client with many weeks does not weigh more). Returns
    {"rows": DataFrame(group, n_clients, n_weeks, mean, ci_low, ci_high, too_few),
    "difference": mean_with_interval dict}; group is "done" or "not_done".
    """
    pairs = lag_pairs(conn, scope_of(conn, viewer, filters), measure)
    pairs["done"] = pairs["completion_rate"] >= DONE_WEEK
    per_client = pairs.groupby(["client_id", "done"])["change"].mean().unstack("done")
    rows = []
    for done, name in ((True, "done"), (False, "not_done")):
        weeks = pairs[pairs["done"] == done]
        means = per_client[done] if done in per_client else pd.Series(dtype=float)
        rows.append(
            {"group": name, "n_weeks": len(weeks), "n_clients": int(means.notna().sum()),
             **{k: v for k, v in mean_with_interval(means).items() if k != "n"}}
        )  # fmt: skip
    both = per_client.dropna() if {True, False} <= set(per_client.columns) else per_client.iloc[0:0]
    difference = (
        mean_with_interval(both[True] - both[False])
        if len(both)
        else mean_with_interval(pd.Series(dtype=float))
    )
    return {"rows": pd.DataFrame(rows), "difference": difference}
