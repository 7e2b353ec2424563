"""Baseline and latest scores per client and measure, reduced in SQL.

Every outcome figure (client headline, reliable change, recovery, paired outcome, flags) starts
from this one query, so "baseline" and "latest" mean the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import ColumnElement, Connection, String, func, select, type_coerce

from data_access.filters import Filters, client_conditions, date_between
from data_access.schema import Client, Score
from data_access.viewer import Viewer, client_scope


def baseline_latest(
    conn: Connection,
    viewer: Viewer,
    filters: Filters,
    measures: Sequence[str] = ("PHQ-9", "GAD-7"),
    client_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """One row per visible client and measure: first and latest score in the window, and N.

    GROUP BY finds each pair's first and last date and count; two index lookups then fetch the
    values on those dates (the lowest id on the first date, the highest on the last). This
    avoids sorting every score in a window function. Columns: client_id, client_code,
    clinician_id, measure, baseline, latest, baseline_on, latest_on, n_scores.
    """
    ends = (
        select(
            Score.client_id,
            Score.measure,
            func.min(Score.recorded_on).label("first_on"),
            func.max(Score.recorded_on).label("last_on"),
            func.count().label("n_scores"),
        )
        .where(
            Score.measure.in_(tuple(measures)),
            date_between(Score.recorded_on, filters),
            # an IN over client ids (even for an admin) walks ix_scores_client_id_measure_
            # recorded_on in GROUP BY order: no sort
            Score.client_id.in_(select(Client.id).where(client_scope(viewer))),
        )
        .group_by(Score.client_id, Score.measure)
    )
    if client_ids is not None:
        ends = ends.where(Score.client_id.in_(tuple(client_ids)))
    ends = ends.subquery()

    def value_on(day: ColumnElement, order: ColumnElement) -> ColumnElement[int]:
        return (
            select(Score.value)
            .where(
                Score.client_id == ends.c.client_id,
                Score.measure == ends.c.measure,
                Score.recorded_on == day,
            )
            .order_by(order)
            .limit(1)
            .scalar_subquery()
        )

    query = (
        select(
            ends.c.client_id,
            Client.code.label("client_code"),
            Client.clinician_id,
            ends.c.measure,
            value_on(ends.c.first_on, Score.id).label("baseline"),
            value_on(ends.c.last_on, Score.id.desc()).label("latest"),
            # dates arrive raw (ISO text on SQLite) and are parsed below for the whole column
            # at once, not one by one in the result loop
            type_coerce(ends.c.first_on, String).label("baseline_on"),
            type_coerce(ends.c.last_on, String).label("latest_on"),
            ends.c.n_scores,
        )
        .join(Client, Client.id == ends.c.client_id)
        .where(client_conditions(filters))
        .order_by(ends.c.client_id, ends.c.measure)
    )
    frame = pd.read_sql(query, conn)
    for column in ("baseline_on", "latest_on"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame
