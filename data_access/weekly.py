"""Homework completion per week, grouped in SQL on the stored `Assignment.due_week`.

Grouping on the stored Monday (instead of formatting `due_on` on every row) lets the database
walk `ix_assignments_due_week_status` in GROUP BY order without touching the table.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, select

from data_access import metrics
from data_access.filters import Filters, client_conditions, type_condition
from data_access.schema import Assignment, Client, monday_of
from data_access.viewer import Viewer, in_scope

WEEK_COLUMNS = ["week", "credit", "reviewed", "completion_rate"]


def completion_by_week(conn: Connection, viewer: Viewer, filters: Filters) -> pd.DataFrame:
    """Completion credit, reviewed count and rate per due week for the viewer's clients.

    Whole weeks count: a week is in the window when its Monday lies between the Monday of
    `filters.start` and `filters.end`. Columns: week (the Monday), credit, reviewed,
    completion_rate (NaN for weeks with nothing reviewed yet).
    """
    query = (
        select(
            Assignment.due_week.label("week"),
            metrics.completion_credit().label("credit"),
            metrics.reviewed_count().label("reviewed"),
        )
        .where(in_scope(Assignment.client_id, viewer), type_condition(filters))
        .group_by(Assignment.due_week)
        .order_by(Assignment.due_week)
    )
    if filters.start:
        query = query.where(Assignment.due_week >= monday_of(filters.start))
    if filters.end:
        query = query.where(Assignment.due_week <= filters.end)
    if filters.clinician_ids or filters.client_status != "all":
        query = query.where(
            Assignment.client_id.in_(select(Client.id).where(client_conditions(filters)))
        )
    frame = pd.read_sql(query, conn)
    if frame.empty:
        return pd.DataFrame(columns=WEEK_COLUMNS)
    frame["week"] = pd.to_datetime(frame["week"]).dt.date
    frame["reviewed"] = frame["reviewed"].astype(int)
    return metrics.add_completion_rate(frame)
