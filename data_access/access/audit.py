"""The audit trail: who saw, exported or imported which client's data, and every sign-in.

The application only appends here; nothing in the code base updates or deletes an event.
Details never hold health data (no scores, no instructions): only codes, kinds and counts.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, func, insert, select

from data_access.access.viewer import Viewer
from data_access.reads.frames import read_frame
from data_access.store.errors import NotInScope
from data_access.store.schema import AuditEvent

ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "view_client",
    "denied",
    "export",
    "import",
    "record",
    "account",
    "undo",
)


def record(
    conn: Connection,
    actor: Viewer | str | None,
    action: str,
    client_code: str | None = None,
    detail: str = "",
) -> None:
    """Append one event on `conn` (inside the caller's transaction, if any)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    email = actor.email if isinstance(actor, Viewer) else actor
    conn.execute(
        insert(AuditEvent).values(
            at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            actor_email=email,
            action=action,
            client_code=client_code,
            detail=detail,
        )
    )


def audit_events(
    conn: Connection,
    viewer: Viewer,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    action: str | None = None,
    who: str | None = None,
    client_code: str | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """The newest events first, for admins only, filtered by day range (inclusive, UTC),
    action, actor email (substring) and client code (exact).

    Columns: at, actor_email, action, client_code, detail.
    """
    if not viewer.is_admin:
        raise NotInScope("audit log", "only admins may read the audit log")
    conditions = []
    if start is not None:
        conditions.append(AuditEvent.at >= dt.datetime.combine(start, dt.time()))
    if end is not None:
        conditions.append(
            AuditEvent.at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
        )
    if action:
        conditions.append(AuditEvent.action == action)
    if who:
        conditions.append(
            func.lower(AuditEvent.actor_email).contains(who.strip().lower(), autoescape=True)
        )
    if client_code:
        conditions.append(AuditEvent.client_code == client_code.strip())
    query = (
        select(
            AuditEvent.at,
            AuditEvent.actor_email,
            AuditEvent.action,
            AuditEvent.client_code,
            AuditEvent.detail,
        )
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return read_frame(query, conn)
