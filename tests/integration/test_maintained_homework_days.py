"""The maintained homework days stay equal to the assignments and sessions through any writes.

Hypothesis makes random writes as the app and the command line make them (homework set and
reviewed, sessions recorded on forms and imported, a session or an assignment deleted, imports
that add and change homework, undo, a client moved) and then checks, on SQLite and PostgreSQL,
that `homework_days` equals a fresh rebuild and that the Homework page's "reviewed by the next
session" and "completion after a review" read from it equal the same figures derived from the
assignments and sessions, for any period, as-of day, client status and viewer.
docs/metrics.md: "Where the figures are read from".
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select

from data_access.reads.filters import Filters
from data_access.reads.reviews import completion_after_review, reviewed_on_time
from data_access.reads.scope import scope_of
from data_access.records.importer import import_file
from data_access.records.recording import record_session, review_assignment, set_assignment
from data_access.store import homework_days
from data_access.store.engine import write
from data_access.store.errors import DataError
from data_access.store.maintained_schema import HomeworkDay, HomeworkDayStale
from data_access.store.schema import TherapySession
from tests.builders import D, Practice
from tests.integration.test_maintained_counts import (
    DAYS,
    TODAY,
    Staff,
    _same,
    day,
    deletes,
    imports,
    moves,
    reviews,
    sets,
    undos,
)
from tests.integration.test_maintained_counts import _apply as apply_homework
from tests.maintained import RANDOM_WRITES, rebuilt_rows, table_rows

ATTENDANCE = ("attended", "attended", "no_show", "cancelled")
sessions = st.tuples(
    st.just("session"), st.integers(0, 4), st.integers(0, 34), st.sampled_from(ATTENDANCE)
)
session_imports = st.tuples(
    st.just("import sessions"),
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 34), st.sampled_from(ATTENDANCE)),
        min_size=1,
        max_size=5,
    ),
)
session_deletes = st.tuples(st.just("delete session"), st.integers(0, 99))
homework = (sets, reviews, imports, undos, moves, deletes)  # test_maintained_counts' writes
steps = st.lists(st.one_of(*homework, sessions, session_imports, session_deletes), max_size=8)


def _apply(staff: Staff, step: tuple) -> None:
    """A session write as the app or the command line makes it, or a homework write as
    test_maintained_counts makes it; a refused write is part of the run."""
    engine, kind = staff.engine, step[0]
    try:
        if kind == "session":
            _, client, held, attendance = step
            record_session(
                engine,
                staff.viewers[staff.owner(client)],
                client_code=staff.codes[client],
                held_on=day(held),
                attendance=attendance,
                today=TODAY,
            )
        elif kind == "import sessions":
            rows = {(client, held): attendance for client, held, attendance in step[1]}
            lines = ["client_code,held_on,attendance"] + [
                f"{staff.codes[client]},{day(held)},{attendance}"
                for (client, held), attendance in rows.items()
            ]
            import_file(engine, "sessions", "\n".join(lines).encode(), viewer=None, today=TODAY)
        elif kind == "delete session":
            with write(engine, "session") as conn:
                ids = conn.execute(select(TherapySession.id).order_by(TherapySession.id)).all()
                if ids:
                    chosen = ids[step[1] % len(ids)][0]
                    conn.execute(delete(TherapySession).where(TherapySession.id == chosen))
        else:
            apply_homework(staff, step)
    except DataError:
        pass  # refused: nothing was written, and the days must not have moved either


def _background(staff: Staff) -> None:
    """Four weeks of sessions and homework for four clients, reviewed before, on and after the
    next session, some left pending, and one homework day ten weeks back (before any window's
    LOOK_BACK): what every run starts from, so each rule is met whatever Hypothesis draws."""
    p = Practice(staff.engine)
    statuses = ("completed", "partial", "not_done", "pending")
    for client in range(4):
        for week in range(4):
            held = 7 * week + client
            p.session(staff.clients[client], day(held), "attended" if week != 2 else "no_show")
            status = statuses[(client + week) % 4]
            reviewed = None if status == "pending" else day(held + 3 + 4 * (week % 2))
            p.assignment(staff.clients[client], day(held), status, reviewed=reviewed)
    p.assignment(staff.clients[1], day(-70), "completed", due=day(-66), reviewed=day(-66))


def _rows(engine: Engine) -> list[tuple]:
    return table_rows(engine, HomeworkDay.__table__)


def _rebuilt(engine: Engine) -> list[tuple]:
    return rebuilt_rows(engine, homework_days.rebuild, HomeworkDay.__table__)


@RANDOM_WRITES
@given(
    steps=steps,
    first=st.integers(0, DAYS - 1),
    length=st.integers(0, DAYS),
    as_of=st.integers(0, 40),
)
def test_homework_days_equal_a_rebuild_and_the_review_figures_equal_the_live_ones(
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
        Filters(start=start, today=TODAY, clinician_ids=(staff.ana, staff.ben)),
        Filters(today=day(as_of)),
        Filters(start=start, end=end, today=TODAY, client_status="discharged"),
    ]
    with engine.connect() as conn:
        for who in (staff.ada, staff.sam, staff.ben):
            for period in periods:
                scope = scope_of(conn, staff.viewers[who], period)
                for figure in (reviewed_on_time, completion_after_review):
                    _same(figure(conn, scope, True), figure(conn, scope, False))


def test_a_session_moves_the_next_session_of_the_homework_before_it(engine):
    """Homework set on 4 May is reviewed on 9 May. With the next attended session on 11 May
    it was reviewed on time; an attended session recorded on 7 May makes that the next one,
    and the review late. Deleting the 7 May session puts it back."""
    staff = Staff(engine)
    ana = staff.viewers[staff.ana]
    set_assignment(
        engine,
        ana,
        client_code=staff.codes[0],
        type_name="Thought Record",
        instructions="Note one thought a day",
        assigned_on=D(2026, 5, 4),
        due_on=D(2026, 5, 8),
        today=TODAY,
    )
    for held in (D(2026, 5, 4), D(2026, 5, 11)):
        record_session(
            engine,
            ana,
            client_code=staff.codes[0],
            held_on=held,
            attendance="attended",
            today=TODAY,
        )
    review_assignment(engine, ana, assignment_id=1, status="completed", today=D(2026, 5, 9))
    may = Filters(start=D(2026, 5, 1), end=D(2026, 5, 31), today=TODAY)

    def on_time() -> tuple[int, int]:
        with engine.connect() as conn:
            table = reviewed_on_time(conn, scope_of(conn, ana, may))
        total = table[table["clinician_id"] == -1].iloc[0]
        return int(total["eligible"]), int(total["on_time"])

    assert on_time() == (1, 1)
    session = record_session(
        engine,
        ana,
        client_code=staff.codes[0],
        held_on=D(2026, 5, 7),
        attendance="attended",
        today=TODAY,
    )
    assert on_time() == (1, 0)
    with write(engine, "session") as conn:
        conn.execute(delete(TherapySession).where(TherapySession.id == session))
    assert on_time() == (1, 1)


def test_the_migration_fills_the_days_from_existing_homework(sqlite_engine):
    """0011 fills `homework_days` from what was there before it, as a rebuild does."""
    from alembic import command

    from data_access.store.migrate import alembic_config, upgrade

    staff = Staff(sqlite_engine)
    ana = staff.viewers[staff.ana]
    for offset in (0, 7, 14):
        set_assignment(
            sqlite_engine,
            ana,
            client_code=staff.codes[0],
            type_name="Thought Record",
            instructions="Note one thought a day",
            assigned_on=day(offset),
            due_on=day(offset + 4),
            today=TODAY,
        )
        record_session(
            sqlite_engine,
            ana,
            client_code=staff.codes[0],
            held_on=day(offset),
            attendance="attended",
            today=TODAY,
        )
    for assignment, status in ((1, "completed"), (2, "partial")):
        review_assignment(sqlite_engine, ana, assignment_id=assignment, status=status, today=TODAY)
    before = _rows(sqlite_engine)
    assert before == _rebuilt(sqlite_engine)
    command.downgrade(alembic_config(sqlite_engine), "0010")
    upgrade(sqlite_engine)
    assert _rows(sqlite_engine) == before
    assert [(row[0], row[2]) for row in before] == [(day(0), 1), (day(7), 1), (day(14), 1)]
