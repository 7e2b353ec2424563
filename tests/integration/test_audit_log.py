"""The audit log as admins read it: filters, newest first, admins only, and append-only code."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from data_access.access.audit import audit_events, record
from data_access.store.errors import NotInScope
from data_access.store.schema import AuditEvent
from tests.builders import Practice

ROOT = Path(__file__).resolve().parents[2]


def _event(engine: Engine, at: dt.datetime, who: str, action: str, code: str | None) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(AuditEvent).values(
                at=at, actor_email=who, action=action, client_code=code, detail=""
            )
        )


def test_filters_by_day_action_person_and_client(engine: Engine) -> None:
    practice = Practice(engine)
    admin = practice.viewer(practice.clinician("Ada", role="admin"))
    _event(engine, dt.datetime(2026, 3, 1, 23, 59), "cleo@example.org", "view_client", "C-0001")
    _event(engine, dt.datetime(2026, 3, 2, 0, 0), "cleo@example.org", "export", "C-0001")
    _event(engine, dt.datetime(2026, 3, 2, 12, 0), "sam@example.org", "view_client", "C-0002")
    _event(engine, dt.datetime(2026, 3, 3, 0, 0), "sam_x@example.org", "denied", None)
    with engine.connect() as conn:

        def when(**filters) -> list[str]:  # noqa: ANN003
            frame = audit_events(conn, admin, **filters)
            return [f"{r.actor_email} {r.action} {r.client_code}" for r in frame.itertuples()]

        assert when(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 2)) == [
            "sam@example.org view_client C-0002",
            "cleo@example.org export C-0001",
        ]
        assert when(action="view_client") == [
            "sam@example.org view_client C-0002",
            "cleo@example.org view_client C-0001",
        ]
        assert when(who="CLEO") == [
            "cleo@example.org export C-0001",
            "cleo@example.org view_client C-0001",
        ]
        assert when(who="sam_") == ["sam_x@example.org denied None"]  # "_" is not a wildcard
        assert when(client_code=" C-0002 ") == ["sam@example.org view_client C-0002"]
        assert len(when(limit=2)) == 2


def test_only_admins_read_the_audit_log(engine: Engine) -> None:
    practice = Practice(engine)
    sam = practice.viewer(practice.clinician("Sam", role="supervisor"))
    with pytest.raises(NotInScope), engine.connect() as conn:
        audit_events(conn, sam)


def test_record_refuses_unknown_actions(engine: Engine) -> None:
    with pytest.raises(ValueError, match="unknown audit action"), engine.begin() as conn:
        record(conn, "x@example.org", "tamper")


def test_no_application_code_updates_or_deletes_audit_events() -> None:
    """Append-only from the application's point of view: no UPDATE or DELETE path exists."""
    pattern = re.compile(
        r"(update|delete)\(\s*AuditEvent|AuditEvent\.__table__\.(update|delete)"
        r"|(UPDATE|DELETE FROM)\s+audit_events",
        re.IGNORECASE,
    )
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("data_access", "dashboard", "pages")
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts and pattern.search(path.read_text())
    ]
    assert offenders == []
