"""The audit trail: who saw, exported or imported which client's data, and every sign-in.

The application only appends here; nothing in the code base updates or deletes an event.
Details never hold health data (no scores, no instructions): only codes, kinds and counts.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, insert

from data_access.schema import AuditEvent
from data_access.viewer import Viewer

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
