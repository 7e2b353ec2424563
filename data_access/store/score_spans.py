"""Maintained score spans: each client's first and last score per measure, kept equal to
`scores` inside every write.

Triggers (migration 0012) note in `score_spans_stale` the (client, measure) of every score a
write inserts, changes or deletes. `refresh`, called by `engine.write` before it commits,
recomputes those pairs of `score_spans` from the scores and clears the marks, so the spans
change in the same transaction as the scores. "First" and "last" are the lowest and highest
(recorded_on, id), `scores.baseline_latest`'s rule; docs/metrics.md says which figures read them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Connection, Select, delete, exists, func, insert, select

from data_access.store.maintained_schema import ScoreSpan, ScoreSpanStale
from data_access.store.schema import Score

# Up to this many marked pairs (a form, a small import) each is recomputed by seeking its
# scores; beyond it (a large import, the demo build) one grouped statement does them all.
SEEK_PAIRS = 64
_COLUMNS = ["client_id", "measure", "first_id", "last_id", "first_on", "last_on", "n"]


def _grouped(*conditions: ColumnElement[bool]) -> Select:
    """Each pair's span from one GROUP BY over the scores where `conditions` hold.

    A client has at most one score per measure and day (the unique index of migration 0007), so
    the first and last day's scores are the first and last by (recorded_on, id).
    """
    days = (
        select(
            Score.client_id,
            Score.measure,
            func.min(Score.recorded_on).label("first_on"),
            func.max(Score.recorded_on).label("last_on"),
            func.count().label("n"),
        )
        .where(*conditions)
        .group_by(Score.client_id, Score.measure)
        .subquery()
    )
    first = Score.__table__.alias("first")
    last = Score.__table__.alias("last")
    return (
        select(
            days.c.client_id,
            days.c.measure,
            first.c.id,
            last.c.id,
            days.c.first_on,
            days.c.last_on,
            days.c.n,
        )
        .join(
            first,
            (first.c.client_id == days.c.client_id)
            & (first.c.measure == days.c.measure)
            & (first.c.recorded_on == days.c.first_on),
        )
        .join(
            last,
            (last.c.client_id == days.c.client_id)
            & (last.c.measure == days.c.measure)
            & (last.c.recorded_on == days.c.last_on),
        )
    )


def _seek(conn: Connection, client_id: int, measure: str) -> None:
    """Recompute one pair's span by seeking its first and last score in the (client, measure,
    day) index, and counting its scores there."""
    conn.execute(
        delete(ScoreSpan).where(ScoreSpan.client_id == client_id, ScoreSpan.measure == measure)
    )
    own = (Score.client_id == client_id, Score.measure == measure)
    order = (Score.recorded_on, Score.id)
    first = conn.execute(select(*order).where(*own).order_by(*order).limit(1)).first()
    if first is None:
        return  # no score left on this measure: no span
    last = conn.execute(
        select(*order).where(*own).order_by(*(c.desc() for c in order)).limit(1)
    ).one()
    n = conn.execute(select(func.count()).where(*own)).scalar_one()
    conn.execute(
        insert(ScoreSpan).values(
            client_id=client_id,
            measure=measure,
            first_id=first.id,
            last_id=last.id,
            first_on=first.recorded_on,
            last_on=last.recorded_on,
            n=n,
        )
    )


def _recompute(conn: Connection, pairs: Sequence[tuple[int, str]]) -> None:
    """Recompute the marked pairs: one by one when few, else in one grouped statement."""
    if len(pairs) <= SEEK_PAIRS:
        for client_id, measure in pairs:
            _seek(conn, client_id, measure)
        return
    marked = exists().where(
        ScoreSpanStale.client_id == ScoreSpan.client_id, ScoreSpanStale.measure == ScoreSpan.measure
    )
    conn.execute(delete(ScoreSpan).where(marked))
    # the marked clients first, so the database seeks their scores instead of reading them all
    clients = Score.client_id.in_(select(ScoreSpanStale.client_id))
    stale = exists().where(
        ScoreSpanStale.client_id == Score.client_id, ScoreSpanStale.measure == Score.measure
    )
    conn.execute(insert(ScoreSpan).from_select(_COLUMNS, _grouped(clients, stale)))


def refresh(conn: Connection) -> int:
    """Recompute the spans a write touched, inside its transaction; returns how many pairs
    (0, one cheap read, for a write that changed no score)."""
    marks = select(ScoreSpanStale.client_id, ScoreSpanStale.measure).distinct()
    pairs = sorted((int(c), str(m)) for c, m in conn.execute(marks))
    if not pairs:
        return 0
    _recompute(conn, pairs)
    conn.execute(delete(ScoreSpanStale))
    return len(pairs)


def rebuild(conn: Connection) -> int:
    """Recompute every span from the scores (the caller's transaction); returns the rows."""
    conn.execute(delete(ScoreSpan))
    conn.execute(delete(ScoreSpanStale))
    conn.execute(insert(ScoreSpan).from_select(_COLUMNS, _grouped()))
    return conn.execute(select(func.count()).select_from(ScoreSpan)).scalar_one()


def is_current(conn: Connection) -> bool:
    """True when every write's touched pairs have been recomputed; a write that bypassed
    `engine.write` leaves marks, and until the next write the scores are read instead."""
    return conn.execute(select(ScoreSpanStale.id).limit(1)).first() is None
