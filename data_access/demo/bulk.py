"""Writing the demo on the driver's bulk path: sqlite3 executemany or PostgreSQL COPY."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Table, text
from sqlalchemy.schema import AddConstraint, DropConstraint

from data_access.demo.common import Columns
from data_access.store.schema import (
    Assignment,
    Client,
    Clinician,
    Score,
    TherapySession,
    UserAccount,
)

Writer = Callable[[Table, Columns], None]
BULK_TABLES = (TherapySession.__table__, Assignment.__table__, Score.__table__)

BATCH_ROWS = 50_000  # rows per executemany call on SQLite
SQLITE_CACHE_KB = 131_072  # SQLite page cache while building, so index builds sort in memory


@contextmanager
def bulk_load(conn: Connection) -> Iterator[Writer]:
    """A writer on the driver's bulk path, inside the build's transaction.

    PostgreSQL: COPY FROM STDIN through psycopg. SQLite: sqlite3's executemany over tuples, with
    a large page cache for the duration. Values are already what both drivers load unchanged:
    Python ints, strings, ISO dates, None. The big tables' secondary indexes are dropped for the
    load and built once at the end: building an index from all rows (a sort) costs a fraction of
    updating it row by row, and a failure rolls the drop back with everything else.
    """
    raw = conn.connection.driver_connection

    def copy(table: Table, columns: Columns) -> None:
        sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(sql) as stream:
            for batch in _batches(columns):
                for row in batch:
                    stream.write_row(row)

    def insert(table: Table, columns: Columns) -> None:
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
        cursor = raw.cursor()
        for batch in _batches(columns):
            cursor.executemany(sql, batch)
        cursor.close()

    sqlite = conn.dialect.name == "sqlite"
    if sqlite and not raw.in_transaction:
        raw.execute("BEGIN")  # sqlite3 opens one only before DML; the DROP INDEX must be inside it
    cache = raw.execute("PRAGMA cache_size").fetchone()[0] if sqlite else 0
    indexes = [i for table in BULK_TABLES for i in sorted(table.indexes, key=lambda i: i.name)]
    foreign_keys = [] if sqlite else [fk for t in BULK_TABLES for fk in t.foreign_key_constraints]
    for index in indexes:
        index.drop(conn)
    for foreign_key in foreign_keys:
        conn.execute(DropConstraint(foreign_key))
    try:
        if sqlite:
            raw.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KB}")
        yield insert if sqlite else copy
        for foreign_key in foreign_keys:
            conn.execute(AddConstraint(foreign_key))
        for index in indexes:
            index.create(conn)
    finally:
        if sqlite:
            raw.execute(f"PRAGMA cache_size={cache}")


def _batches(columns: Columns) -> Iterator[list[tuple[object, ...]]]:
    """Rows as tuples of plain Python values, BATCH_ROWS at a time."""
    total = len(next(iter(columns.values())))
    for start in range(0, total, BATCH_ROWS):
        values = [column[start : start + BATCH_ROWS].tolist() for column in columns.values()]
        yield list(zip(*values, strict=True))


def advance_sequences(conn: Connection) -> None:
    """PostgreSQL: move each id sequence past the explicit ids, so later inserts do not collide."""
    if conn.dialect.name != "postgresql":
        return
    for model in (Clinician, UserAccount, Client, TherapySession, Assignment, Score):
        name = model.__tablename__
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT max(id) FROM {name}))"
            )
        )
