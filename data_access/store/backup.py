"""Backups that restore: a consistent copy of a live database, and its restore into an empty one.

SQLite: the online backup API copies a consistent snapshot while the app keeps writing (a plain
file copy can miss committed rows still in the WAL file). PostgreSQL: `pg_dump` in custom
format (one consistent snapshot) and `pg_restore` in one transaction. `checksums` gives each
table's row count and a digest of its rows in key order, to compare a restore with its source.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

from sqlalchemy import Engine, inspect, select

from data_access.store.data_version import current_version, set_version
from data_access.store.engine import is_sqlite
from data_access.store.errors import DataError
from data_access.store.schema import Base

SQLITE_HEADER = b"SQLite format 3\x00"
NOT_DATA = ("data_version",)  # bookkeeping a restore changes on purpose


def _postgres_tool(engine: Engine, name: str) -> tuple[list[str], dict[str, str]]:
    """`pg_dump`/`pg_restore` with the database's address; the password goes in the
    environment, never on the command line (where `ps` would show it)."""
    tool = shutil.which(name)
    if tool is None:
        raise DataError(name, f"{name} is not installed (Debian: postgresql-client)")
    url = engine.url
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    address = url.set(drivername="postgresql", password=None, query={})
    return [tool, f"--dbname={address.render_as_string(hide_password=False)}"], env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise DataError(what, last)


def backup(engine: Engine, out: Path) -> None:
    """Write a consistent backup of the live database to `out` (a new file)."""
    if out.exists():
        raise DataError(str(out), "the file exists already; choose a new name")
    partial = out.with_name(out.name + ".partial")
    try:
        if is_sqlite(engine):
            raw = engine.raw_connection()
            try:
                with sqlite3.connect(partial) as copy:
                    # In one step: a read snapshot, so writers (WAL) go on meanwhile; a backup
                    # in steps would start over after every write from another connection.
                    raw.driver_connection.backup(copy)
                copy.close()
            finally:
                raw.close()
        else:
            command, env = _postgres_tool(engine, "pg_dump")
            _run([*command, "--format=custom", f"--file={partial}"], env, "backup")
        partial.rename(out)
    finally:
        partial.unlink(missing_ok=True)


def restore(engine: Engine, source: Path) -> None:
    """Restore a backup made by `backup` into `engine`'s database, which must be empty.

    The restored data gets a new data version, so no running app process shows figures it
    cached from whatever the database held before.
    """
    if not source.is_file():
        raise DataError(str(source), "no such file")
    if inspect(engine).get_table_names():
        raise DataError("restore", "the database is not empty; restore into a new, empty one")
    with source.open("rb") as handle:
        is_sqlite_file = handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    if is_sqlite(engine) != is_sqlite_file:
        kind = "a SQLite file" if is_sqlite_file else "not a SQLite backup"
        raise DataError(str(source), f"this is {kind}; restore it into the same kind of database")
    if is_sqlite(engine):
        raw = engine.raw_connection()
        try:
            with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup_file:
                backup_file.backup(raw.driver_connection)
            backup_file.close()
        finally:
            raw.close()
    else:
        command, env = _postgres_tool(engine, "pg_restore")
        options = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
        _run([*command, *options, str(source)], env, "restore")
    with engine.begin() as conn:
        set_version(conn, max(current_version(conn) + 1, time.time_ns() // 1_000))


def checksums(engine: Engine) -> dict[str, tuple[int, str]]:
    """Each data table's row count and the SHA-256 of its rows in primary-key order."""
    out = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in NOT_DATA:
                continue
            digest = hashlib.sha256()
            count = 0
            query = select(table).order_by(*table.primary_key.columns)
            for row in conn.execution_options(yield_per=5_000).execute(query):
                digest.update(repr(tuple(row)).encode())
                count += 1
            out[table.name] = (count, digest.hexdigest())
    return out
