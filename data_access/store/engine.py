"""One engine per database URL, set up the same way for the CLI, the dashboard and the tests."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from data_access.store.errors import DataError
from data_access.store.faults import DatabaseFault, classify_fault

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Page cache per connection, in KiB (negative in the pragma). SQLite's default 2 MiB re-reads a
# year of an assignments index from the OS on every practice-wide query; 64 MiB holds it (and
# keeps a large import's index pages in memory).
SQLITE_CACHE_KIB = 65_536
# Read the database file through a memory map instead of read() calls: each page then costs no
# system call and no copy, which the practice-wide queries of a large practice feel most. The
# price, from SQLite's docs: a disk I/O error
# under the map stops the process with SIGBUS instead of raising an error. Files larger than
# this are read as before past the first 1 GiB.
SQLITE_MMAP_BYTES = 1 << 30
# PostgreSQL session settings. JIT compiles the correlated baseline/latest lookups for longer
# than the dashboard's short queries run, so it never repays itself. work_mem (per sort or
# hash, per connection) decides plans: at the default 4 MB a team's year of homework by type
# sorts on disk; at 16 MB or more the setting rate hashes every assignment's (client, day) in
# each worker instead of merging two indexes. 8 MB avoids both (`make bench` shows the effect).
POSTGRES_OPTIONS = "-c jit=off -c work_mem=8MB"
# Each person's page runs in its own thread and holds one or two connections while it reads, so
# twenty people opening practice pages at once need up to forty. SQLAlchemy's default (5 kept,
# 10 more, a 30 s wait) made the eleventh-and-later Overviews fail under `make load` at N = 20.
# Past the pool a page now waits its turn; five stay open between bursts, the rest are closed.
POOL = {"pool_size": 5, "max_overflow": 35, "pool_timeout": 120}


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API objects
    """Foreign keys, WAL (readers never block the writer), a busy timeout, cache and memory map."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def _private_sqlite_file(path: Path) -> None:
    """Create the database file readable by its owner only (0600), and narrow an existing one
    and its WAL/SHM files; SQLite gives the WAL and SHM files the database file's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if part.stat().st_mode & 0o077:
                part.chmod(0o600)
        except (FileNotFoundError, PermissionError):
            pass  # not there yet, or another user's file: SQLite reports what matters


def new_engine(url: str) -> Engine:
    """Build an engine for `url`; SQLite files are created private (0600), with their folder,
    and get sane pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        uri_form = parsed.query.get("uri") == "true"  # "file:…?mode=ro": an existing file
        if parsed.database and parsed.database != ":memory:" and not uri_form:
            _private_sqlite_file(Path(parsed.database))
        pool = POOL if parsed.database and parsed.database != ":memory:" else {}
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url, pool_pre_ping=True, connect_args={"options": POSTGRES_OPTIONS}, **POOL
    )


@cache
def get_engine(url: str) -> Engine:
    """The process-wide engine for `url` (engines pool connections, so share them)."""
    return new_engine(url)


def is_sqlite(engine: Engine | Connection) -> bool:
    """True when the database is SQLite (used only where the dialects truly differ)."""
    return engine.dialect.name == "sqlite"


_CONSTRAINT_NAME = re.compile(r"\b(?:ck|uq|fk)_[a-z0-9_]+")
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([a-z_]+)\.([a-z_.,\s]+)")


def explain_integrity_error(exc: IntegrityError) -> str:
    """Turn a database refusal into a sentence a person can act on.

    PostgreSQL names the constraint; SQLite names CHECKs but reports UNIQUE by table.column.
    """
    from data_access.store.schema import CONSTRAINT_REASONS

    text = str(exc.orig)
    for name in _CONSTRAINT_NAME.findall(text):
        if name in CONSTRAINT_REASONS:
            return CONSTRAINT_REASONS[name]
    unique = _SQLITE_UNIQUE.search(text)
    if unique:
        table = unique.group(1)
        columns = [c.strip().removeprefix(f"{table}.") for c in unique.group(2).split(",")]
        name = f"uq_{table}_{'_'.join(columns)}"
        return CONSTRAINT_REASONS.get(name, "a record with the same key already exists")
    lowered = text.lower()
    if "foreign key" in lowered:
        return "it refers to a record that does not exist"
    if "not null" in lowered or "null value" in lowered:
        return "a required value is missing"
    return "the database refused the change"


def refresh_maintained(conn: Connection) -> None:
    """Recompute, inside the open transaction, every maintained row the writes on `conn` have
    touched: the flag inputs, the client months and the lag weeks before the homework days and
    the score spans, whose marks they read and those clear (docs/operations.md, "Maintained
    counts")."""
    from data_access.store import (
        aggregates,
        client_months,
        flag_inputs,
        homework_days,
        lag_weeks,
        score_spans,
    )

    aggregates.refresh(conn)
    flag_inputs.refresh(conn)
    client_months.refresh(conn)
    lag_weeks.refresh(conn)
    homework_days.refresh(conn)
    score_spans.refresh(conn)


@contextmanager
def write(engine: Engine, record: str, *, data: bool = True) -> Iterator[Connection]:
    """One transaction for one write; a database refusal becomes a DataError naming `record`,
    a fault a DatabaseFault. A write of `data` raises the data version, so caches see it, and
    every write recomputes the maintained counts it touched before it commits (raising the
    version first takes the write lock, so two writers never recount from stale rows): the
    homework counts, the flag inputs, the homework days and the score spans
    (`refresh_maintained`)."""
    from data_access.store.data_version import raise_version

    try:
        with engine.begin() as conn:
            yield conn
            if data:
                raise_version(conn)
            refresh_maintained(conn)
    except IntegrityError as exc:
        raise DataError(record, explain_integrity_error(exc)) from None
    except DBAPIError as exc:
        fault = classify_fault(exc)
        if fault is None:
            raise
        raise DatabaseFault(record, fault) from None
