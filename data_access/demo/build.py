"""`build_demo`: a whole demo practice, generated chunk by chunk and written in one transaction."""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, Engine, Table, func, select
from tqdm import tqdm

from data_access.demo.bulk import Writer, advance_sequences, bulk_load
from data_access.demo.clients import Clients, draw_clients
from data_access.demo.common import TYPE_NAMES, Columns, Window, demo_window
from data_access.demo.homework import draw_assignments
from data_access.demo.scores import draw_scores
from data_access.demo.sessions import client_rows, draw_sessions
from data_access.demo.staff import FIRST_NAMES, LAST_NAMES, Staff, accounts, draw_staff
from data_access.store.engine import write
from data_access.store.errors import DataError
from data_access.store.migrate import upgrade
from data_access.store.schema import (
    Assignment,
    AssignmentType,
    Client,
    Clinician,
    Score,
    Setting,
    TherapySession,
    UserAccount,
)

CHUNK_CLIENTS = 500  # clients generated and written together; bounds memory at any scale


@dataclass(frozen=True)
class DemoSummary:
    """What a demo build wrote, and how long it took (the CLI prints it)."""

    clinicians: int
    clients: int
    sessions: int
    assignments: int
    scores: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.clinicians:,} clinicians, {self.clients:,} clients, "
            f"{self.sessions:,} sessions, {self.assignments:,} assignments, "
            f"{self.scores:,} scores in {self.seconds:.1f} s"
        )


@dataclass
class _Counts:
    """Rows written so far per table; also the last id used, since ids run from 1."""

    sessions: int = 0
    assignments: int = 0
    scores: int = 0


def build_demo(
    engine: Engine,
    *,
    clinicians: int = 12,
    clients: int = 300,
    weeks: int = 52,
    seed: int = 7,
    today: dt.date | None = None,
    progress: bool = True,
) -> DemoSummary:
    """Fill an empty database with a demo practice whose data runs up to `today`.

    Refuses (DataError) a database that already holds clinicians or clients, so demo rows are
    never mixed into a real practice; everything is written in one transaction.
    """
    started = time.perf_counter()
    _check_sizes(clinicians, clients, weeks)
    window = demo_window(today or dt.date.today(), weeks)
    upgrade(engine)
    streams = np.random.SeedSequence(seed).spawn(1 + -(-clients // CHUNK_CLIENTS))
    rng = np.random.default_rng(streams[0])
    with write(engine, "demo data") as conn:
        _refuse_unless_empty(conn)
        type_ids = _type_ids(conn)
        staff = draw_staff(rng, clinicians)
        people = draw_clients(rng, clients, staff, window)
        with bulk_load(conn) as insert:
            insert(Clinician.__table__, staff.rows)
            insert(UserAccount.__table__, accounts())
            counts = _write_clients(insert, streams[1:], people, staff, window, type_ids, progress)
            insert(Setting.__table__, {"key": np.array(["demo"]), "value": np.array(["true"])})
        advance_sequences(conn)
    with engine.begin() as conn:  # planner statistics: SQLite has none until ANALYZE runs
        conn.exec_driver_sql("ANALYZE")
    return DemoSummary(
        clinicians=clinicians,
        clients=clients,
        sessions=counts.sessions,
        assignments=counts.assignments,
        scores=counts.scores,
        seconds=round(time.perf_counter() - started, 2),
    )


def _write_clients(
    insert: Writer,
    streams: list[np.random.SeedSequence],
    people: Clients,
    staff: Staff,
    window: Window,
    type_ids: np.ndarray,
    progress: bool,
) -> _Counts:
    """Generate and write clients CHUNK_CLIENTS at a time (one random stream per chunk), with a
    progress bar over clients."""
    counts = _Counts()
    total = len(people.intake)
    bar = tqdm(
        total=total, desc="demo practice", unit="clients", file=sys.stderr, disable=not progress
    )
    with bar:
        for stream, lo in zip(streams, range(0, total, CHUNK_CLIENTS), strict=True):
            chunk = people.part(lo, min(lo + CHUNK_CLIENTS, total))
            rng = np.random.default_rng(stream)
            for table, columns in _chunk_rows(rng, chunk, staff, window, type_ids, counts):
                insert(table, columns)
            bar.update(len(chunk.intake))
            bar.set_postfix(assignments=f"{counts.assignments:,}", scores=f"{counts.scores:,}")
    return counts


def _check_sizes(clinicians: int, clients: int, weeks: int) -> None:
    """The demo needs the three account holders (names run out past a few hundred staff)."""
    most = 3 + len(FIRST_NAMES) * len(LAST_NAMES)
    if not 3 <= clinicians <= most:
        raise ValueError(f"clinicians must be between 3 and {most}")
    if clients < 1 or weeks < 1:
        raise ValueError("clients and weeks must be at least 1")


def _refuse_unless_empty(conn: Connection) -> None:
    """Demo data goes only into a database without people in it."""
    people = sum(
        conn.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Clinician, Client)
    )
    if people:
        raise DataError(
            "demo data", "the database already holds clinicians or clients; use an empty database"
        )


def _type_ids(conn: Connection) -> np.ndarray:
    """Database ids of the default catalogue types, in TYPE_NAMES order."""
    ids = dict(conn.execute(select(AssignmentType.name, AssignmentType.id)).all())
    missing = [name for name in TYPE_NAMES if name not in ids]
    if missing:
        raise DataError("demo data", f"assignment types missing: {', '.join(missing)}")
    return np.array([ids[name] for name in TYPE_NAMES])


def _chunk_rows(
    rng: np.random.Generator,
    people: Clients,
    staff: Staff,
    window: Window,
    type_ids: np.ndarray,
    counts: _Counts,
) -> Iterator[tuple[Table, Columns]]:
    """One chunk's rows, table by table in insertion order (parents before children)."""
    sessions = draw_sessions(rng, people, window, first_id=counts.sessions + 1)
    yield Client.__table__, client_rows(people, sessions, window)
    counts.sessions += len(sessions.rows["id"])
    yield TherapySession.__table__, sessions.rows
    assignments, completion = draw_assignments(
        rng, people, staff, sessions, window, type_ids, first_id=counts.assignments + 1
    )
    counts.assignments += len(assignments["id"])
    yield Assignment.__table__, assignments
    scores = draw_scores(rng, people, sessions, completion, window, first_id=counts.scores + 1)
    counts.scores += len(scores["id"])
    yield Score.__table__, scores
