"""Baseline and latest scores per client and measure, reduced in SQL.

Every outcome figure (client headline, reliable change, recovery, paired outcome, flags) starts
from this one rule, so "baseline" and "latest" mean the same thing everywhere: the first score
in the window and the last (a client has at most one score per measure and day);
docs/metrics.md. Read from the scores (`baseline_latest`) or through the maintained spans
(`from_spans`); pages call `window_pairs`, which picks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Select, Subquery, and_, case, func, select, true

from data_access.reads.filters import date_between
from data_access.reads.frames import read_frame
from data_access.reads.scope import Scope
from data_access.store import score_spans
from data_access.store.engine import is_sqlite
from data_access.store.maintained_schema import ScoreSpan
from data_access.store.schema import Client, Measure, Score

READ_MAINTAINED = True  # the benchmark and the tests turn it off to compare with the live read


def baseline_latest(
    conn: Connection,
    scope: Scope,
    measures: Sequence[str] = ("PHQ-9", "GAD-7"),
    client_ids: Sequence[int] | None = None,
    *,
    counted: bool = True,
) -> pd.DataFrame:
    """One row per visible client and measure: first and latest score in the window, and N.

    Columns: client_id, client_code, clinician_id, measure, baseline, latest, baseline_on,
    latest_on, n_scores (left out when not `counted`: `paired` tells two or more apart from
    one without it). Pairs with no score in the window have no row. Computed from the scores.
    """
    query = _select(conn, scope, measures, client_ids, counted, maintained=False)
    return _read(conn, query, counted)


def window_pairs(
    conn: Connection,
    scope: Scope,
    measures: Sequence[str] = ("PHQ-9", "GAD-7"),
    client_ids: Sequence[int] | None = None,
    *,
    counted: bool = True,
) -> pd.DataFrame:
    """`baseline_latest`, read through the maintained spans (`from_spans`) unless
    READ_MAINTAINED is off: what every page figure calls."""
    read = from_spans if READ_MAINTAINED else baseline_latest
    return read(conn, scope, measures, client_ids, counted=counted)


def window_pairs_select(
    conn: Connection, scope: Scope, measures: Sequence[str], client_ids: Sequence[int] | None
) -> Select:
    """The SELECT `window_pairs` runs (uncounted; `n_scores` may come along): for a figure that
    reduces the pairs further in SQL instead of fetching them."""
    return _select(conn, scope, measures, client_ids, counted=False, maintained=READ_MAINTAINED)


def _select(
    conn: Connection,
    scope: Scope,
    measures: Sequence[str],
    client_ids: Sequence[int] | None,
    counted: bool,
    *,
    maintained: bool,
) -> Select:
    """Baseline/latest rows through the spans while they are current (`maintained`), else
    from the scores: seeking on SQLite, grouping on PostgreSQL (which always counts)."""
    if maintained and score_spans.is_current(conn):
        return _span_rows(scope, tuple(measures), client_ids, counted, lateral=not is_sqlite(conn))
    if is_sqlite(conn):
        return _by_seeking(scope, tuple(measures), client_ids, counted)
    return _by_grouping(scope, tuple(measures), client_ids)


def _read(conn: Connection, query: Select, counted: bool = True) -> pd.DataFrame:
    """Run a baseline/latest query into a frame with its days as dates (without `n_scores`
    unless `counted`)."""
    frame = read_frame(query, conn)
    for column in ("baseline_on", "latest_on"):
        # Both drivers' rows already hold dates; converting 15,000 pairs again cost 20 ms.
        if pd.api.types.infer_dtype(frame[column], skipna=True) not in ("date", "empty"):
            frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame if counted or "n_scores" not in frame else frame.drop(columns="n_scores")


def paired(pairs: pd.DataFrame) -> pd.Series:
    """Which rows of a baseline/latest frame have two or more scores in the window: a client
    has at most one score per measure and day (the database's unique rule), so exactly those
    whose first and latest score fall on different days."""
    return pairs["baseline_on"] != pairs["latest_on"]


def from_spans(
    conn: Connection,
    scope: Scope,
    measures: Sequence[str] = ("PHQ-9", "GAD-7"),
    client_ids: Sequence[int] | None = None,
    *,
    counted: bool = True,
) -> pd.DataFrame:
    """`baseline_latest` read through the maintained spans (`data_access/store/score_spans.py`):
    the same rows, columns and order, for any window.

    A span holds a pair's first and last score over its whole history. Inside a window the
    first is the span's own when it falls on or after the window's start, else one seek for the
    first score from the start on; the latest likewise at the end. A pair costs at most two
    seeks, and none when its history lies within the window (every pair as of today); the
    count is the span's then, else counted in the window. While a write that bypassed
    `engine.write` has left pairs marked, everything is read from the scores.
    """
    query = _select(conn, scope, measures, client_ids, counted, maintained=True)
    return _read(conn, query, counted)


def _in_window(
    client_id: ColumnElement[int], measure: ColumnElement[str], scope: Scope, newest: bool | None
) -> ColumnElement[int]:
    """A pair's scores in the window, one seek in the (client, measure, day) index: the id of
    the first or the last (`newest`), or (None) how many. A pair has at most one score a day,
    so the day orders them."""
    score = Score.__table__.alias("score")
    query = select(func.count() if newest is None else score.c.id).where(
        score.c.client_id == client_id,
        score.c.measure == measure,
        date_between(score.c.recorded_on, scope.filters),
    )
    if newest is not None:
        day = score.c.recorded_on
        query = query.order_by(day.desc() if newest else day).limit(1)
    return query.scalar_subquery()


def _span_rows(
    scope: Scope,
    measures: tuple[str, ...],
    client_ids: Sequence[int] | None,
    counted: bool,
    *,
    lateral: bool,
) -> Select:
    """Baseline/latest rows from the spans that overlap the window: each pair's first and last
    score id (the span's own, or one seek), then each score fetched by its id (`lateral`: see
    `_values`)."""
    start, end = scope.filters.start, scope.filters.end
    overlaps = [scope.clients(), ScoreSpan.measure.in_(measures)]
    if client_ids is not None:
        overlaps.append(Client.id.in_(tuple(client_ids)))
    first_inside = true() if start is None else ScoreSpan.first_on >= start
    last_inside = true() if end is None else ScoreSpan.last_on <= end
    if start is not None:
        overlaps.append(ScoreSpan.last_on >= start)
    if end is not None:
        overlaps.append(ScoreSpan.first_on <= end)

    def span_or_seek(inside: ColumnElement[bool], own: ColumnElement[int], newest: bool | None):  # noqa: ANN202 - a SQL expression
        sought = _in_window(ScoreSpan.client_id, ScoreSpan.measure, scope, newest)
        return case((inside, own), else_=sought)

    ids = [
        span_or_seek(first_inside, ScoreSpan.first_id, newest=False).label("first_id"),
        span_or_seek(last_inside, ScoreSpan.last_id, newest=True).label("last_id"),
    ]
    if counted:
        whole = and_(first_inside, last_inside)
        ids.append(span_or_seek(whole, ScoreSpan.n, newest=None).label("n_scores"))
    spans = (
        select(
            ScoreSpan.client_id,
            Client.code.label("client_code"),
            Client.clinician_id,
            ScoreSpan.measure,
            *ids,
        )
        .select_from(Client)
        .join(ScoreSpan, ScoreSpan.client_id == Client.id)
        .where(*overlaps)
        .subquery()
    )
    return _values(spans, counted, lateral=lateral)


def _values(spans: Subquery, counted: bool, *, lateral: bool = False) -> Select:
    """Each pair's baseline and latest fetched by their score ids, in (client, measure) order.

    `lateral` (PostgreSQL): each score looked up by its id in a LATERAL subquery. Joined plainly,
    PostgreSQL hashed all the practice's scores (2.1 million) to meet a few thousand ids;
    SQLite has no LATERAL and looks each id up by its primary key anyway.
    """
    if lateral:
        first, last = (_by_id(spans.c[column], column) for column in ("first_id", "last_id"))
        joined = select().select_from(spans).join(first, true()).join(last, true())
    else:
        first = Score.__table__.alias("first")
        last = Score.__table__.alias("last")
        joined = (
            select()
            .select_from(spans)
            .join(first, first.c.id == spans.c.first_id)
            .join(last, last.c.id == spans.c.last_id)
        )
    return joined.add_columns(
        spans.c.client_id,
        spans.c.client_code,
        spans.c.clinician_id,
        spans.c.measure,
        first.c.value.label("baseline"),
        last.c.value.label("latest"),
        first.c.recorded_on.label("baseline_on"),
        last.c.recorded_on.label("latest_on"),
        *([spans.c.n_scores] if counted else []),
    ).order_by(spans.c.client_id, spans.c.measure)


def _by_id(score_id: ColumnElement[int], name: str) -> Subquery:
    """LATERAL (PostgreSQL): the value and day of the score `score_id`, one primary-key seek."""
    score = Score.__table__.alias(f"{name}_score")
    return (
        select(score.c.value, score.c.recorded_on)
        .where(score.c.id == score_id)
        .limit(1)  # a LATERAL with LIMIT stays a lookup: PostgreSQL does not flatten it
        .lateral(name.removesuffix("_id"))
    )


def _by_seeking(
    scope: Scope, measures: tuple[str, ...], client_ids: Sequence[int] | None, counted: bool
) -> Select:
    """SQLite: per visible client and measure, two seeks into the (client, measure, day) index
    for the first and the last score's ids (a third counts them), then each score fetched by
    id. Grouping every score in the window instead reads each client's whole history.
    """
    pairs = (
        select(
            Client.id.label("client_id"),
            Client.code.label("client_code"),
            Client.clinician_id,
            Measure.code.label("measure"),
        )
        .join(Measure, Measure.code.in_(measures))
        .where(scope.clients())
    )
    if client_ids is not None:
        pairs = pairs.where(Client.id.in_(tuple(client_ids)))
    ids = [
        _in_window(Client.id, Measure.code, scope, newest=False).label("first_id"),
        _in_window(Client.id, Measure.code, scope, newest=True).label("last_id"),
    ]
    if counted:
        ids.append(_in_window(Client.id, Measure.code, scope, newest=None).label("n_scores"))
    return _values(pairs.add_columns(*ids).subquery(), counted)


def _by_grouping(
    scope: Scope, measures: tuple[str, ...], client_ids: Sequence[int] | None
) -> Select:
    """PostgreSQL: one GROUP BY over the window's scores, then one seek for each value.

    PostgreSQL hashes a practice's scores quickly, while its per-row index probes cost more
    than SQLite's, so seeking (as `_by_seeking` does) is slower here.
    """
    in_view = [scope.client_ids(Score.client_id)]
    if client_ids is not None:
        in_view.append(Score.client_id.in_(tuple(client_ids)))
    spans = (
        select(
            Score.client_id,
            Score.measure,
            func.min(Score.recorded_on).label("baseline_on"),
            func.max(Score.recorded_on).label("latest_on"),
            func.count().label("n_scores"),
        )
        .where(
            Score.measure.in_(measures), date_between(Score.recorded_on, scope.filters), *in_view
        )
        .group_by(Score.client_id, Score.measure)
        .subquery()
    )

    def value_on(day: ColumnElement[dt.date], newest: bool) -> ColumnElement[int]:
        """The score on `day` (first by id for the baseline, last by id for the latest)."""
        score = Score.__table__.alias("score")
        return (
            select(score.c.value)
            .where(
                score.c.client_id == spans.c.client_id,
                score.c.measure == spans.c.measure,
                score.c.recorded_on == day,
            )
            .order_by(score.c.id.desc() if newest else score.c.id)
            .limit(1)
            .scalar_subquery()
        )

    return (
        select(
            spans.c.client_id,
            Client.code.label("client_code"),
            Client.clinician_id,
            spans.c.measure,
            value_on(spans.c.baseline_on, newest=False).label("baseline"),
            value_on(spans.c.latest_on, newest=True).label("latest"),
            spans.c.baseline_on,
            spans.c.latest_on,
            spans.c.n_scores,
        )
        .join(Client, Client.id == spans.c.client_id)
        .order_by(spans.c.client_id, spans.c.measure)
    )
