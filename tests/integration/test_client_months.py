"""The maintained client months stay equal to the assignments and sessions through any writes,
and the per-client figures read through them equal the ones counted from the live tables.

Hypothesis makes the random writes of test_maintained_homework_days (homework set, reviewed,
imported, undone, deleted, clients moved, sessions recorded, imported and deleted) and then
checks, on SQLite and PostgreSQL, that `client_months` equals a fresh rebuild and that homework
due and attended sessions per client read through it, and the session totals summed in SQL,
equal the live read, for periods that start and end inside months, on month boundaries, without
a start or an end, for any as-of day, client status and viewer. docs/metrics.md: "Where the
figures are read from".
"""

from __future__ import annotations

import datetime as dt
from functools import partial

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, select

from data_access.reads import client_periods
from data_access.reads.client_periods import (
    _month_parts,
    homework_due_per_client,
    sessions_per_client,
    sessions_summed,
)
from data_access.reads.filters import Filters
from data_access.reads.scope import Scope, scope_of
from data_access.store import client_months
from data_access.store.maintained_schema import ClientMonth, HomeworkDayStale
from data_access.store.schema import Client
from tests.builders import D, Practice
from tests.integration.test_maintained_counts import DAYS, TODAY, Staff, day
from tests.integration.test_maintained_homework_days import _apply, _background, steps
from tests.maintained import RANDOM_WRITES, read_live, rebuilt_rows, table_rows


def _rows(engine: Engine) -> list[tuple]:
    return table_rows(engine, ClientMonth.__table__)


def _rebuilt(engine: Engine) -> list[tuple]:
    return rebuilt_rows(engine, client_months.rebuild, ClientMonth.__table__)


def _both_ways(conn: Connection, scope: Scope) -> None:
    """Each per-client figure read through the months equals the live read, and so do the
    session totals summed in SQL, which equal the per-client rows added up (in all and per
    clinician with sessions)."""
    figures = (
        homework_due_per_client,
        sessions_per_client,
        sessions_summed,
        partial(sessions_summed, by_clinician=True),
    )
    for figure in figures:
        maintained = figure(conn, scope)
        with read_live(client_periods):
            live = figure(conn, scope)
        pd.testing.assert_frame_equal(maintained, live, check_dtype=False)
    per_client = sessions_per_client(conn, scope)
    counts = ["attended", "with_homework"]
    assert list(sessions_summed(conn, scope).iloc[0][counts]) == list(per_client[counts].sum())
    owners = pd.DataFrame(
        conn.execute(select(Client.id, Client.clinician_id)).all(),
        columns=["client_id", "clinician_id"],
    )
    by_owner = per_client.merge(owners, on="client_id").groupby("clinician_id")[counts].sum()
    per_clinician = sessions_summed(conn, scope, by_clinician=True).set_index("clinician_id")
    pd.testing.assert_frame_equal(
        per_clinician[counts], by_owner, check_dtype=False, check_index_type=False
    )


@RANDOM_WRITES
@given(
    steps=steps,
    first=st.integers(-5, DAYS - 1),
    length=st.integers(0, DAYS + 5),
    as_of=st.integers(0, 40),
)
def test_client_months_equal_a_rebuild_and_the_figures_equal_the_live_ones(
    fresh_database, steps, first, length, as_of
):
    engine = fresh_database()
    staff = Staff(engine)
    _background(staff)
    for step in steps:
        _apply(staff, step)
    with engine.connect() as conn:
        assert conn.execute(select(HomeworkDayStale)).all() == []  # every write recounted
    assert _rows(engine) == _rebuilt(engine)
    start, end = day(first), day(first + length)
    periods = [
        Filters(start=start, end=end, today=TODAY),
        Filters(start=start, end=end, today=day(as_of), client_status="active"),
        Filters(start=D(2026, 5, 1), end=D(2026, 5, 31), today=TODAY),  # one whole month
        Filters(start=D(2026, 4, 2), end=D(2026, 6, 29), today=TODAY),  # each edge taken off
        Filters(start=start, today=TODAY, clinician_ids=(staff.ana, staff.ben)),
        Filters(end=end, today=day(as_of), client_status="discharged"),
        Filters(today=day(as_of)),
    ]
    with engine.connect() as conn:
        for who in (staff.ada, staff.sam, staff.ben):
            for period in periods:
                _both_ways(conn, scope_of(conn, staff.viewers[who], period))


def test_a_period_is_split_into_whole_months_and_the_fewer_days_at_each_edge() -> None:
    # 26 Apr–3 Jun: April's 5 days and June's 3 counted live, May from the table.
    assert _month_parts(D(2026, 4, 26), D(2026, 6, 3)) == (
        (D(2026, 5, 1), D(2026, 5, 1)),
        [(D(2026, 4, 26), D(2026, 4, 30), 1), (D(2026, 6, 1), D(2026, 6, 3), 1)],
    )
    # 2 Apr–29 May: April and May whole from the table, 1 Apr and 30–31 May taken off.
    assert _month_parts(D(2026, 4, 2), D(2026, 5, 29)) == (
        (D(2026, 4, 1), D(2026, 5, 1)),
        [(D(2026, 4, 1), D(2026, 4, 1), -1), (D(2026, 5, 30), D(2026, 5, 31), -1)],
    )
    # On month boundaries nothing is counted live; open ends read every month on that side.
    assert _month_parts(D(2026, 4, 1), D(2026, 5, 31)) == ((D(2026, 4, 1), D(2026, 5, 1)), [])
    assert _month_parts(None, D(2026, 5, 31)) == ((None, D(2026, 5, 1)), [])
    assert _month_parts(D(2026, 5, 1), None) == ((D(2026, 5, 1), None), [])
    assert _month_parts(None, None) == ((None, None), [])
    # Within one month, across one boundary with no whole month between, or with more than a
    # quarter of the days at the edges (12 + 12 of 20 Aug–12 Nov's 85): all counted live.
    assert _month_parts(D(2026, 5, 3), D(2026, 5, 20)) is None
    assert _month_parts(D(2026, 4, 20), D(2026, 5, 10)) is None
    assert _month_parts(D(2026, 8, 20), D(2026, 11, 12)) is None
    assert _month_parts(D(2026, 8, 31), D(2026, 11, 23)) == (
        (D(2026, 9, 1), D(2026, 11, 1)),
        [(D(2026, 8, 31), D(2026, 8, 31), 1), (D(2026, 11, 24), D(2026, 11, 30), -1)],
    )


def test_the_months_of_one_client_and_two_periods_worked_by_hand(engine):
    """Ana's client had homework due 28 Apr (completed), 5 May (partial), 19 May (pending) and
    2 Jun (not done), and attended sessions on 21 and 28 Apr and 12, 19 and 26 May, each but
    19 May with homework set that day; the 2 Jun session was missed.

    April: 1 due, 1 completed, 1 reviewed; 2 attended, 2 with homework. May: 2 due, 1 partial,
    1 reviewed; 3 attended, 2 with homework. June: 1 due, 1 reviewed, no session attended.
    26 Apr–3 Jun (May from the table, both edges live): all 4 due, 1 completed, 1 partial,
    3 reviewed, credit 1.5; 4 attended (not 21 Apr), 3 with homework.
    2 Apr–29 May (April and May whole, 1 Apr and 30–31 May taken off): 3 due, 1 completed,
    1 partial, 2 reviewed, credit 1.5; all 5 attended, 4 with homework.
    """
    p = Practice(engine)
    ana = p.clinician("Ana")
    client = p.client(ana, intake=D(2026, 4, 1))
    set_on = {D(2026, 4, 21): "completed", D(2026, 4, 28): "partial"}
    set_on |= {D(2026, 5, 12): "pending", D(2026, 5, 26): "not_done"}
    for assigned, status in set_on.items():
        reviewed = None if status == "pending" else assigned + dt.timedelta(days=8)
        p.assignment(client, assigned, status, reviewed=reviewed)
    for held in (D(2026, 4, 21), D(2026, 4, 28), D(2026, 5, 12), D(2026, 5, 19), D(2026, 5, 26)):
        p.session(client, held, "attended")
    p.session(client, D(2026, 6, 2), "no_show")
    assert _rows(engine) == [
        (client, D(2026, 4, 1), 1, 1, 0, 1, 2, 2),
        (client, D(2026, 5, 1), 2, 0, 1, 1, 3, 2),
        (client, D(2026, 6, 1), 1, 0, 0, 1, 0, 0),
    ]
    today = D(2026, 6, 10)
    with engine.connect() as conn:
        for (start, end), due, sessions in (
            ((D(2026, 4, 26), D(2026, 6, 3)), (4, 1, 1, 3, 1.5), (4, 3)),
            ((D(2026, 4, 2), D(2026, 5, 29)), (3, 1, 1, 2, 1.5), (5, 4)),
        ):
            scope = scope_of(conn, p.viewer(ana), Filters(start=start, end=end, today=today))
            figures = homework_due_per_client(conn, scope).iloc[0]
            assert tuple(figures[["due", "completed", "partial", "reviewed"]]) == due[:4]
            assert figures["credit"] == due[4]
            attended = sessions_per_client(conn, scope).iloc[0]
            assert tuple(attended[["attended", "with_homework"]]) == sessions
            _both_ways(conn, scope)


def test_the_migration_fills_the_months_as_a_rebuild_does(engine):
    """0015 fills `client_months` from what is there: a downgrade to 0014 and an upgrade give
    the rows a rebuild gives."""
    from alembic import command

    from data_access.store.migrate import alembic_config, upgrade

    staff = Staff(engine)
    _background(staff)
    before = _rows(engine)
    assert len(before) >= 8  # four clients over two months
    command.downgrade(alembic_config(engine), "0014")
    upgrade(engine)
    assert _rows(engine) == before == _rebuilt(engine)
