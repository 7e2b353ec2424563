"""Who is looking, and the one rule for which clients they may see.

Every query in the data layer takes a `Viewer` (or a `reads.scope.Scope`, the same rule resolved
once for a page) and filters through it; there is no query path without one. A clinician sees
their own clients, a supervisor their own and their direct supervisees' clients, an admin every
client.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, or_, select, true

from data_access.store.schema import Client, Clinician


@dataclass(frozen=True)
class Viewer:
    """The signed-in person a query runs for (hashable, so it can key caches)."""

    clinician_id: int
    email: str
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def sees_other_clinicians(self) -> bool:
        """Supervisors and admins look across clinicians; clinicians only at themselves."""
        return self.role in ("supervisor", "admin")


def scope_clinicians(viewer: Viewer) -> ColumnElement[bool]:
    """Condition on `Clinician` rows whose clients the viewer may see."""
    if viewer.role == "admin":
        return true()
    if viewer.role == "supervisor":
        return or_(
            Clinician.id == viewer.clinician_id, Clinician.supervisor_id == viewer.clinician_id
        )
    return Clinician.id == viewer.clinician_id


def client_scope(viewer: Viewer) -> ColumnElement[bool]:
    """Condition on `Client` rows the viewer may see."""
    if viewer.role == "admin":
        return true()
    if viewer.role == "supervisor":
        return Client.clinician_id.in_(select(Clinician.id).where(scope_clinicians(viewer)))
    return Client.clinician_id == viewer.clinician_id


def visible_client_ids(viewer: Viewer) -> Select[tuple[int]]:
    """SELECT of the ids of the clients the viewer may see, for `column.in_(…)` filters."""
    return select(Client.id).where(client_scope(viewer))


def in_scope(client_id_column: ColumnElement[int], viewer: Viewer) -> ColumnElement[bool]:
    """Condition restricting any table's `client_id` column to the viewer's clients."""
    if viewer.role == "admin":
        return true()
    return client_id_column.in_(visible_client_ids(viewer))
