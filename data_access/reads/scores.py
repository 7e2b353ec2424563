"""Baseline and latest scores per client and measure, reduced in SQL.

Every outcome figure (client headline, reliable change, recovery, paired outcome, flags) starts
from this one query, so "baseline" and "latest" mean the same thing everywhere: the first score
in the window (lowest id on its day) and the last (highest id on its day); docs/metrics.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Select, func, select

from data_access.reads.filters import date_between
from data_access.reads.scope import Scope
from data_access.store import score_spans
from data_access.store.engine import is_sqlite
from data_access.store.maintained_schema import ScoreSpan
from data_access.store.schema import Client, Measure, Score

# `from_spans` reads everything live when more than this share of the clients have a score
# after the window's end: recomputing them would cost what the live read does.
LIVE_SHARE = 0.5
LIVE_CLIENTS_MAX = 2_000  # and beyond this many: their ids would be one long IN list


def baseline_latest(
    conn: Connection,
    scope: Scope,
    measures: Sequence[str] = ("PHQ-9", "GAD-7"),
    client_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """One row per visible client and measure: first and latest score in the window, and N.

    Columns: client_id, client_code, clinician_id, measure, baseline, latest, baseline_on,
    latest_on, n_scores. Pairs with no score in the window have no row.
    """
    shape = _by_seeking if is_sqlite(conn) else _by_grouping
    return _read(conn, shape(scope, tuple(measures), client_ids))


def _read(conn: Connection, query: Select) -> pd.DataFrame:
    """Run a baseline/latest query into a frame with its days as dates."""
    frame = pd.read_sql(query, conn)
    for column in ("baseline_on", "latest_on"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def from_spans(
    conn: Connection,
    scope: Scope,
    measures: Sequence[str] = ("PHQ-9", "GAD-7"),
    client_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """`baseline_latest` for a window with no start date, read from the maintained spans
    (`data_access/store/score_spans.py`): the same rows, columns and order.

    A span holds a pair's whole history, so it answers every pair whose last score is on or
    before the window's end (all of them, as of today). The clients with a pair scored later
    (an earlier as-of day) are computed live, and everything is when they are most of them, or
    when a write bypassed `engine.write` and left pairs marked (docs/metrics.md).
    """
    if scope.filters.start is not None:
        raise ValueError("the spans hold whole histories: a window with a start date reads live")
    if not score_spans.is_current(conn):
        return baseline_latest(conn, scope, measures, client_ids)
    late = _scored_later(conn, scope, measures, client_ids)
    if late is None:
        return baseline_latest(conn, scope, measures, client_ids)
    frame = _read(conn, _span_rows(scope, tuple(measures), client_ids))
    if not late:
        return frame
    live = baseline_latest(conn, scope, measures, late)
    kept = frame[~frame["client_id"].isin(late)]
    parts = [part for part in (kept, live) if not part.empty]
    if not parts:
        return live  # nothing scored by the end: the live query's empty frame
    merged = pd.concat(parts, ignore_index=True)
    return merged.sort_values(["client_id", "measure"], kind="stable", ignore_index=True)


def _scored_later(
    conn: Connection, scope: Scope, measures: Sequence[str], client_ids: Sequence[int] | None
) -> list[int] | None:
    """The clients in view with a score after the window's end, which the spans cannot answer;
    None when they are more than LIVE_SHARE of those with a span, or LIVE_CLIENTS_MAX (read
    them all live).

    One seek in the spans' `last_on` index answers "none" (every read as of today).
    """
    end = scope.filters.end
    in_measures = ScoreSpan.measure.in_(tuple(measures))
    if end is None:
        return []
    later = select(ScoreSpan.client_id).where(ScoreSpan.last_on > end, in_measures).limit(1)
    if conn.execute(later).first() is None:
        return []
    query = (
        select(ScoreSpan.client_id, func.max(ScoreSpan.last_on))
        .join(Client, Client.id == ScoreSpan.client_id)
        .where(scope.clients(), in_measures)
        .group_by(ScoreSpan.client_id)
    )
    if client_ids is not None:
        query = query.where(ScoreSpan.client_id.in_(tuple(client_ids)))
    last_on = {int(c): pd.Timestamp(day).date() for c, day in conn.execute(query)}
    late = sorted(c for c, day in last_on.items() if day > end)
    too_many = len(late) > min(LIVE_SHARE * len(last_on), LIVE_CLIENTS_MAX)
    return None if too_many else late


def _span_rows(scope: Scope, measures: tuple[str, ...], client_ids: Sequence[int] | None) -> Select:
    """Baseline/latest rows read from the spans: each pair's row by its key, each value by the
    score's id."""
    first = Score.__table__.alias("first")
    last = Score.__table__.alias("last")
    query = (
        select(
            ScoreSpan.client_id,
            Client.code.label("client_code"),
            Client.clinician_id,
            ScoreSpan.measure,
            first.c.value.label("baseline"),
            last.c.value.label("latest"),
            ScoreSpan.first_on.label("baseline_on"),
            ScoreSpan.last_on.label("latest_on"),
            ScoreSpan.n.label("n_scores"),
        )
        .select_from(Client)
        .join(ScoreSpan, ScoreSpan.client_id == Client.id)
        .join(first, first.c.id == ScoreSpan.first_id)
        .join(last, last.c.id == ScoreSpan.last_id)
        .where(scope.clients(), ScoreSpan.measure.in_(measures))
        .order_by(ScoreSpan.client_id, ScoreSpan.measure)
    )
    if client_ids is not None:
        query = query.where(Client.id.in_(tuple(client_ids)))
    return query


def _by_seeking(
    scope: Scope, measures: tuple[str, ...], client_ids: Sequence[int] | None
) -> Select:
    """SQLite: per visible client and measure, three seeks into the (client, measure, day) index.

    The first and the last score's ids and the count, then each score fetched by id. Grouping
    every score in the window instead reads each client's whole history.
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

    def in_window(newest: bool | None) -> ColumnElement[int]:
        """The pair's scores in the window: the id of the first or the last, or (None) how many."""
        score = Score.__table__.alias("score")
        query = select(func.count() if newest is None else score.c.id).where(
            score.c.client_id == Client.id,
            score.c.measure == Measure.code,
            date_between(score.c.recorded_on, scope.filters),
        )
        if newest is not None:
            order = [score.c.recorded_on, score.c.id]
            query = query.order_by(*[c.desc() for c in order] if newest else order).limit(1)
        return query.scalar_subquery()

    spans = pairs.add_columns(
        in_window(newest=False).label("first_id"),
        in_window(newest=True).label("last_id"),
        in_window(newest=None).label("n_scores"),
    ).subquery()
    first = Score.__table__.alias("first")
    last = Score.__table__.alias("last")
    return (
        select(
            spans.c.client_id,
            spans.c.client_code,
            spans.c.clinician_id,
            spans.c.measure,
            first.c.value.label("baseline"),
            last.c.value.label("latest"),
            first.c.recorded_on.label("baseline_on"),
            last.c.recorded_on.label("latest_on"),
            spans.c.n_scores,
        )
        .join(first, first.c.id == spans.c.first_id)
        .join(last, last.c.id == spans.c.last_id)
        .order_by(spans.c.client_id, spans.c.measure)
    )


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
