"""Export each kind as CSV in exactly the import format, scoped to the viewer, audited.

Every cell goes through `csv_safe` (formula injection neutralised), and the importer undoes it,
so an export re-imports to the same data. Rows are streamed from the database in chunks.
An assignment without an external id is exported as `bs-<number>` (see import_client_rows.py).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import BinaryIO

import pandas as pd
from sqlalchemy import Connection, Engine, Select, select
from sqlalchemy.orm import aliased

from data_access.access.audit import record
from data_access.access.viewer import Viewer, client_scope, scope_clinicians
from data_access.records.csv_safe import to_safe_csv
from data_access.records.formats import KINDS
from data_access.records.import_client_rows import INTERNAL_ID_PREFIX
from data_access.records.importer import CLI_ACTOR
from data_access.store.engine import write
from data_access.store.errors import DataError
from data_access.store.schema import (
    ITEM_COLUMNS,
    Assignment,
    AssignmentType,
    Client,
    Clinician,
    Score,
    TherapySession,
)

CHUNK_ROWS = 5_000
# The command line exports with full scope (an admin operation), audited as "cli".
CLI_VIEWER = Viewer(clinician_id=0, email=CLI_ACTOR, name="command line", role="admin")


def _query(kind: str, viewer: Viewer) -> Select:
    """The SELECT of `kind` in the viewer's scope, its columns in import order."""
    if kind == "clinicians":
        boss = aliased(Clinician)
        return (
            select(Clinician.email, Clinician.name, Clinician.role, boss.email)
            .outerjoin(boss, boss.id == Clinician.supervisor_id)
            .where(scope_clinicians(viewer))
            .order_by(Clinician.email)
        )
    if kind == "clients":
        return (
            select(Client.code, Clinician.email, Client.intake_on, Client.discharged_on)
            .join(Clinician, Clinician.id == Client.clinician_id)
            .where(client_scope(viewer))
            .order_by(Client.code)
        )
    if kind == "sessions":
        return (
            select(Client.code, TherapySession.held_on, TherapySession.attendance)
            .join(Client, Client.id == TherapySession.client_id)
            .where(client_scope(viewer))
            .order_by(Client.code, TherapySession.held_on)
        )
    if kind == "assignments":
        return (
            select(
                Assignment.external_id,
                Assignment.id,
                Client.code,
                AssignmentType.name,
                Assignment.assigned_on,
                Assignment.due_on,
                Assignment.status,
                Assignment.difficulty,
                Assignment.engagement,
                Assignment.reviewed_on,
                Assignment.instructions,
            )
            .join(Client, Client.id == Assignment.client_id)
            .join(AssignmentType, AssignmentType.id == Assignment.type_id)
            .where(client_scope(viewer))
            .order_by(Client.code, Assignment.assigned_on, Assignment.id)
        )
    if kind == "scores":
        return (
            select(
                Client.code,
                Score.measure,
                Score.value,
                Score.recorded_on,
                *(getattr(Score, c) for c in ITEM_COLUMNS),
            )
            .join(Client, Client.id == Score.client_id)
            .where(client_scope(viewer))
            .order_by(Client.code, Score.recorded_on, Score.measure, Score.id)
        )
    raise DataError("export", f"kind must be one of {', '.join(KINDS)}")


def _text(value: object) -> str:
    """A cell as the import format writes it: ISO dates, plain numbers, empty for none."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _row(kind: str, row: tuple) -> list[str]:
    if kind == "assignments":
        external_id, internal_id, *rest = row
        row = (external_id or f"{INTERNAL_ID_PREFIX}{internal_id}", *rest)
    return [_text(v) for v in row]


def export_frames(conn: Connection, viewer: Viewer, kind: str) -> Iterator[pd.DataFrame]:
    """The kind in the viewer's scope as text DataFrames of up to CHUNK_ROWS rows each."""
    columns = list(KINDS[kind])
    result = conn.execution_options(stream_results=True).execute(_query(kind, viewer))
    empty = True
    for part in result.partitions(CHUNK_ROWS):
        empty = False
        yield pd.DataFrame([_row(kind, r) for r in part], columns=columns, dtype=object)
    if empty:
        yield pd.DataFrame(columns=columns, dtype=object)


def write_csv(engine: Engine, viewer: Viewer | None, kind: str, out: BinaryIO) -> int:
    """Write the kind as safe CSV to `out`; audit the export; return the number of rows.

    `viewer=None` is the command line: full scope, audited as "cli".
    """
    rows = 0
    with engine.connect() as conn:
        for number, frame in enumerate(export_frames(conn, viewer or CLI_VIEWER, kind)):
            data = to_safe_csv(frame)
            out.write(data if number == 0 else data.split(b"\n", 1)[1])
            rows += len(frame)
    with write(engine, f"{kind} export", data=False) as conn:
        record(conn, viewer or CLI_ACTOR, "export", None, f"kind={kind} rows={rows}")
    return rows


def export_bytes(engine: Engine, viewer: Viewer, kind: str) -> bytes:
    """The kind in the viewer's scope as safe CSV bytes (for a download button); audited."""
    buffer = io.BytesIO()
    write_csv(engine, viewer, kind, buffer)
    return buffer.getvalue()
