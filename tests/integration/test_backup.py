"""Backups that restore: a backup taken while the app writes is one consistent moment of the
database, and restoring it into an empty database gives the same rows, table by table.

The writer records MOOD scores for C-0001 one day after another, each with its audit event in
the same transaction, as the Data page's form does.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from data_access.cli import main as cli
from data_access.records.recording import record_scores
from data_access.store.backup import checksums
from data_access.store.engine import is_sqlite, new_engine, refresh_maintained
from data_access.store.errors import DataError
from data_access.store.schema import AuditEvent, Score
from tests.builders import D, Practice

START = D(2020, 1, 1)


@pytest.fixture
def empty_url(engine: Engine, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as `engine`'s, to restore into."""
    if is_sqlite(engine):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    server = make_url(engine.url.render_as_string(hide_password=False))
    name = f"bs_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _counts(engine: Engine) -> tuple[int, int]:
    """(MOOD scores, audit events) of the writer."""
    with engine.connect() as conn:
        scores = conn.execute(select(func.count()).select_from(Score)).scalar()
        events = conn.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "record")
        ).scalar()
    return scores, events


def test_a_backup_taken_while_writing_restores_to_one_consistent_moment(
    engine: Engine, empty_url: str, tmp_path: Path, capsys: pytest.CaptureFixture
):
    p = Practice(engine)
    ben = p.clinician("Ben Lindqvist")
    p.client(ben, intake=START, code="C-0001")
    viewer = p.viewer(ben)
    stop = threading.Event()
    written = []

    def keep_writing() -> None:
        day = START
        while not stop.is_set():
            record_scores(
                engine, viewer, client_code="C-0001", recorded_on=day, scores={"MOOD": 5},
                today=dt.date(2030, 1, 1),
            )  # fmt: skip
            written.append(day)
            day += dt.timedelta(days=1)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 20:
            stop.wait(0.05)
        backup_file = tmp_path / "practice.backup"
        assert cli(["backup", "--out", str(backup_file), "--database-url", _url(engine)]) == 0
        at_backup = len(written)
        while len(written) < at_backup + 20:  # the writer goes on after the backup
            stop.wait(0.05)
    finally:
        stop.set()
        writer.join()

    assert cli(["restore", str(backup_file), "--database-url", empty_url]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith(f"restored {backup_file}")
    restored = new_engine(empty_url)
    scores, events = _counts(restored)
    # One moment: each score came with its audit event, and the writer went on afterwards.
    assert scores == events
    assert 20 <= scores < len(written) == _counts(engine)[0]
    # The restore holds exactly the source's rows up to that moment, table by table: remove
    # from the source what the writer wrote after it, and every table matches.
    with engine.begin() as conn:
        last_day = START + dt.timedelta(days=scores - 1)
        conn.execute(Score.__table__.delete().where(Score.recorded_on > last_day))
        newest_kept = select(AuditEvent.id).order_by(AuditEvent.id).limit(1).offset(scores - 1)
        conn.execute(
            AuditEvent.__table__.delete().where(AuditEvent.id > newest_kept.scalar_subquery())
        )
        refresh_maintained(conn)  # as engine.write does: the spans follow the scores
    assert checksums(restored) == checksums(engine)
    restored.dispose()


def test_a_quiet_database_restores_to_identical_tables(
    engine: Engine, empty_url: str, tmp_path: Path
):
    p = Practice(engine)
    sam = p.clinician("Sam Boss", role="supervisor", password="correct horse")
    ben = p.clinician("Ben Lindqvist", supervisor=sam)
    client = p.client(ben, code="C-0001", intake=D(2026, 1, 5))
    p.assignment(client, D(2026, 3, 2), status="completed", engagement=3, reviewed=D(2026, 3, 9))
    p.score(client, "PHQ-9", 14, D(2026, 3, 2))
    backup_file = tmp_path / "quiet.backup"
    assert cli(["backup", "--out", str(backup_file), "--database-url", _url(engine)]) == 0
    assert cli(["restore", str(backup_file), "--database-url", empty_url]) == 0
    restored = new_engine(empty_url)
    before, after = checksums(engine), checksums(restored)
    assert after == before
    assert (after["clinicians"][0], after["assignments"][0], after["scores"][0]) == (2, 1, 1)
    restored.dispose()


def test_restore_refuses_a_database_that_holds_data(engine: Engine, tmp_path: Path, capsys):
    backup_file = tmp_path / "any.backup"
    assert cli(["backup", "--out", str(backup_file), "--database-url", _url(engine)]) == 0
    assert cli(["restore", str(backup_file), "--database-url", _url(engine)]) == 1
    assert capsys.readouterr().err == (
        "error: restore: the database is not empty; restore into a new, empty one\n"
    )
    with pytest.raises(DataError, match="exists already"):
        from data_access.store.backup import backup

        backup(engine, backup_file)
