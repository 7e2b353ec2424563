"""The maintained lag weeks stay equal to the assignments and scores through any writes, and the
one-week lag read through them equals the one derived from the live tables.

Hypothesis makes the random writes of test_flag_inputs (homework set, reviewed, imported, undone
and deleted, a client moved, sessions, PHQ-9 scores on the form) on top of weeks of PHQ-9 and
GAD-7 scores, and then checks, on SQLite and PostgreSQL, that `client_lag_weeks` equals a fresh
rebuild and that `lag_view` read through it equals the live read, for periods that start and
end mid-week and on week boundaries, without a start, for any as-of day, client status, viewer
and with a type filter (the kept weeks' homework counted again for the type). docs/metrics.md:
"One week later" and "Where the figures are read from".
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from data_access.reads import outcome_lag
from data_access.reads.filters import Filters
from data_access.reads.outcome_lag import lag_view, lag_weeks_between
from data_access.reads.scope import scope_of
from data_access.store import lag_weeks
from data_access.store.maintained_schema import ClientLagWeek
from tests.builders import D, Practice
from tests.integration.test_flag_inputs import _apply, steps
from tests.integration.test_maintained_counts import TODAY, Staff, day
from tests.integration.test_maintained_homework_days import _background
from tests.maintained import RANDOM_WRITES, read_live, rebuilt_rows, table_rows


def _rows(engine: Engine) -> list[tuple]:
    return table_rows(engine, ClientLagWeek.__table__)


def _rebuilt(engine: Engine) -> list[tuple]:
    return rebuilt_rows(engine, lag_weeks.rebuild, ClientLagWeek.__table__)


def _both_ways(engine: Engine, viewer: object, filters: Filters, measure: str) -> dict:
    """`lag_view` read through the kept weeks, checked equal to the live read."""
    with engine.connect() as conn:
        kept = lag_view(conn, viewer, filters, measure)
        with read_live(outcome_lag):
            live = lag_view(conn, viewer, filters, measure)
    pd.testing.assert_frame_equal(kept["rows"], live["rows"], check_exact=False)
    assert kept["difference"] == pytest.approx(live["difference"], nan_ok=True)
    return kept


def _scores(staff: Staff) -> None:
    """PHQ-9 and GAD-7 for the first four clients over six weeks, some weeks twice (a week's
    mean is over its scores) and one week skipped, so consecutive weeks and gaps both occur."""
    p = Practice(staff.engine)
    for client in range(4):
        for week in range(6):
            if week == 3 and client % 2:
                continue
            for extra in range(1 + (week + client) % 2):
                on = day(7 * week + 2 * extra + client % 3)
                p.score(staff.clients[client], "PHQ-9", 5 + (3 * week + client + extra) % 15, on)
                p.score(staff.clients[client], "GAD-7", 3 + (week + 2 * client) % 12, on)


@RANDOM_WRITES
@given(
    steps=steps,
    first=st.integers(-3, 20),
    length=st.integers(7, 45),
    as_of=st.integers(10, 45),
)
def test_lag_weeks_equal_a_rebuild_and_the_lag_read_through_them_equals_the_live_one(
    fresh_database, steps, first, length, as_of
):
    engine = fresh_database()
    try:
        staff = Staff(engine)
        _background(staff)
        _scores(staff)
        for step in steps:
            _apply(staff, step)
        rows = _rows(engine)
        assert rows and rows == _rebuilt(engine)
        with engine.connect() as conn:
            assert lag_weeks.is_current(conn)
        start, end = day(first), day(first + length)
        records = Practice(engine).type_ids["Thought Record"]
        periods = [
            Filters(start=start, end=end, today=TODAY),
            Filters(start=start, end=end, today=day(as_of), client_status="active"),
            Filters(start=day(0), end=day(41), today=day(60)),  # six whole weeks
            Filters(end=end, today=day(as_of), clinician_ids=(staff.ana,)),
            Filters(today=day(as_of), client_status="discharged"),
            Filters(start=start, end=end, today=TODAY, type_ids=(records,)),
        ]
        for who in (staff.ada, staff.sam, staff.ben):
            for period in periods:
                for measure in ("PHQ-9", "GAD-7"):
                    _both_ways(engine, staff.viewers[who], period, measure)
    finally:
        engine.dispose()


def test_the_weeks_compared_lie_wholly_in_the_period_and_end_by_the_as_of_day() -> None:
    # Wednesday 6 May to Sunday 31 May, today later: weeks of 11 and 18 May (the week of 25 May
    # has no whole week after it in the period; the week of 4 May is cut by the start).
    later = D(2026, 6, 30)
    assert lag_weeks_between(Filters(start=D(2026, 5, 6), end=D(2026, 5, 31), today=later)) == (
        D(2026, 5, 11),
        D(2026, 5, 18),
    )
    # Starting on a Monday keeps that week; "today" on Saturday 30 May cuts the week of 25 May.
    saturday = Filters(start=D(2026, 5, 4), end=D(2026, 6, 7), today=D(2026, 5, 30))
    assert lag_weeks_between(saturday)[1] == D(2026, 5, 11)
    assert lag_weeks_between(Filters(start=D(2026, 5, 4), today=later))[0] == D(2026, 5, 4)
    assert lag_weeks_between(Filters(today=later))[0] is None


def test_one_client_s_weeks_worked_by_hand(engine):
    """One client, PHQ-9 on Mondays 4, 11, 18 and 25 May (16, 14, 15, 11) plus 13 on Friday
    8 May, so the week of 4 May has the mean 14.5. Homework due 6 May (completed) and 7 May
    (not done): 50 %, mostly done; due 13 May partial: 50 %, mostly done; due 20 May not done.
    Week of 4 May: done, 14 - 14.5 = -0.5; of 11 May: done, +1; of 18 May: not done, -4.
    PHQ-9: lower is better, so the lag signs the changes +0.5, -1 (done) and +4 (not done)."""
    p = Practice(engine)
    ana = p.clinician("Ana")
    client = p.client(ana, intake=D(2026, 4, 1))
    for on, value in ((4, 16), (8, 13), (11, 14), (18, 15), (25, 11)):
        p.score(client, "PHQ-9", value, D(2026, 5, on))
    for due, status in ((6, "completed"), (7, "not_done"), (13, "partial"), (20, "not_done")):
        p.assignment(client, D(2026, 4, 30), status, due=D(2026, 5, due), reviewed=D(2026, 5, 27))
    assert _rows(engine) == [
        ("PHQ-9", client, D(2026, 5, 4), 1, -0.5),
        ("PHQ-9", client, D(2026, 5, 11), 1, 1.0),
        ("PHQ-9", client, D(2026, 5, 18), 0, -4.0),
    ]
    viewer = p.viewer(ana)
    whole = Filters(start=D(2026, 5, 1), end=D(2026, 5, 31), today=D(2026, 6, 10))
    lag = _both_ways(engine, viewer, whole, "PHQ-9")["rows"].set_index("group")
    assert (lag.loc["done", "n_weeks"], lag.loc["not_done", "n_weeks"]) == (2, 1)
    assert (lag.loc["done", "n_clients"], lag.loc["not_done", "n_clients"]) == (1, 1)
    # Ending on Thursday 28 May leaves out the week of 18 May (its next week is cut).
    cut = Filters(start=D(2026, 5, 1), end=D(2026, 5, 28), today=D(2026, 6, 10))
    lag = _both_ways(engine, viewer, cut, "PHQ-9")["rows"].set_index("group")
    assert (lag.loc["done", "n_weeks"], lag.loc["not_done", "n_weeks"]) == (2, 0)
    with engine.connect() as conn:
        per_client = outcome_lag.client_lag(conn, scope_of(conn, viewer, whole), "PHQ-9")
    assert per_client.iloc[0]["done_change"] == pytest.approx(-0.25)  # (+0.5 - 1) / 2
    assert per_client.iloc[0]["other_change"] == pytest.approx(4.0)


def test_a_type_filter_counts_each_kept_week_s_homework_again(engine):
    """The kept weeks hold homework of every type: with a type filter a week's homework is only
    the chosen types', counted again for each kept week. PHQ-9 16, 14, 15 on Mondays 4, 11 and
    18 May; a Thought Record due 6 May completed and an Exposure Practice due 13 May not done.
    Every type: the week of 4 May done (+2), of 11 May not done (-1). Thought Records only:
    the week of 4 May alone."""
    p = Practice(engine)
    ana = p.clinician("Ana")
    client = p.client(ana, intake=D(2026, 4, 1))
    for on, value in ((4, 16), (11, 14), (18, 15)):
        p.score(client, "PHQ-9", value, D(2026, 5, on))
    p.assignment(client, D(2026, 4, 30), "completed", due=D(2026, 5, 6), reviewed=D(2026, 5, 7))
    p.assignment(
        client,
        D(2026, 5, 7),
        "not_done",
        "Exposure Practice",
        D(2026, 5, 13),
        reviewed=D(2026, 5, 14),
    )
    period = Filters(start=D(2026, 5, 1), end=D(2026, 5, 31), today=D(2026, 6, 10))
    viewer = p.viewer(ana)
    every = _both_ways(engine, viewer, period, "PHQ-9")["rows"].set_index("group")
    assert list(every["n_weeks"]) == [1, 1] and list(every["mean"].isna()) == [True, True]
    records = replace(period, type_ids=(p.type_ids["Thought Record"],))
    only = _both_ways(engine, viewer, records, "PHQ-9")["rows"].set_index("group")
    assert (only.loc["done", "n_weeks"], only.loc["not_done", "n_weeks"]) == (1, 0)


def test_the_migration_fills_the_weeks_as_a_rebuild_does(engine):
    """0016 fills `client_lag_weeks` from what is there: a downgrade to 0015 and an upgrade give
    the rows a rebuild gives."""
    from alembic import command

    from data_access.store.migrate import alembic_config, upgrade

    staff = Staff(engine)
    _background(staff)
    _scores(staff)
    before = _rows(engine)
    assert len(before) >= 8
    command.downgrade(alembic_config(engine), "0015")
    upgrade(engine)
    assert _rows(engine) == before == _rebuilt(engine)
