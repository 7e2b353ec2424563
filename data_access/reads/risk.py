"""The PHQ-9 risk item (item 9): which clients have one open, and a clinician's review of it.

A PHQ-9 whose item 9 is 1 or more opens a risk item for its client. It stays open, reviewed
or not, until a newer PHQ-9 of that client has item 9 = 0; a newer PHQ-9 without item answers
does not close it (item 9 is then unknown). Only the newest open one per client is shown.
No date, status or "too few" rule applies: every client in the viewer's scope is looked at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Engine, func, insert, select

from data_access.access.audit import record
from data_access.access.viewer import Viewer, client_scope
from data_access.reads.frames import read_frame
from data_access.reads.scope import Scope
from data_access.store.engine import write
from data_access.store.errors import DataError, NotInScope
from data_access.store.schema import ITEM_MAX, Client, Clinician, RiskReview, Score

MAX_NOTE = 1_000
RISK_COLUMNS = [
    "client_id", "client_code", "clinician", "score_id", "recorded_on", "answer",
    "reviewed", "reviewed_by", "reviewed_at", "note",
]  # fmt: skip


def open_risk_items(
    conn: Connection, scope: Scope, client_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """One row per client of the scope's clinicians (whatever the dates and client status) with
    an open risk item: its newest PHQ-9 with item 9 ≥ 1.

    That item is open when no newer PHQ-9 answers item 9: so each client's newest risky score
    (found on the item-9 index, never by reading every PHQ-9) is open while it is also their
    newest PHQ-9 that answers item 9 (one seek back in their PHQ-9s).
    Columns: RISK_COLUMNS; reviewed_by, reviewed_at and note are empty until reviewed.
    Unreviewed first, then newest first.
    """
    newest = select(Score.client_id, func.max(Score.recorded_on).label("recorded_on")).where(
        Score.item_9.between(1, ITEM_MAX)  # only PHQ-9 rows have item 9 (items_add_up check)
    )
    if client_ids is not None:
        newest = newest.where(Score.client_id.in_(tuple(client_ids)))
    newest = newest.group_by(Score.client_id).subquery("newest_risk")
    answered = Score.__table__.alias("answered")
    # the client's newest PHQ-9 that answers item 9: the risky one is open while it is that one
    last_answered = (
        select(answered.c.recorded_on)
        .where(
            answered.c.client_id == newest.c.client_id,
            answered.c.measure == "PHQ-9",
            answered.c.item_9.is_not(None),
        )
        .order_by(answered.c.recorded_on.desc())
        .limit(1)
        .scalar_subquery()
    )
    risky = Score.__table__.alias("risky")

    def of_that_score(column: ColumnElement) -> ColumnElement:
        """A column of the client's newest risky PHQ-9 (one PHQ-9 per client and day)."""
        return (
            select(column)
            .where(
                risky.c.client_id == newest.c.client_id,
                risky.c.measure == "PHQ-9",
                risky.c.recorded_on == newest.c.recorded_on,
            )
            .scalar_subquery()
        )

    # Each looked up per client by the (client, measure, day) index: as joins or NOT EXISTS,
    # PostgreSQL hashed every PHQ-9 of the practice to meet a few thousand clients.
    found = select(
        newest.c.client_id,
        newest.c.recorded_on,
        of_that_score(risky.c.id).label("score_id"),
        of_that_score(risky.c.item_9).label("answer"),
        last_answered.label("last_answered"),
    ).subquery("newest_risky")
    reviewer = Clinician.__table__.alias("reviewer")
    query = (
        select(
            Client.id.label("client_id"),
            Client.code.label("client_code"),
            Clinician.name.label("clinician"),
            found.c.score_id,
            found.c.recorded_on,
            found.c.answer,
            reviewer.c.name.label("reviewed_by"),
            RiskReview.reviewed_at,
            RiskReview.note,
        )
        .select_from(found)
        .join(Client, Client.id == found.c.client_id)
        .join(Clinician, Clinician.id == Client.clinician_id)
        .outerjoin(RiskReview, RiskReview.score_id == found.c.score_id)
        .outerjoin(reviewer, reviewer.c.id == RiskReview.reviewer_id)
        .where(scope.clinicians(Client.clinician_id), found.c.last_answered == found.c.recorded_on)
    )
    frame = read_frame(query, conn)
    frame["recorded_on"] = pd.to_datetime(frame["recorded_on"]).dt.date
    frame["reviewed"] = frame["reviewed_at"].notna()
    frame = frame.sort_values(
        ["reviewed", "recorded_on", "client_code"], ascending=[True, False, True]
    )
    return frame[RISK_COLUMNS].reset_index(drop=True)


def review_risk_item(
    engine: Engine, viewer: Viewer, score_id: int, note: str = "", now: dt.datetime | None = None
) -> None:
    """Mark one risk item reviewed by the viewer (anyone who may see the client), with a note.

    Refused, with nothing written, when the score is not an open-able risk item in scope, is
    already reviewed, or the note is too long. Audited without the note (it may hold health
    details); the note is kept with the review.
    """
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    name = "risk item review"
    with write(engine, name) as conn:
        row = conn.execute(
            select(Client.code, Score.item_9, RiskReview.id)
            .join(Client, Client.id == Score.client_id)
            .outerjoin(RiskReview, RiskReview.score_id == Score.id)
            .where(Score.id == score_id, client_scope(viewer))
        ).first()
        if row is None:
            raise NotInScope(name, "no such risk item among your clients")
        code, answer, review_id = row
        if answer is None or answer < 1:
            raise DataError(name, "this score has no risk item (PHQ-9 item 9 of 1 or more)")
        if review_id is not None:
            raise DataError(name, "this risk item has already been marked reviewed")
        if len(note) > MAX_NOTE:
            raise DataError(name, f"keep the note under {MAX_NOTE} characters")
        conn.execute(
            insert(RiskReview).values(
                score_id=score_id,
                reviewer_id=viewer.clinician_id,
                reviewed_at=now,
                note=note.strip(),
            )
        )
        record(conn, viewer, "record", code, f"kind=risk_review score={score_id}")
