"""`read_frame` gives the frame `pd.read_sql` gives: the same values, dtypes and empty shape.

On SQLite it builds the frame from the driver's rows and runs each column's result processor
itself (text dates made dates, timestamps made datetimes); on PostgreSQL it is `pd.read_sql`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Float, cast, func, insert, literal, select

from data_access.reads.frames import read_frame
from data_access.store.schema import Assignment, Client, RiskReview, Score
from tests.builders import Practice

DAY = dt.date(2026, 3, 2)


def test_read_frame_equals_read_sql_for_dates_times_nulls_text_and_numbers(engine):
    p = Practice(engine)
    ana = p.clinician("Ana")
    first = p.client(ana, intake=DAY, code="C-0001")
    p.client(ana, intake=DAY, discharged=DAY + dt.timedelta(days=40), code="C-0002")
    p.assignment(first, DAY, status="completed", engagement=3, reviewed=DAY + dt.timedelta(days=6))
    p.assignment(first, DAY + dt.timedelta(days=7))  # pending: no review date, no engagement
    score = p.score(first, "PHQ-9", 14, DAY, items=(2, 2, 2, 2, 2, 2, 1, 1, 0))
    with engine.begin() as conn:
        conn.execute(
            insert(RiskReview).values(
                score_id=score, reviewer_id=ana, reviewed_at=dt.datetime(2026, 3, 3, 9, 30)
            )
        )
    queries = [
        select(Client.id, Client.code, Client.intake_on, Client.discharged_on).order_by(Client.id),
        select(
            Assignment.status,
            Assignment.reviewed_on,
            Assignment.engagement,
            cast(Assignment.engagement, Float).label("as_float"),
            (Assignment.due_on > DAY).label("later"),
        ).order_by(Assignment.id),
        select(RiskReview.reviewed_at, Score.recorded_on, Score.item_9, literal("x").label("x"))
        .join(Score, Score.id == RiskReview.score_id),
        select(func.max(Assignment.reviewed_on).label("last"), func.count().label("n")),
        select(Client.id, Client.intake_on).where(Client.code == "nobody"),  # no rows
    ]
    with engine.connect() as conn:
        for query in queries:
            pd.testing.assert_frame_equal(read_frame(query, conn), pd.read_sql(query, conn))
        dates = read_frame(queries[0], conn)
        reviewed = read_frame(queries[2], conn)
    assert dates["intake_on"].tolist() == [DAY, DAY]
    assert dates["discharged_on"].tolist() == [None, DAY + dt.timedelta(days=40)]
    assert reviewed["reviewed_at"].tolist() == [pd.Timestamp(2026, 3, 3, 9, 30)]
