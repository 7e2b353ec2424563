"""Every SQLite connection the engine hands out has foreign keys on, WAL, a busy timeout and
reads the file through a memory map."""

import sqlite3
import threading
import time

import pytest
from sqlalchemy import text

from data_access.store.engine import SQLITE_BUSY_TIMEOUT_MS, SQLITE_MMAP_BYTES, new_engine


@pytest.fixture
def sqlite_file_engine(tmp_path):
    engine = new_engine(f"sqlite:///{tmp_path / 'nested' / 'folder' / 'app.db'}")
    yield engine
    engine.dispose()


def pragma(engine, name):
    with engine.connect() as conn:
        return conn.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_the_folder_of_a_new_sqlite_file_is_created(sqlite_file_engine, tmp_path):
    pragma(sqlite_file_engine, "user_version")
    assert (tmp_path / "nested" / "folder" / "app.db").is_file()


def test_foreign_keys_are_enforced(sqlite_file_engine):
    assert pragma(sqlite_file_engine, "foreign_keys") == 1


def test_the_journal_is_write_ahead(sqlite_file_engine):
    assert pragma(sqlite_file_engine, "journal_mode") == "wal"


def test_a_busy_database_is_waited_for(sqlite_file_engine):
    assert pragma(sqlite_file_engine, "busy_timeout") == SQLITE_BUSY_TIMEOUT_MS >= 5_000


def test_the_file_is_read_through_a_memory_map_large_enough_for_a_big_practice(
    sqlite_file_engine,
):
    """A 10,000-client practice is an 800 MB file; all of it should be mapped."""
    assert pragma(sqlite_file_engine, "mmap_size") == SQLITE_MMAP_BYTES >= 800 * 2**20


def test_every_pooled_connection_gets_the_pragmas(sqlite_file_engine):
    with sqlite_file_engine.connect() as a, sqlite_file_engine.connect() as b:
        assert a.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert b.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_writer_waits_for_another_writer_instead_of_failing(sqlite_file_engine, tmp_path):
    """Two dashboards writing at once (an audit event each) must not fail with 'locked'."""
    with sqlite_file_engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (body TEXT)"))
    path = tmp_path / "nested" / "folder" / "app.db"
    blocker = sqlite3.connect(path, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    blocker.execute("INSERT INTO notes VALUES ('first')")
    threading.Timer(0.5, blocker.commit).start()
    started = time.monotonic()
    with sqlite_file_engine.begin() as conn:
        conn.execute(text("INSERT INTO notes VALUES ('second')"))
    assert time.monotonic() - started >= 0.4
    with sqlite_file_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM notes")).scalar() == 2
    blocker.close()


def test_a_reader_is_not_blocked_by_an_open_write(sqlite_file_engine, tmp_path):
    """WAL: the dashboard keeps reading while an import transaction is open."""
    with sqlite_file_engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (body TEXT)"))
        conn.execute(text("INSERT INTO notes VALUES ('kept')"))
    writer = sqlite3.connect(tmp_path / "nested" / "folder" / "app.db")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO notes VALUES ('uncommitted')")
    started = time.monotonic()
    with sqlite_file_engine.connect() as conn:
        assert conn.execute(text("SELECT body FROM notes")).scalars().all() == ["kept"]
    assert time.monotonic() - started < 1
    writer.rollback()
    writer.close()


def test_the_database_and_its_wal_and_shm_files_are_private(tmp_path):
    path = tmp_path / "private.db"
    engine = new_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
        modes = {p.name: oct(p.stat().st_mode & 0o777) for p in tmp_path.glob("private.db*")}
    engine.dispose()
    assert modes == {"private.db": "0o600", "private.db-wal": "0o600", "private.db-shm": "0o600"}


def test_an_existing_readable_database_is_made_private(tmp_path):
    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    new_engine(f"sqlite:///{path}").dispose()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
