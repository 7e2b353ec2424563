"""Baseline and latest scores per client and measure, reduced in SQL with window functions.

Every outcome figure (client headline, reliable change, recovery, paired outcome, flags) starts
from this one query, so "baseline" and "latest" mean the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Connection, and_, func, select

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

    Columns: client_id, client_code, clinician_id, measure, baseline, latest, baseline_on,
    latest_on, n_scores.
    """
    ordered = (
        select(
            Score.client_id,
            Score.measure,
            Score.value,
            Score.recorded_on,
            func.row_number()
            .over(
                partition_by=(Score.client_id, Score.measure),
                order_by=(Score.recorded_on, Score.id),
            )
            .label("first_rank"),
            func.row_number()
            .over(
                partition_by=(Score.client_id, Score.measure),
                order_by=(Score.recorded_on.desc(), Score.id.desc()),
            )
            .label("last_rank"),
            func.count().over(partition_by=(Score.client_id, Score.measure)).label("n_scores"),
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
    first = ranked.alias("first")
    last = ranked.alias("last")
    query = (
        select(
            first.c.client_id,
            Client.code.label("client_code"),
            Client.clinician_id,
            first.c.measure,
            first.c.value.label("baseline"),
            last.c.value.label("latest"),
            first.c.recorded_on.label("baseline_on"),
            last.c.recorded_on.label("latest_on"),
            first.c.n_scores,
        )
        .join(
            last,
            and_(
                last.c.client_id == first.c.client_id,
                last.c.measure == first.c.measure,
                last.c.last_rank == 1,
            ),
        )
        .join(Client, Client.id == first.c.client_id)
        .where(first.c.first_rank == 1)
        .order_by(first.c.client_id, first.c.measure)
    )
    frame = pd.read_sql(query, conn)
    for column in ("baseline_on", "latest_on"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame
