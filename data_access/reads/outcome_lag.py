"""The one-week lag: does a week of homework mostly done go with a better score the week after?

Per client and week, whether the homework due that week was mostly done, beside the change of
the mean score to the next week; compared within clients, as an association, never a cause.
Both weeks lie wholly in the period, up to the as-of day. The rule is in docs/metrics.md; the
weeks are read from the maintained `client_lag_weeks` (`data_access/store/lag_weeks.py`; with a
type filter, each week's homework counted again for those types), or derived from the
assignments and scores for another measure or while a write has left clients unrecomputed.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, FromClause, func, select

from data_access.access.viewer import Viewer
from data_access.reads.filters import Filters, type_condition
from data_access.reads.frames import read_frame
from data_access.reads.insight import mean_with_interval
from data_access.reads.scope import Scope, scope_of
from data_access.store import lag_weeks
from data_access.store.lag_weeks import LAG_MEASURES, kept_weeks_of_types, lag_weeks_of
from data_access.store.maintained_schema import ClientLagWeek
from data_access.store.schema import MEASURES, monday_of

# Read the kept weeks; `make bench` and the tests turn it off to compare with the live read.
READ_MAINTAINED = True


def lag_weeks_between(filters: Filters) -> tuple[dt.date | None, dt.date | None]:
    """The Mondays of the first and the last week w the lag compares: w and w + 1 both wholly
    in the period and ended by the as-of day (None: no start day, no bound)."""
    first = monday_of(filters.start + dt.timedelta(days=6)) if filters.start else None
    last_day = min(filters.end or filters.as_of, filters.as_of)
    return first, monday_of(last_day - dt.timedelta(days=13))


def _weeks_source(
    conn: Connection, scope: Scope, measure: str, first: dt.date | None, last: dt.date
) -> FromClause:
    """The kept weeks when they answer (a kept measure, nothing unrecomputed; with a type filter
    each kept week's homework counted again for those types), else the same rows derived from
    the assignments and scores in view, weeks `first` to `last`."""
    filters = scope.filters
    if READ_MAINTAINED and measure in LAG_MEASURES and lag_weeks.is_current(conn):
        if not filters.type_ids:
            return ClientLagWeek.__table__
        typed = kept_weeks_of_types(scope.client_ids, first, last, type_condition(filters))
        return typed.subquery("lag_weeks")
    rows = lag_weeks_of(scope.client_ids, (measure,), first, last, type_condition(filters))
    return rows.subquery("lag_weeks")


def client_lag(conn: Connection, scope: Scope, measure: str) -> pd.DataFrame:
    """Per client with a compared week: the weeks mostly done and not, and each kind's mean
    change to the next week, signed so positive = better (NaN without such weeks).

    Columns: client_id, done_weeks, done_change, other_weeks, other_change."""
    first, last = lag_weeks_between(scope.filters)
    weeks = _weeks_source(conn, scope, measure, first, last)
    done, other = weeks.c.done == 1, weeks.c.done == 0
    query = (
        select(
            weeks.c.client_id,
            func.count().filter(done).label("done_weeks"),
            func.sum(weeks.c.change).filter(done).label("done_sum"),
            func.count().filter(other).label("other_weeks"),
            func.sum(weeks.c.change).filter(other).label("other_sum"),
        )
        .where(
            weeks.c.measure == measure,
            weeks.c.week <= last,
            *([] if first is None else [weeks.c.week >= first]),
            scope.client_ids(weeks.c.client_id),
        )
        .group_by(weeks.c.client_id)
    )
    frame = read_frame(query, conn)
    sign = 1.0 if MEASURES[measure].higher_is_better else -1.0
    for kind in ("done", "other"):
        n = frame[f"{kind}_weeks"].astype(int)
        frame[f"{kind}_weeks"] = n
        frame[f"{kind}_change"] = sign * frame[f"{kind}_sum"].astype(float) / n.where(n > 0)
    return frame[["client_id", "done_weeks", "done_change", "other_weeks", "other_change"]]


def lag_view(conn: Connection, viewer: Viewer, filters: Filters, measure: str = "PHQ-9") -> dict:
    """Does a week of homework done go with a better score the week after? Summed up per client.

    Each client's weeks are split into mostly done (completion ≥ 50 %) and mostly not done; for
    clients with both kinds, the difference of their mean next-week change is averaged across
    clients with a t interval (so a client with many weeks does not weigh more). Returns
    {"rows": DataFrame(group, n_clients, n_weeks, mean, ci_low, ci_high, too_few),
    "difference": mean_with_interval dict}; group is "done" or "not_done".
    """
    per_client = client_lag(conn, scope_of(conn, viewer, filters), measure)
    rows = []
    for kind, name in (("done", "done"), ("other", "not_done")):
        means = per_client[f"{kind}_change"]
        rows.append(
            {"group": name, "n_weeks": int(per_client[f"{kind}_weeks"].sum()),
             "n_clients": int(means.notna().sum()),
             **{k: v for k, v in mean_with_interval(means).items() if k != "n"}}
        )  # fmt: skip
    difference = mean_with_interval(per_client["done_change"] - per_client["other_change"])
    return {"rows": pd.DataFrame(rows), "difference": difference}
