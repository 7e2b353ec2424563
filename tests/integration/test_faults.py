"""Database faults in plain words: a write refused by a read-only, full, locked or unreachable
database says which, saves nothing and shows no SQL; the command line prints one line; pages
show the fault instead of a traceback and come back when the database does; a form keeps what
was typed.

The unreachable cases use a PostgreSQL cluster the test starts and stops itself.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, insert, text
from streamlit.testing.v1 import AppTest

import dashboard.auth_ui as auth_ui
from data_access.cli import main as cli
from data_access.records.recording import record_scores
from data_access.store.engine import new_engine, write
from data_access.store.faults import DatabaseFault
from data_access.store.migrate import upgrade
from data_access.store.schema import Setting
from tests.builders import D, Practice
from tests.integration.test_importer import dump
from tests.pagetest import APPTEST_NONCE, cookie_under_test, sign_in_as
from tests.private_postgres import PrivateCluster, available

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date.today()


def _ben(engine: Engine):  # noqa: ANN202 - a Viewer
    p = Practice(engine)
    ben = p.clinician("Ben Lindqvist", role="admin")
    p.client(ben, intake=D(2026, 1, 5), code="C-0001")
    return p.viewer(ben)


def _save_mood(engine: Engine, viewer) -> None:  # noqa: ANN001 - a Viewer
    record_scores(
        engine, viewer, client_code="C-0001", recorded_on=D(2026, 3, 16), scores={"MOOD": 6},
        today=D(2026, 3, 20),
    )  # fmt: skip


def _refused(engine: Engine, viewer, expected: str) -> None:  # noqa: ANN001 - a Viewer
    with pytest.raises(DatabaseFault) as fault:
        _save_mood(engine, viewer)
    assert fault.value.reason == f"{expected}; nothing was saved"
    assert "SELECT" not in str(fault.value) and "INSERT" not in str(fault.value)


def test_a_read_only_sqlite_file_refuses_a_save_in_words(sqlite_engine: Engine):
    viewer = _ben(sqlite_engine)
    before = dump(sqlite_engine, with_audit=True)
    path = sqlite_engine.url.database
    read_only = new_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    _refused(read_only, viewer, "the database is read-only")
    read_only.dispose()
    assert dump(sqlite_engine, with_audit=True) == before


def test_a_full_sqlite_database_refuses_a_write_in_words(sqlite_engine: Engine):
    """The file may not grow by a page; a write that needs 100 kB more is refused."""
    _ben(sqlite_engine)
    before = dump(sqlite_engine, with_audit=True)
    full = new_engine(str(sqlite_engine.url))

    @event.listens_for(full, "connect")
    def no_room(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API connection
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    with pytest.raises(DatabaseFault) as fault, write(full, "a setting") as conn:
        conn.execute(insert(Setting).values(key="notes", value="x" * 100_000))
    assert str(fault.value) == "a setting: the database is full; nothing was saved"
    full.dispose()
    assert dump(sqlite_engine, with_audit=True) == before


def test_a_locked_sqlite_database_refuses_a_save_in_words(sqlite_engine: Engine):
    """Another writer holds the lock past this engine's (shortened) busy timeout."""
    viewer = _ben(sqlite_engine)
    impatient = new_engine(str(sqlite_engine.url))

    @event.listens_for(impatient, "connect")
    def short_wait(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API connection
        dbapi_connection.execute("PRAGMA busy_timeout=50")

    holder = new_engine(str(sqlite_engine.url))
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        with holder.begin() as conn:
            conn.execute(text("UPDATE data_version SET version = version + 1"))
            locked.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    locked.wait(5)
    try:
        _refused(impatient, viewer, "the database is busy")
    finally:
        release.set()
        thread.join()
        impatient.dispose()
        holder.dispose()


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivateCluster]:
    """A migrated PostgreSQL of this module's own, running at the start of each test."""
    if not available():
        pytest.skip("PostgreSQL 15's server programs are not installed")
    pg = PrivateCluster()
    pg.start()
    engine = new_engine(pg.url)
    upgrade(engine)
    engine.dispose()
    yield pg
    pg.remove()


@pytest.fixture
def running(cluster: PrivateCluster, monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateCluster]:
    """The private cluster, started if a test left it stopped, with DATABASE_URL pointing at it
    and a clean practice in it."""
    cluster.start()
    engine = new_engine(cluster.url)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE clinicians, audit_events RESTART IDENTITY CASCADE"))
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", cluster.url)
    # Pages sign in through a real server-side session, as in tests/apptest/conftest.py.
    monkeypatch.setattr(auth_ui, "session_cookie", cookie_under_test)
    monkeypatch.setattr(auth_ui, "browser_nonce", lambda: APPTEST_NONCE)
    yield cluster


def test_an_unreachable_postgresql_refuses_a_save_in_words(running: PrivateCluster):
    engine = new_engine(running.url)
    viewer = _ben(engine)
    running.stop()
    _refused(engine, viewer, "the database cannot be reached")
    running.start()
    _save_mood(engine, viewer)  # the same engine works again once the server is back
    engine.dispose()


def test_the_command_line_says_one_line_when_the_database_is_down(
    running: PrivateCluster, capsys: pytest.CaptureFixture
):
    running.stop()
    code = cli(["export", "--kind", "scores", "--database-url", running.url])
    err = capsys.readouterr().err
    assert code == 1
    assert err == "error: the database cannot be reached; nothing was written\n"


def _app_as(viewer) -> AppTest:  # noqa: ANN001 - a Viewer
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    return sign_in_as(at, viewer)


def test_a_page_shows_the_fault_in_words_and_comes_back_with_the_database(
    running: PrivateCluster,
):
    engine = new_engine(running.url)
    viewer = _ben(engine)
    engine.dispose()
    at = _app_as(viewer)
    at.switch_page("../pages/overview.py").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Practice overview"]

    running.stop()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The database cannot be reached; retrying. This page comes back by itself as soon as "
        "the database answers again; nothing you typed in a form is lost."
    ]
    assert not at.title

    running.start()
    at.run()
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Practice overview"]


def test_the_sign_in_page_shows_the_fault_in_words(running: PrivateCluster):
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    running.stop()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error][0].startswith("The database cannot be reached; retrying.")
    running.start()
    at.run()
    assert not at.exception and not at.error
    assert [t.label for t in at.text_input] == ["Email", "Password"]


def test_a_save_during_an_outage_says_not_saved_and_keeps_what_was_typed(
    running: PrivateCluster,
):
    engine = new_engine(running.url)
    viewer = _ben(engine)
    engine.dispose()
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60)
    sign_in_as(at, viewer)
    at.run()
    [instructions] = [t for t in at.text_area if t.label == "Instructions"]
    instructions.input("Two thought records before Friday")
    running.stop()
    [save] = [b for b in at.button if b.label == "Save homework"]
    save.click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Not saved: the database cannot be reached; nothing was saved. What you typed is "
        "still in the form: save again in a moment."
    ]
    assert [t.value for t in at.text_area if t.label == "Instructions"] == [
        "Two thought records before Friday"
    ]
    running.start()
    [save] = [b for b in at.button if b.label == "Save homework"]
    save.click().run()
    assert not at.error
    assert [s.value for s in at.success][0].startswith("Saved: ")
