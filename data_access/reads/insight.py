"""Homework by assignment type: how often each type is set and done, by whom, and with what
change in scores. What counts as set in the view: data_access/reads/homework_set.py; whether
homework is reviewed on time, and done more after a review: data_access/reads/reviews.py.
Counting happens in SQL (GROUP BY); the small per-client frames that come back feed the
statistics in pandas and scipy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sqlalchemy import ColumnElement, Connection, func, select

from data_access.access.viewer import Viewer
from data_access.reads import metrics, reviews
from data_access.reads.assignment_counts import assignment_counts
from data_access.reads.filters import Filters
from data_access.reads.frames import read_frame
from data_access.reads.homework_set import assignments_in_view
from data_access.reads.queries import assignment_types
from data_access.reads.scope import Scope, scope_of
from data_access.reads.scores import paired, window_pairs
from data_access.store.schema import Assignment, AssignmentType, Client, Clinician

DID_IT_MIN_COMPLETED = 3  # "did it": completed this type at least this many times
RARELY_BELOW = 0.5  # "rarely did it": completion rate under this (and fewer than 3 completed)
IMPROVEMENT_MEASURES = ("PHQ-9", "GAD-7")
GROUP_DID = "did"  # improvement_by_type's groups (dashboard/ names them)
GROUP_RARELY = "rarely"


def homework_by_type(
    conn: Connection, scope: Scope, counts: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per assignment type set in the view, most often set first.

    Columns: type_id, type, category, times_set, clients_set, completed, partial, reviewed,
    credit, completion_rate, engagement_mean, engagement_n, clients_with_homework,
    share_of_clients (clients set this type / clients set any homework in the view).
    `counts`: `type_client_counts` for the same scope, when the page has it already.
    """
    if counts is None:
        counts = type_client_counts(conn, scope)
    summed = ["times_set", "completed", "partial", "reviewed", "engagement_sum", "engagement_n"]
    by_type = counts.groupby("type_id")[summed].sum()
    by_type["clients_set"] = counts.groupby("type_id").size()
    catalogue = assignment_types(conn).rename(columns={"name": "type"})
    frame = catalogue.merge(by_type.reset_index(), on="type_id", how="inner")
    for column in ("times_set", "clients_set", "completed", "partial", "reviewed", "engagement_n"):
        frame[column] = frame[column].astype(int)
    frame["credit"] = metrics.credit(frame["completed"], frame["partial"])
    frame = frame.sort_values(["times_set", "type"], ascending=[False, True], ignore_index=True)
    total = counts["client_id"].nunique()
    frame = metrics.add_completion_rate(frame)
    engagement_n = frame["engagement_n"].astype(float)
    frame["engagement_mean"] = frame["engagement_sum"].astype(float) / engagement_n.where(
        engagement_n > 0
    )
    frame["clients_with_homework"] = int(total)
    frame["share_of_clients"] = frame["clients_set"] / total if total else np.nan
    return frame[
        [
            "type_id",
            "type",
            "category",
            "times_set",
            "clients_set",
            "completed",
            "partial",
            "reviewed",
            "credit",
            "engagement_mean",
            "engagement_n",
            "completion_rate",
            "clients_with_homework",
            "share_of_clients",
        ]
    ]


def _by_type_and_client(scope: Scope) -> list[ColumnElement[bool]]:
    """`assignments_in_view`, worded so that SQLite walks the (type, client, day) index: a
    query grouped by type (and client) then neither sorts nor reads rows for their engagement.

    Naming every type lets SQLite seek (type, client) pairs for the clients in view, rather
    than each client's assignments by date; for every client it would read the whole index.
    """
    in_view = [assignments_in_view(scope)]
    if not scope.filters.type_ids and not scope.sees_everyone:
        in_view.append(Assignment.type_id.in_(select(AssignmentType.id)))
    return in_view


def type_client_counts(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Per type and client in the view: times_set, completed, partial, reviewed, credit,
    completion_rate, engagement_sum, engagement_n and the type's name (`type`).

    One pass over the (type, client, day) index that the page's three per-type figures add
    up (by type, improvement by type, each clinician's mix), instead of one pass each.
    """
    query = (
        select(
            Assignment.type_id,
            Assignment.client_id,
            func.count().label("times_set"),
            metrics.completed_count().label("completed"),
            metrics.partial_count().label("partial"),
            metrics.reviewed_count().label("reviewed"),
            func.coalesce(func.sum(Assignment.engagement), 0).label("engagement_sum"),
            func.count(Assignment.engagement).label("engagement_n"),
        )
        .where(*_by_type_and_client(scope))
        .group_by(Assignment.type_id, Assignment.client_id)
    )
    names = assignment_types(conn)[["type_id", "name"]].rename(columns={"name": "type"})
    counts = read_frame(query, conn).merge(names, on="type_id")
    counts["credit"] = metrics.credit(counts["completed"], counts["partial"]).astype(float)
    return metrics.add_completion_rate(counts)


def homework_page(conn: Connection, viewer: Viewer, filters: Filters) -> dict[str, pd.DataFrame]:
    """Everything the homework page shows: by type, improvement by type, each clinician's mix,
    reviewed on time, completion after a review or none, and the completion of homework due in
    the period (`due`: the same figure, by the same rule, as on Overview and Caseload). The
    viewer's scope is resolved once for all of them; one connection, no worker thread (it cost
    more CPU than it saved time: docs/performance.md)."""
    scope = scope_of(conn, viewer, filters)
    counts = type_client_counts(conn, scope)
    return {
        "by_type": homework_by_type(conn, scope, counts),
        "on_time": reviews.reviewed_on_time(conn, scope),
        "after_review": reviews.completion_after_review(conn, scope),
        "due": assignment_counts(conn, scope),
        "improvement": improvement_by_type(conn, scope, counts),
        "mix": clinician_type_mix(conn, scope, counts),
    }


def mean_with_interval(values: pd.Series) -> dict[str, float | int | bool]:
    """Mean, 95 % t interval and N of `values`; `too_few` under MIN_CLIENTS_FOR_FIGURE.

    Under the minimum the mean and interval are NaN, so nothing small can be over-read.
    """
    clean = values.dropna().astype(float)
    n = len(clean)
    if n < metrics.MIN_CLIENTS_FOR_FIGURE:
        return {"n": n, "mean": np.nan, "ci_low": np.nan, "ci_high": np.nan, "too_few": True}
    mean = float(clean.mean())
    sem = float(stats.sem(clean))
    if sem == 0:
        low, high = mean, mean
    else:
        low, high = stats.t.interval(0.95, df=n - 1, loc=mean, scale=sem)
    return {"n": n, "mean": mean, "ci_low": float(low), "ci_high": float(high), "too_few": False}


def improvement_by_type(
    conn: Connection, scope: Scope, counts: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Mean PHQ-9 and GAD-7 change for clients who did each type vs those who rarely did it.

    "Did it": completed the type at least 3 times. "Rarely did it": set it, at least one
    reviewed, completion rate under 50 % and fewer than 3 completed (the groups do not
    overlap). Change is baseline to latest in the window, positive = better, over clients with
    two or more scores on the measure. Columns: type, measure, group, n, mean, ci_low, ci_high,
    too_few. An association, not a cause. `counts`: as for `homework_by_type`.
    """
    counts = (type_client_counts(conn, scope) if counts is None else counts).copy()
    columns = ["type", "measure", "group", "n", "mean", "ci_low", "ci_high", "too_few"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    did = counts["completed"] >= DID_IT_MIN_COMPLETED
    rarely = (
        (counts["reviewed"] > 0)
        & (counts["completion_rate"] < RARELY_BELOW)
        & (counts["completed"] < DID_IT_MIN_COMPLETED)
    )
    counts["group"] = np.select([did, rarely], [GROUP_DID, GROUP_RARELY], default="")
    counts = counts[counts["group"] != ""]
    pairs = window_pairs(conn, scope, IMPROVEMENT_MEASURES, counted=False)
    pairs = metrics.classify_outcomes(pairs[paired(pairs)])[["client_id", "measure", "change"]]
    joined = counts.merge(pairs, on="client_id")
    # split once (rows keep their order within each part) rather than filter per cell
    changes = {
        key: part["change"]
        for key, part in joined.groupby(["type", "measure", "group"], sort=False)
    }
    none = pd.Series(dtype=float)
    rows = []
    for type_name in counts.sort_values("type")["type"].unique():
        for measure in IMPROVEMENT_MEASURES:
            for group in (GROUP_DID, GROUP_RARELY):
                rows.append(
                    {
                        "type": type_name,
                        "measure": measure,
                        "group": group,
                        **mean_with_interval(changes.get((type_name, measure, group), none)),
                    }
                )
    return pd.DataFrame(rows, columns=columns)


def clinician_type_mix(
    conn: Connection, scope: Scope, counts: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per treating clinician and type: times set and that type's share of their homework.

    Columns: clinician_id, clinician, type, times_set, share; by clinician name, then type.
    `counts`: as for `homework_by_type`.
    """
    if counts is None:
        counts = type_client_counts(conn, scope)
    columns = ["clinician_id", "clinician", "type", "times_set", "share"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    owners = read_frame(  # every client in view: a list of ids could outgrow SQLite's limit
        select(Client.id.label("client_id"), Client.clinician_id, Clinician.name.label("clinician"))
        .join(Clinician, Clinician.id == Client.clinician_id)
        .where(scope.clients()),
        conn,
    )
    frame = (
        counts.merge(owners, on="client_id")
        .groupby(["clinician_id", "clinician", "type"], as_index=False)["times_set"]
        .sum()
        .sort_values(["clinician", "type"], ignore_index=True)
    )
    frame["share"] = frame["times_set"] / frame.groupby("clinician_id")["times_set"].transform(
        "sum"
    )
    return frame[columns]
