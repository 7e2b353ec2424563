"""Lookups every page needs: the viewer's clients, clinicians and the homework catalogue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, Select, case, select

from data_access.access.viewer import Viewer, client_scope, scope_clinicians
from data_access.reads.filters import Filters, client_conditions
from data_access.reads.frames import read_frame
from data_access.store.errors import NotInScope
from data_access.store.schema import AssignmentType, Client, Clinician, Setting


def client_status(discharged_on: dt.date | None, as_of: dt.date) -> str:
    """'active' or 'discharged' on `as_of`."""
    return "discharged" if discharged_on is not None and discharged_on <= as_of else "active"


def _client_rows() -> Select:
    """SELECT of a client's identifying facts and their clinician's name."""
    return select(
        Client.id.label("client_id"),
        Client.code.label("client_code"),
        Client.clinician_id,
        Clinician.name.label("clinician"),
        Client.intake_on,
        Client.discharged_on,
    ).join(Clinician, Clinician.id == Client.clinician_id)


def client_names(conn: Connection, client_ids: Iterable[int]) -> pd.DataFrame:
    """Code and clinician of the clients `client_ids` (already in the viewer's scope).

    Columns: client_id, client_code, clinician_id, clinician (the name).
    """
    query = select(
        Client.id.label("client_id"),
        Client.code.label("client_code"),
        Client.clinician_id,
        Clinician.name.label("clinician"),
    ).join(Clinician, Clinician.id == Client.clinician_id)
    return read_frame(query.where(Client.id.in_([int(i) for i in client_ids])), conn)


def visible_clients(
    conn: Connection, viewer: Viewer, filters: Filters | None = None
) -> pd.DataFrame:
    """The clients the viewer may see (within the filters), ordered by code.

    Columns: client_id, client_code, clinician_id, clinician, intake_on, discharged_on, status.
    """
    filters = filters or Filters()
    as_of = filters.as_of
    status = case(
        ((Client.discharged_on.is_not(None)) & (Client.discharged_on <= as_of), "discharged"),
        else_="active",
    )
    query = (
        _client_rows()
        .add_columns(status.label("status"))
        .where(client_scope(viewer), client_conditions(filters))
        .order_by(Client.code)
    )
    return read_frame(query, conn)


def get_client(conn: Connection, viewer: Viewer, code: str) -> dict:
    """One client the viewer may see, by code; NotInScope when unknown or out of scope.

    Both cases give the same answer, so a viewer cannot probe which codes exist.
    """
    query = _client_rows().where(Client.code == code.strip(), client_scope(viewer))
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotInScope(f"client {code}", "not available to you")
    return dict(row)


def visible_clinicians(conn: Connection, viewer: Viewer) -> pd.DataFrame:
    """Clinicians whose clients the viewer may see (themselves, supervisees, or all).

    Columns: clinician_id, name, email, role, supervisor_id.
    """
    query = (
        select(
            Clinician.id.label("clinician_id"),
            Clinician.name,
            Clinician.email,
            Clinician.role,
            Clinician.supervisor_id,
        )
        .where(scope_clinicians(viewer))
        .order_by(Clinician.name)
    )
    return read_frame(query, conn)


def assignment_types(conn: Connection) -> pd.DataFrame:
    """The homework catalogue. Columns: type_id, name, category."""
    query = select(
        AssignmentType.id.label("type_id"), AssignmentType.name, AssignmentType.category
    ).order_by(AssignmentType.id)
    return read_frame(query, conn)


def is_demo(conn: Connection) -> bool:
    """True for databases built by `python -m data_access demo`."""
    value = conn.execute(select(Setting.value).where(Setting.key == "demo")).scalar()
    return value == "true"
