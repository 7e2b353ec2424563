"""Baseline and latest scores per client and measure, reduced in SQL with window functions.

Every outcome figure (client headline, reliable change, recovery, paired outcome, flags) starts
from this one query, so "baseline" and "latest" mean the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Connection, Date, func, select

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

    One window over (client, measure) in date order gives the first row, the last value and the
    count in a single pass (no self-join, which SQLite runs as a nested scan).
    Columns: client_id, client_code, clinician_id, measure, baseline, latest, baseline_on,
    latest_on, n_scores.
    """
    window = {
        "partition_by": (Score.client_id, Score.measure),
        "order_by": (Score.recorded_on, Score.id),
        "rows": (None, None),
    }
    ordered = (
        select(
            Score.client_id,
            Client.code.label("client_code"),
            Client.clinician_id,
            Score.measure,
            Score.value.label("baseline"),
            func.last_value(Score.value).over(**window).label("latest"),
            Score.recorded_on.label("baseline_on"),
            func.last_value(Score.recorded_on, type_=Date).over(**window).label("latest_on"),
            func.count().over(**window).label("n_scores"),
            func.row_number().over(**window).label("rank"),
        )
        .join(Client, Client.id == Score.client_id)
        .where(
            Score.measure.in_(tuple(measures)),
            date_between(Score.recorded_on, filters),
            client_scope(viewer),
            client_conditions(filters),
        )
    )
    if client_ids is not None:
        ordered = ordered.where(Score.client_id.in_(tuple(client_ids)))
    ranked = ordered.subquery()
    query = (
        select(*(column for column in ranked.c if column.name != "rank"))
        .where(ranked.c.rank == 1)
        .order_by(ranked.c.client_id, ranked.c.measure)
    )
    frame = pd.read_sql(query, conn)
    for column in ("baseline_on", "latest_on"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame
