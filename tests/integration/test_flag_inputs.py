"""The maintained flag inputs stay equal to the assignments, sessions and scores through any
writes, and the flags read from them are the flags derived live.

Hypothesis makes random writes as the app and the command line make them (homework set,
reviewed, imported, undone and deleted, a client moved, sessions recorded, imported and
deleted, scores recorded, refused writes too) and then checks, on SQLite and PostgreSQL, that
`client_flag_inputs` and `client_flag_steps` equal a fresh rebuild and that the needs-attention
list read through them equals the list derived from the live tables, for the admin and a
clinician, as of today (read from the inputs) and as of an earlier day (read from the steps).
docs/metrics.md: "Needs attention".
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, Select, insert, select

from data_access.reads import flags
from data_access.reads.filters import Filters
from data_access.reads.scope import scope_of
from data_access.records.recording import record_scores
from data_access.store import flag_inputs
from data_access.store.engine import write
from data_access.store.errors import DataError
from data_access.store.maintained_schema import ClientFlagInput, ClientFlagStep
from data_access.store.schema import Score
from tests.builders import Practice
from tests.integration.test_maintained_counts import TODAY, Staff, day
from tests.integration.test_maintained_homework_days import _apply as apply_homework_or_session
from tests.integration.test_maintained_homework_days import (
    _background,
    homework,
    session_deletes,
    session_imports,
    sessions,
)

score_writes = st.tuples(
    st.just("score"), st.integers(0, 4), st.integers(-40, 34), st.integers(0, 27)
)
steps = st.lists(
    st.one_of(*homework, sessions, session_imports, session_deletes, score_writes), max_size=10
)


def _apply(staff: Staff, step: tuple) -> None:
    """A PHQ-9 on the form, or a homework or session write as the homework days' test makes
    it; a refused write is part of the run."""
    if step[0] != "score":
        apply_homework_or_session(staff, step)
        return
    _, client, on, value = step
    with suppress(DataError):  # refused: nothing written, nothing to recompute
        record_scores(
            staff.engine, staff.viewers[staff.owner(client)], client_code=staff.codes[client],
            recorded_on=day(on), scores={"PHQ-9": value}, today=TODAY,
        )  # fmt: skip


def _rows(engine: Engine) -> tuple[list[tuple], list[tuple]]:
    """The rows of `client_flag_inputs` and of `client_flag_steps`, sorted."""
    with engine.connect() as conn:
        return _read_both(conn)


def _read_both(conn: Connection) -> tuple[list[tuple], list[tuple]]:
    inputs, steps = (
        sorted(tuple(r) for r in conn.execute(select(table.__table__)).all())
        for table in (ClientFlagInput, ClientFlagStep)
    )
    return inputs, steps


def _rebuilt(engine: Engine) -> tuple[list[tuple], list[tuple]]:
    """The rows a rebuild would make, rolled back afterwards."""
    with engine.connect() as conn:
        transaction = conn.begin()
        flag_inputs.rebuild(conn)
        rows = _read_both(conn)
        transaction.rollback()
    return rows


def _inputs_both_ways(conn: Connection, active: Select, as_of: dt.date) -> None:
    """The inputs as of `as_of` read from the steps equal the inputs derived live."""
    stepped = flags._stepped_inputs(conn, active, as_of)
    assert stepped is not None
    live = flags._live_inputs(conn, active, as_of)
    pd.testing.assert_frame_equal(_comparable(stepped), _comparable(live), check_dtype=False)


def _comparable(inputs: pd.DataFrame) -> pd.DataFrame:
    """Inputs in client order, numbers as floats and the recent-score check as a bool."""
    frame = inputs.sort_values("client_id", ignore_index=True)
    frame["scored_lately"] = frame["scored_lately"].astype(bool)
    for column in ("completion_credit", "sessions_with_homework", "no_shows"):
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    return frame


def _both_ways(engine: Engine, viewer: object, filters: Filters) -> pd.DataFrame:
    """The needs-attention rows read through the maintained inputs, checked equal to the rows
    derived live."""
    with engine.connect() as conn:
        scope = scope_of(conn, viewer, filters)
        kept = flags.flags_in(conn, scope)
        flags.READ_MAINTAINED = False
        try:
            live = flags.flags_in(conn, scope)
        finally:
            flags.READ_MAINTAINED = True
    pd.testing.assert_frame_equal(kept, live)
    return kept


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps, earlier=st.integers(0, 29))
def test_flag_inputs_equal_a_rebuild_and_the_flags_read_from_them_equal_the_live_ones(
    fresh_database, steps, earlier
):
    engine = fresh_database()
    try:
        staff = Staff(engine)
        _background(staff)
        for step in steps:
            _apply(staff, step)
        assert _rows(engine) == _rebuilt(engine)
        with engine.connect() as conn:
            assert flag_inputs.is_current(conn)
            active = flags._active_clients(
                scope_of(conn, staff.viewers[staff.ada], _on(TODAY)), None
            )
            assert flags._kept_inputs(conn, active, TODAY) is not None  # today reads the table
            for as_of in (day(earlier), day(earlier) - dt.timedelta(days=1), TODAY):
                _inputs_both_ways(conn, active, as_of)
        for who in (staff.ada, staff.ana):
            for as_of in (TODAY, day(earlier)):
                _both_ways(engine, staff.viewers[who], _on(as_of))
    finally:
        engine.dispose()


def _on(as_of: dt.date) -> Filters:
    return Filters(today=as_of)


def test_the_four_flags_read_from_the_table_as_of_today(sqlite_engine):
    """One client per flag, worked out by hand, all 60 days in treatment: low completion (the
    last 4 reviewed one partial and three not done: 0.5 of 4, under 25 %), no homework at the
    last 3 attended sessions, the last 2 sessions missed, a score 58 days ago and none since;
    and a client who meets none (3 reviewed: too few to judge completion)."""
    p = Practice(sqlite_engine)
    ana = p.clinician("Ana")
    start = TODAY - dt.timedelta(days=60)
    low, bare, missing, silent, fine = (
        p.client(ana, intake=start, code=f"C-{n:04d}") for n in range(1, 6)
    )
    for n, status in enumerate(("partial", "not_done", "not_done", "not_done")):
        on = start + dt.timedelta(days=7 * n)
        p.assignment(low, on, status, reviewed=on + dt.timedelta(days=7))
        p.score(low, "PHQ-9", 12, on + dt.timedelta(days=30))
    for n in range(3):
        p.session(bare, start + dt.timedelta(days=14 * n))
    p.session(missing, start, "no_show")
    p.session(missing, start + dt.timedelta(days=7), "no_show")
    p.score(silent, "PHQ-9", 9, start + dt.timedelta(days=2))
    for n in range(3):
        held = start + dt.timedelta(days=14 * n)
        p.session(fine, held)
        p.assignment(fine, held, "completed", reviewed=held + dt.timedelta(days=7))
        p.score(fine, "PHQ-9", 9, TODAY - dt.timedelta(days=n))
    raised = _both_ways(sqlite_engine, p.viewer(ana), _on(TODAY))
    by_client = raised.groupby("client_id")["flag"].apply(set).to_dict()
    assert by_client == {
        low: {"low_completion"},
        bare: {"no_homework", "no_recent_score"},
        missing: {"no_shows", "no_recent_score"},
        silent: {"no_recent_score"},
    }
    with sqlite_engine.connect() as conn:
        kept = conn.execute(
            select(ClientFlagInput.client_id, ClientFlagInput.completion_credit)
        ).all()
    assert dict(kept)[low] == 0.5 and dict(kept)[fine] is None  # 3 reviewed: fewer than 4


def test_the_flags_as_of_a_past_day_read_the_steps(sqlite_engine):
    """A step per day that changes a client's inputs, worked out by hand: the low-completion
    client's credit is judged from the day their fourth reviewed assignment was set; the
    no-show client's run from their second missed session. Two weeks in, only the no-shows are
    due (three reviewed assignments are too few, and 14 days is too soon for a missing score)."""
    p = Practice(sqlite_engine)
    ana = p.clinician("Ana")
    start = TODAY - dt.timedelta(days=60)
    low, missing = (p.client(ana, intake=start, code=f"C-{n:04d}") for n in (1, 2))
    for n, status in enumerate(("partial", "not_done", "not_done", "not_done")):
        on = start + dt.timedelta(days=7 * n)
        p.assignment(low, on, status, reviewed=on + dt.timedelta(days=7))
    p.session(missing, start, "no_show")
    p.session(missing, start + dt.timedelta(days=7), "no_show")
    with sqlite_engine.connect() as conn:
        steps = conn.execute(select(ClientFlagStep.__table__).order_by("client_id", "day")).all()
    week = dt.timedelta(days=7)
    assert [tuple(r) for r in steps] == [
        (low, start, None, None, None),
        (low, start + week, None, None, None),
        (low, start + 2 * week, None, None, None),
        (low, start + 3 * week, 0.5, None, None),  # 0.5 of 4: under 25 %
        (missing, start, None, None, None),  # one session: too few to judge
        (missing, start + week, None, None, 2),
    ]
    two_weeks_in = start + 2 * week
    with sqlite_engine.connect() as conn:
        scope = scope_of(conn, p.viewer(ana), _on(two_weeks_in))
        active = flags._active_clients(scope, None)
        assert flags._kept_inputs(conn, active, two_weeks_in) is None  # later data: not today's
        _inputs_both_ways(conn, active, two_weeks_in)
    raised = _both_ways(sqlite_engine, p.viewer(ana), _on(two_weeks_in))
    assert raised[["client_id", "flag"]].values.tolist() == [[missing, "no_shows"]]
    for as_of, flagged in ((start + week - dt.timedelta(days=1), []), (start + week, [missing])):
        raised = _both_ways(sqlite_engine, p.viewer(ana), _on(as_of))  # a step holds from its day
        assert raised["client_id"].tolist() == flagged
    raised = _both_ways(sqlite_engine, p.viewer(ana), _on(start + 3 * week))
    assert sorted(raised["flag"]) == ["low_completion", "no_shows"]


@pytest.mark.parametrize("later", [False, True])
def test_a_score_written_past_engine_write_or_after_the_day_is_read_live(sqlite_engine, later):
    """Rows written past `engine.write` leave their clients marked, and the flags are derived
    live until a write recomputes them; a client scored after the as-of day is not the inputs
    table's to answer, and the steps answer instead."""
    p = Practice(sqlite_engine)
    ana = p.clinician("Ana")
    client = p.client(ana, intake=TODAY - dt.timedelta(days=60))
    with sqlite_engine.begin() as conn:
        conn.execute(
            insert(Score).values(client_id=client, measure="PHQ-9", value=5, recorded_on=TODAY)
        )
    if later:
        with write(sqlite_engine, "nothing"):
            pass
    as_of = TODAY - dt.timedelta(days=1) if later else TODAY
    with sqlite_engine.connect() as conn:
        scope = scope_of(conn, p.viewer(ana), _on(as_of))
        active = flags._active_clients(scope, None)
        assert flags._kept_inputs(conn, active, as_of) is None
        assert (flags._stepped_inputs(conn, active, as_of) is None) is not later
    _both_ways(sqlite_engine, p.viewer(ana), _on(as_of))


def test_the_migrations_fill_the_inputs_and_steps_as_a_rebuild_does(engine):
    """0013 fills `client_flag_inputs` and 0014 `client_flag_steps` from what is there: a
    downgrade to 0012 and an upgrade give the rows a rebuild gives, for every rule's input."""
    from alembic import command

    from data_access.store.migrate import alembic_config, upgrade

    staff = Staff(engine)
    _background(staff)
    p = Practice(engine)
    p.score(staff.clients[4], "PHQ-9", 11, day(3))  # a client with a score alone
    p.session(staff.clients[4], day(30), "scheduled")  # booked ahead: not an input
    before = _rows(engine)
    assert len(before[0]) == 5 and len(before[1]) > 5  # inputs per client; steps per day
    command.downgrade(alembic_config(engine), "0012")
    upgrade(engine)
    assert _rows(engine) == before == _rebuilt(engine)
