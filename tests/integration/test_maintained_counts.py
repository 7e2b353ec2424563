"""The maintained homework counts stay equal to the assignments through any run of writes.

Hypothesis makes random writes the way the app and the command line make them (homework set
and reviewed on forms, undo, imports that add and change rows, a client moved to another
clinician, discharged or readmitted, an assignment deleted, refused writes too) and then
checks, on SQLite and PostgreSQL, that the maintained tables equal a fresh rebuild, that every
figure read from them equals the same figure counted from the assignments, and that both equal
the naive version (bench/naive.py). docs/metrics.md: "Where the figures are read from".
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, delete, func, select, update

from bench import naive
from data_access.reads.assignment_counts import assignment_counts
from data_access.reads.filters import Filters
from data_access.reads.overview import _mix_from, weekly_completion
from data_access.reads.scope import scope_of
from data_access.records.importer import import_file
from data_access.records.recording import review_assignment, set_assignment
from data_access.records.undo import undo_last
from data_access.store import aggregates
from data_access.store.data_version import raise_version
from data_access.store.engine import write
from data_access.store.errors import DataError
from data_access.store.maintained_schema import (
    AggregateStale,
    HomeworkCount,
    HomeworkMixCount,
    HomeworkWeekCount,
)
from data_access.store.schema import Assignment, Client
from tests.builders import Practice

MONDAY = dt.date(2026, 4, 27)
DAYS = 42  # six weeks
TODAY = MONDAY + dt.timedelta(days=30)  # a Wednesday: its week is cut by "today"
TYPES = ("Thought Record", "Activity Scheduling", "Exposure Practice")
STATUSES = ("completed", "partial", "not_done")
BY = [("due_week",), ("clinician_id",), ("clinician_id", "type_id", "due_week")]


def day(offset: int) -> dt.date:
    return MONDAY + dt.timedelta(days=offset)


class Staff:
    """Ada (admin), Sam (supervisor) supervising Ana, and Ben; five clients among them, Sam's
    discharged before "today" (so not active, which the maintained counts take off live)."""

    def __init__(self, engine: Engine) -> None:
        p = Practice(engine)
        self.ada = p.clinician("Ada", role="admin")
        self.sam = p.clinician("Sam", role="supervisor")
        self.ana = p.clinician("Ana", supervisor=self.sam)
        self.ben = p.clinician("Ben")
        self.people = [self.ada, self.sam, self.ana, self.ben]
        owners = [self.ana, self.ana, self.ben, self.ben, self.sam]
        self.codes = [f"C-{n:04d}" for n in range(1, len(owners) + 1)]
        discharged = [None, None, None, None, day(25)]
        self.clients = [
            p.client(o, intake=MONDAY, discharged=d, code=c)
            for o, c, d in zip(owners, self.codes, discharged, strict=True)
        ]
        self.viewers = {who: p.viewer(who) for who in self.people}
        self.engine = engine

    def owner(self, client: int) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                select(Client.clinician_id).where(Client.id == self.clients[client])
            ).scalar_one()


sets = st.tuples(
    st.just("set"),
    st.integers(0, 4),
    st.sampled_from(TYPES),
    st.integers(0, 30),  # day set
    st.integers(0, 20),  # days allowed
    st.none() | st.integers(1, 5),
)
reviews = st.tuples(st.just("review"), st.integers(0, 99), st.sampled_from(STATUSES))
import_rows = st.lists(
    st.tuples(
        st.integers(1, 6),  # assignment_id: a small pool, so later imports change earlier rows
        st.integers(0, 4),
        st.sampled_from(TYPES),
        st.integers(0, 30),
        st.integers(0, 20),
        st.sampled_from(("pending", *STATUSES)),
        st.none() | st.integers(1, 5),
    ),
    min_size=1,
    max_size=6,
)
imports = st.tuples(st.just("import"), import_rows)
undos = st.tuples(st.just("undo"), st.integers(0, 4))
moves = st.tuples(st.just("move"), st.integers(0, 4), st.integers(0, 3))
# A client discharged on a day (some after "today"), or readmitted (None)
discharges = st.tuples(st.just("discharge"), st.integers(0, 4), st.none() | st.integers(0, DAYS))
deletes = st.tuples(st.just("delete"), st.integers(0, 99))
writes = st.lists(
    st.one_of(sets, reviews, imports, undos, moves, discharges, deletes), max_size=8
)


def _import_csv(staff: Staff, rows: list[tuple]) -> bytes:
    """An assignments CSV; rows sharing an assignment_id keep the last (one row per id)."""
    by_id = {row[0]: row for row in rows}
    lines = [
        "assignment_id,client_code,type,assigned_on,due_on,status,difficulty,engagement,"
        "reviewed_on,instructions"
    ]
    for ident, client, kind, set_on, allowed, status, difficulty in by_id.values():
        due = day(set_on + allowed)
        reviewed = "" if status == "pending" else min(due, TODAY).isoformat()
        lines.append(
            f"IMP-{ident},{staff.codes[client]},{kind},{day(set_on)},{due},{status},"
            f"{difficulty or ''},,{reviewed},Task {ident}"
        )
    return "\n".join(lines).encode()


def _apply(staff: Staff, step: tuple) -> None:
    """One write as the app or the command line makes it; a refused write is part of the run."""
    engine, kind = staff.engine, step[0]
    try:
        if kind == "set":
            _, client, type_name, set_on, allowed, difficulty = step
            set_assignment(
                engine,
                staff.viewers[staff.owner(client)],
                client_code=staff.codes[client],
                type_name=type_name,
                instructions="Note one thought a day",
                assigned_on=day(set_on),
                due_on=day(set_on + allowed),
                difficulty=difficulty,
                today=TODAY,
            )
        elif kind == "review":
            _, pick, status = step
            with engine.connect() as conn:
                ids = conn.execute(select(Assignment.id).order_by(Assignment.id)).scalars().all()
            if ids:
                chosen = ids[pick % len(ids)]
                with engine.connect() as conn:
                    client = conn.execute(
                        select(Assignment.client_id).where(Assignment.id == chosen)
                    ).scalar_one()
                owner = staff.owner(staff.clients.index(client))
                review_assignment(
                    engine, staff.viewers[owner], assignment_id=chosen, status=status, today=TODAY
                )
        elif kind == "import":
            csv = _import_csv(staff, step[1])
            import_file(engine, "assignments", csv, viewer=None, today=TODAY)
        elif kind == "undo":
            undo_last(engine, staff.viewers[staff.owner(step[1])])
        elif kind in ("move", "discharge"):
            _, client, value = step
            if kind == "move":
                values = {"clinician_id": staff.people[value]}
            else:
                values = {"discharged_on": None if value is None else day(value)}
            change = update(Client).where(Client.id == staff.clients[client]).values(values)
            with write(engine, "client") as conn:
                conn.execute(change)
        elif kind == "delete":
            with write(engine, "assignment") as conn:
                ids = conn.execute(select(Assignment.id).order_by(Assignment.id)).scalars().all()
                if ids:
                    conn.execute(delete(Assignment).where(Assignment.id == ids[step[1] % len(ids)]))
    except DataError:
        pass  # refused: nothing was written, and the counts must not have moved either


TABLES = (HomeworkCount, HomeworkMixCount, HomeworkWeekCount)


def _rows(conn: Connection) -> tuple[list, ...]:
    """Each maintained count table's rows, sorted."""
    return tuple(sorted(tuple(r) for r in conn.execute(select(t.__table__)).all()) for t in TABLES)


def _tables(engine: Engine) -> tuple[list, ...]:
    with engine.connect() as conn:
        return _rows(conn)


def _rebuilt(engine: Engine) -> tuple[list, ...]:
    """The tables a rebuild would make, rolled back afterwards."""
    with engine.connect() as conn:
        transaction = conn.begin()
        aggregates.rebuild(conn)
        rows = _rows(conn)
        transaction.rollback()
    return rows


def _same(maintained: pd.DataFrame, live: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        maintained.reset_index(drop=True), live.reset_index(drop=True), check_dtype=False
    )


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=writes,
    first=st.integers(0, DAYS - 1),
    length=st.integers(0, DAYS),
    type_filter=st.booleans(),
    seek=st.booleans(),
)
def test_maintained_counts_equal_a_rebuild_the_live_counts_and_the_naive_version(
    fresh_database, steps, first, length, type_filter, seek
):
    engine = fresh_database()
    staff = Staff(engine)
    seek_keys = aggregates.SEEK_KEYS
    aggregates.SEEK_KEYS = seek_keys if seek else 0  # else the way of a large import
    try:
        for step in steps:
            _apply(staff, step)
    finally:
        aggregates.SEEK_KEYS = seek_keys
    with engine.connect() as conn:
        assert conn.execute(select(AggregateStale)).all() == []  # every write recounted
    assert _tables(engine) == _rebuilt(engine)
    with engine.connect() as conn:
        type_ids = (1,) if type_filter else ()
        start, end = day(first), day(first + length)
        filters = [
            Filters(start=start, end=end, today=TODAY, type_ids=type_ids),
            Filters(start=start, today=TODAY, clinician_ids=(staff.ana, staff.ben)),
            Filters(today=TODAY),
            Filters(start=start, end=end, today=TODAY, type_ids=type_ids, client_status="active"),
            Filters(start=start, today=TODAY, clinician_ids=(staff.sam,), client_status="active"),
        ]
        for who in (staff.ada, staff.sam):
            viewer = staff.viewers[who]
            for period in filters:
                for by in BY:
                    _same(
                        assignment_counts(
                            conn, scope_of(conn, viewer, period), by, "due_week" in by
                        ),
                        assignment_counts(
                            conn, scope_of(conn, viewer, period), by, "due_week" in by, False
                        ),
                    )
            mix = ("type_id", "difficulty", "days_allowed")
            for period in (filters[0], filters[3]):  # every client, and the active ones
                scope = scope_of(conn, viewer, period)
                ours = _mix_from(conn, assignment_counts(conn, scope, mix))
                live = _mix_from(conn, assignment_counts(conn, scope, mix, False, False))
                for part in ("by_type", "by_difficulty", "by_days"):
                    _same(getattr(ours, part), getattr(live, part))
            weekly = weekly_completion(
                conn, scope_of(conn, viewer, Filters(start=start, end=end, today=TODAY))
            )
            theirs = naive.completion_by_week(conn, viewer, start, end)
            assert weekly["due_week"].tolist() == theirs["week"].tolist()
            assert weekly["credit"].tolist() == pytest.approx(theirs["credit"].tolist())
            assert weekly["reviewed"].tolist() == theirs["reviewed"].tolist()
            overdue = assignment_counts(
                conn, scope_of(conn, viewer, Filters(today=TODAY)), ("clinician_id",)
            )
            theirs = naive.overdue_by_clinician(conn, viewer, TODAY)
            assert overdue["clinician_id"].tolist() == theirs["treating"].tolist()
            assert overdue["overdue"].tolist() == theirs["overdue"].tolist()
            assert overdue["reviewed"].tolist() == theirs["reviewed"].tolist()


def test_a_write_that_bypasses_engine_write_is_read_live_until_the_next_write(sqlite_engine):
    """A row inserted outside `engine.write` leaves its key marked: pages then count the
    assignments themselves, and the next write through `engine.write` recounts the key."""
    staff = Staff(sqlite_engine)
    everything = Filters(today=TODAY)
    admin = staff.viewers[staff.ada]
    with sqlite_engine.begin() as conn:
        conn.execute(
            Assignment.__table__.insert().values(
                client_id=staff.clients[0],
                clinician_id=staff.ana,
                type_id=1,
                assigned_on=day(0),
                due_on=day(3),
                due_week=day(0),
                status="pending",
                instructions="",
            )
        )
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(HomeworkCount.n)).all() == []  # not yet recounted
        counts = assignment_counts(conn, scope_of(conn, admin, everything))
    assert counts["assignments"].tolist() == [1]
    assert counts["overdue"].tolist() == [1]  # due 30 Apr, before today (27 May)
    with write(sqlite_engine, "nothing"):
        pass
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(HomeworkCount.n)).scalars().all() == [1]


def _with_two_weeks_of_homework(staff: Staff) -> Staff:
    """Ana's first client set a thought record in week 1 and another in week 2."""
    for offset in (0, 7):
        set_assignment(
            staff.engine,
            staff.viewers[staff.ana],
            client_code=staff.codes[0],
            type_name="Thought Record",
            assigned_on=day(offset),
            due_on=day(offset + 4),
            instructions="Note one thought a day",
            today=TODAY,
        )
    return staff


def test_a_discharge_takes_a_clients_homework_out_of_the_active_clients_counts(
    engine, monkeypatch
):
    """Ana's client has homework due in weeks 1 and 2. Discharged, the week counts hold its
    rows apart and the active clients' caseload row for Ana has none, read without counting
    anything live to take off; readmitted, both are back. Discharged on a day after "today",
    it is still active then, and the figures come from the live subtraction instead."""
    from data_access.reads import assignment_counts as counts

    staff = _with_two_weeks_of_homework(Staff(engine))
    admin = staff.viewers[staff.ada]
    period = Filters(start=day(0), end=day(13), today=TODAY)

    def anas(status: str) -> int:
        with engine.connect() as conn:
            scope = scope_of(conn, admin, replace(period, client_status=status))
            frame = assignment_counts(conn, scope, ("clinician_id",))
        return int(frame.loc[frame["clinician_id"] == staff.ana, "assignments"].sum())

    def discharge(on: dt.date | None) -> None:
        with write(engine, "client") as conn:
            conn.execute(
                update(Client).where(Client.id == staff.clients[0]).values(discharged_on=on)
            )

    def week_rows() -> list[tuple]:
        with engine.connect() as conn:
            rows = conn.execute(
                select(HomeworkWeekCount.due_week, HomeworkWeekCount.discharged)
                .where(HomeworkWeekCount.clinician_id == staff.ana)
                .order_by(HomeworkWeekCount.due_week)
            )
            return [tuple(r) for r in rows]

    def no_live_subtraction(*args: object) -> None:
        raise AssertionError("the active clients' counts were taken off live")

    with monkeypatch.context() as patched:
        patched.setattr(counts, "_not_active", no_live_subtraction)
        assert (anas("active"), anas("all")) == (2, 2)
        discharge(day(20))
        assert week_rows() == [(day(0), 1), (day(7), 1)]
        assert (anas("active"), anas("all")) == (0, 2)
        discharge(None)
        assert week_rows() == [(day(0), 0), (day(7), 0)]
        assert (anas("active"), anas("all")) == (2, 2)
    discharge(day(40))  # after "today": still active on it
    assert (anas("active"), anas("all")) == (2, 2)
    assert week_rows() == [(day(0), 1), (day(7), 1)]


def test_a_move_recounts_its_clinicians_counts_and_leaves_the_practices_mix_alone(
    engine, monkeypatch
):
    """Ana's client has homework due in weeks 1 and 2. Moved to Ben, Ana's row has none and
    Ben's both, and the practice's mix, which has no clinician, is not recounted (its recount
    fails if called) and still holds both. Moved back in the same write as one of the two is
    deleted, the mix is recounted for the deletion. Every table equals a rebuild throughout."""
    staff = _with_two_weeks_of_homework(Staff(engine))
    admin = staff.viewers[staff.ada]
    period = Filters(start=day(0), end=day(13), today=TODAY, client_status="all")

    def per_clinician() -> dict[int, int]:
        with engine.connect() as conn:
            frame = assignment_counts(conn, scope_of(conn, admin, period), ("clinician_id",))
        return dict(zip(frame["clinician_id"], frame["assignments"], strict=True))

    def mix_total() -> int:
        with engine.connect() as conn:
            return sum(conn.execute(select(HomeworkMixCount.n)).scalars())

    @contextmanager
    def moved_to(clinician: int) -> Iterator[Connection]:
        """One write moving Ana's client to `clinician`, with whatever the caller adds."""
        with write(engine, "client") as conn:
            conn.execute(
                update(Client).where(Client.id == staff.clients[0]).values(clinician_id=clinician)
            )
            yield conn

    def no_mix_recount(*args: object) -> None:
        raise AssertionError("a move recounted the practice's mix")

    with monkeypatch.context() as patched:
        patched.setattr(aggregates, "_recount_mix", no_mix_recount)
        with moved_to(staff.ben):
            pass
    assert per_clinician() == {staff.ben: 2}
    assert mix_total() == 2
    assert _tables(engine) == _rebuilt(engine)
    with moved_to(staff.ana) as conn:
        first = conn.execute(select(func.min(Assignment.id))).scalar_one()
        conn.execute(delete(Assignment).where(Assignment.id == first))
    assert per_clinician() == {staff.ana: 1}
    assert mix_total() == 1
    assert _tables(engine) == _rebuilt(engine)


def test_the_migration_fills_the_counts_from_existing_assignments(sqlite_engine):
    """0010 and 0017 count what was there before them; a downgrade and upgrade give the same
    rows. Two types due in one week are one row of the week counts, summed."""
    from alembic import command

    from data_access.store.migrate import alembic_config, upgrade

    staff = Staff(sqlite_engine)
    for offset, kind in ((0, "Thought Record"), (1, "Activity Scheduling"), (8, "Thought Record")):
        set_assignment(
            sqlite_engine,
            staff.viewers[staff.ana],
            client_code=staff.codes[0],
            type_name=kind,
            assigned_on=day(offset),
            due_on=day(offset + 4),
            instructions="Note one thought a day",
            today=TODAY,
        )
    before = _tables(sqlite_engine)
    command.downgrade(alembic_config(sqlite_engine), "0009")
    upgrade(sqlite_engine)
    assert _tables(sqlite_engine) == before
    counts, mix, weeks = before
    assert [(week, n) for week, _, _, _, n in counts] == [(day(0), 1), (day(0), 1), (day(7), 1)]
    assert [days for _, _, _, days, _, _ in mix] == [4, 4, 4]  # four days allowed: "4–7 days"
    assert weeks == [(day(0), staff.ana, 0, "pending", 2), (day(7), staff.ana, 0, "pending", 1)]


def test_two_writers_marking_the_same_key_both_commit_and_the_counts_hold_both(engine):
    """A form marks a key and, before it commits, an import takes the write lock and marks the
    same key: neither waits on the other's mark (on PostgreSQL a unique mark would deadlock
    them), both commit, and the counts equal a rebuild."""
    staff = Staff(engine)
    marked, done = threading.Event(), threading.Event()
    row = dict(
        client_id=staff.clients[0],
        clinician_id=staff.ana,
        type_id=1,
        assigned_on=day(0),
        due_on=day(3),
        due_week=day(0),
        status="pending",
        instructions="",
    )

    def form() -> None:
        with write(engine, "form") as conn:
            conn.execute(Assignment.__table__.insert().values(**row))
            marked.set()
            done.wait(timeout=5)  # the import runs now (on SQLite it waits for this commit)

    def importer() -> None:
        marked.wait(timeout=5)
        with write(engine, "import") as conn:
            raise_version(conn)  # as an import does first: the write lock
            done.set()
            conn.execute(Assignment.__table__.insert().values(**{**row, "status": "completed"}))

    threads = [threading.Thread(target=form), threading.Thread(target=importer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert _tables(engine) == _rebuilt(engine)
    with engine.connect() as conn:
        counts = assignment_counts(
            conn, scope_of(conn, staff.viewers[staff.ada], Filters(today=TODAY))
        )
    assert counts[["assignments", "completed", "overdue"]].values.tolist() == [[2, 1, 1]]


def test_rebuild_aggregates_recounts_everything_and_raises_the_data_version(sqlite_engine, capsys):
    """`python -m data_access rebuild-aggregates` puts back counts damaged by hand, in one
    transaction that raises the data version (so every cache reads them afresh)."""
    from data_access.cli import main
    from data_access.store.data_version import current_version

    staff = Staff(sqlite_engine)
    set_assignment(
        sqlite_engine,
        staff.viewers[staff.ana],
        client_code=staff.codes[0],
        type_name="Thought Record",
        assigned_on=day(0),
        due_on=day(4),
        instructions="Note one thought a day",
        today=TODAY,
    )
    right = _tables(sqlite_engine)
    with sqlite_engine.begin() as conn:
        conn.execute(update(HomeworkCount).values(n=99))
        before = current_version(conn)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    assert main(["rebuild-aggregates", "--database-url", url]) == 0
    assert capsys.readouterr().out == (
        "rebuilt the maintained counts: 1 homework rows, 1 homework week rows, 1 mix rows, "
        "1 homework days, "
        "0 score spans, 0 clients' flag inputs, 0 days of flag inputs, 1 client months, "
        "0 lag weeks\n"
    )
    assert _tables(sqlite_engine) == right
    with sqlite_engine.connect() as conn:
        assert current_version(conn) == before + 1
