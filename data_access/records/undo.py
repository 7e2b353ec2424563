"""Undo: each person may take back their own last entry for 10 minutes.

The entry is found through its `record` audit event, whose detail names the kind of entry and
the ids of the rows it wrote; the undo is audited as `undo` with the same detail.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, select, update

from data_access.access.audit import record
from data_access.access.viewer import Viewer
from data_access.records import entry_rules as rules
from data_access.records.recording import form_transaction, own_client
from data_access.store.errors import DataError
from data_access.store.schema import Assignment, AuditEvent, Score, TherapySession


@dataclass(frozen=True)
class LastEntry:
    """The viewer's newest entry: its kind ("assignment", "session", "scores"), its action
    ("set", "review" or None) and until when it may still be undone."""

    event_id: int
    at: dt.datetime
    client_code: str
    detail: str
    kind: str
    action: str | None
    until: dt.datetime


_FIELD = re.compile(r"(\w+)=(\S+)")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def last_entry(
    conn: Connection, viewer: Viewer, now: dt.datetime | None = None
) -> LastEntry | None:
    """The viewer's own last entry when it can still be undone (made under 10 minutes ago,
    not undone yet, with the row ids it wrote); None otherwise."""
    now = now or _utc_now()
    newest = conn.execute(
        select(
            AuditEvent.id,
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.client_code,
            AuditEvent.detail,
        )
        .where(AuditEvent.actor_email == viewer.email, AuditEvent.action.in_(("record", "undo")))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    if newest is None or newest.action != "record":
        return None
    until = newest.at + dt.timedelta(minutes=rules.UNDO_MINUTES)
    fields = dict(_FIELD.findall(newest.detail))
    if now > until or ("id" not in fields and "scores" not in fields):
        return None
    return LastEntry(
        newest.id,
        newest.at,
        newest.client_code,
        newest.detail,
        fields.get("kind", "entry"),
        fields.get("action"),
        until,
    )


def undo_last(engine: Engine, viewer: Viewer, now: dt.datetime | None = None) -> LastEntry:
    """Take back the viewer's own last entry (within 10 minutes); returns the entry undone.

    The undo is audited as `undo` with the entry's detail; DataError when there is nothing the
    viewer may still undo.
    """
    name = "undo"
    with form_transaction(engine, viewer, name, "") as conn:
        entry = last_entry(conn, viewer, now)
        if entry is None:
            raise DataError(
                name,
                f"there is no entry of yours from the last {rules.UNDO_MINUTES} minutes to undo",
            )
        own_client(conn, viewer, entry.client_code)
        fields = dict(_FIELD.findall(entry.detail))
        score_ids = [int(i) for i in fields.get("scores", "").split(",") if i]
        if score_ids:
            conn.execute(delete(Score).where(Score.id.in_(score_ids)))
        row_id = int(fields["id"]) if "id" in fields else None
        kind, action = entry.kind, entry.action
        if kind == "assignment" and action == "set":
            conn.execute(delete(Assignment).where(Assignment.id == row_id))
        elif kind == "assignment" and action == "review":
            conn.execute(
                update(Assignment)
                .where(Assignment.id == row_id)
                .values(status="pending", engagement=None, reviewed_on=None)
            )
        elif kind == "session" and fields.get("was") == rules.SCHEDULED:
            conn.execute(
                update(TherapySession)
                .where(TherapySession.id == row_id)
                .values(attendance=rules.SCHEDULED)
            )
        elif kind == "session":
            conn.execute(delete(TherapySession).where(TherapySession.id == row_id))
        record(conn, viewer, "undo", entry.client_code, entry.detail)
        return entry
