"""Maintained lag weeks: per client, measure and week, what the one-week lag compares (whether
the homework due that week was mostly done, and the change of the mean score to the next week),
kept equal to `assignments` and `scores` inside every write.

The Outcomes page's "one week later" sums these rows per client over the period's whole weeks
(`reads/outcome_lag.py`) instead of grouping a year of assignments and scores by week. A
client's weeks depend on their assignments and scores alone, which the triggers of migrations
0011 and 0012 already note in `homework_days_stale` and `score_spans_stale`; `refresh`, called
by `engine.write` before those marks are cleared, recomputes the noted clients' weeks in the
same transaction. docs/metrics.md has the rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Subquery,
    and_,
    case,
    delete,
    func,
    insert,
    select,
)

from data_access.reads import metrics  # the one rule for completed, partial and reviewed
from data_access.store import flag_inputs
from data_access.store.maintained_schema import ClientLagWeek
from data_access.store.schema import Assignment, Score
from data_access.store.sql_dates import days_after, week_start

DONE_WEEK = 0.5  # a week counts as "mostly done" at this completion rate or more
LAG_MEASURES = ("PHQ-9", "GAD-7")  # kept for the Outcomes page's measures; others read live
COLUMNS = ["measure", "client_id", "week", "done", "change"]
Clients = Callable[[ColumnElement[int]], ColumnElement[bool]]  # picks clients by their id column


def _homework(
    clients: Clients | None,
    first: dt.date | None,
    last: dt.date | None,
    types: ColumnElement[bool] | None,
) -> Subquery:
    """Per client and week (Monday) with reviewed homework due in it, of the types `types`
    picks (all when None): whether it was mostly done (1) or not (0), as `done`."""
    picked = [] if clients is None else [clients(Assignment.client_id)]
    if first is not None:
        picked.append(Assignment.due_week >= first)
    if last is not None:
        picked.append(Assignment.due_week <= last)
    if types is not None:
        picked.append(types)
    mostly = metrics.completion_credit() >= DONE_WEEK * metrics.reviewed_count()
    done = case((mostly, 1), else_=0).label("done")
    # `week_start` of a Monday is itself; as the same expression as the scores' week, SQLite can
    # join the two on (client, week) through an index instead of on the client alone.
    return (
        select(Assignment.client_id, week_start(Assignment.due_week).label("week"), done)
        .where(Assignment.status != "pending", *picked)
        .group_by(Assignment.client_id, Assignment.due_week)
        .subquery("homework")
    )


def lag_weeks_of(
    clients: Clients | None,
    measures: Sequence[str],
    first: dt.date | None = None,
    last: dt.date | None = None,
    types: ColumnElement[bool] | None = None,
) -> Select:
    """SELECT of `client_lag_weeks` rows, in COLUMNS' order: the clients `clients` picks (all
    when None), weeks w from Monday `first` to Monday `last` (w + 1 may pass `last`), homework
    of the types `types` picks (all when None).

    Week w's homework is the reviewed assignments due in it (`due_week`); it is mostly done at
    a completion rate (completed + ½ partial over reviewed) of DONE_WEEK or more. The change is
    the mean score of week w + 1 minus that of week w (unsigned: the reader signs it)."""
    homework = _homework(clients, first, last, types)
    scored = [Score.measure.in_(tuple(measures))]
    if clients is not None:
        scored.append(clients(Score.client_id))
    if first is not None:
        scored.append(Score.recorded_on >= first)
    if last is not None:
        scored.append(Score.recorded_on <= last + dt.timedelta(days=13))  # w + 1's Sunday
    week = week_start(Score.recorded_on)
    means = (
        select(Score.client_id, Score.measure, week.label("week"), func.avg(Score.value * 1.0))
        .where(*scored)
        .group_by(Score.client_id, Score.measure, week)
        .cte("means")
        # PostgreSQL would materialize it, misjudge its rows and loop over it for every week:
        # inlined, it plans each side with the statistics it has (minutes against seconds).
        .prefix_with("NOT MATERIALIZED", dialect="postgresql")
    )
    this, following = means.alias("this_week"), means.alias("next_week")
    return (
        select(
            this.c.measure,
            homework.c.client_id,
            homework.c.week,
            homework.c.done,
            (following.c[3] - this.c[3]).label("change"),
        )
        .select_from(homework)
        .join(this, and_(this.c.client_id == homework.c.client_id, this.c.week == homework.c.week))
        .join(
            following,
            and_(
                following.c.client_id == this.c.client_id,
                following.c.measure == this.c.measure,
                following.c.week == days_after(this.c.week, 7),
            ),
        )
    )


def kept_weeks_of_types(
    clients: Clients, first: dt.date | None, last: dt.date | None, types: ColumnElement[bool]
) -> Select:
    """`lag_weeks_of`'s rows for homework of some types only, from the kept rows: a week with
    reviewed homework of those types has reviewed homework of any type, so its kept row holds
    the change; only whether it was mostly done is counted again, from those types."""
    kept = ClientLagWeek.__table__
    homework = _homework(clients, first, last, types)
    same_week = and_(homework.c.client_id == kept.c.client_id, homework.c.week == kept.c.week)
    columns = [kept.c.measure, kept.c.client_id, kept.c.week, homework.c.done, kept.c.change]
    return select(*columns).join(homework, same_week)


def refresh(conn: Connection) -> int:
    """Recompute the weeks of the clients a write touched, inside its transaction, before the
    homework days and score spans clear the marks it reads; returns how many clients (0, two
    cheap reads, for a write that touched none)."""
    if flag_inputs.is_current(conn):
        return 0
    clients = len(conn.execute(flag_inputs.marked_clients()).all())
    touched = select(flag_inputs.marked_clients().subquery().c.client_id)
    conn.execute(delete(ClientLagWeek).where(ClientLagWeek.client_id.in_(touched)))
    rows = lag_weeks_of(lambda client_id: client_id.in_(touched), LAG_MEASURES)
    conn.execute(insert(ClientLagWeek).from_select(COLUMNS, rows))
    return clients


def rebuild(conn: Connection) -> int:
    """Recompute every row from the live tables (the caller's transaction); returns the rows."""
    conn.execute(delete(ClientLagWeek))
    conn.execute(insert(ClientLagWeek).from_select(COLUMNS, lag_weeks_of(None, LAG_MEASURES)))
    return conn.execute(select(func.count()).select_from(ClientLagWeek)).scalar_one()


def is_current(conn: Connection) -> bool:
    """True when no client is marked (the marks of the homework days and score spans)."""
    return flag_inputs.is_current(conn)
