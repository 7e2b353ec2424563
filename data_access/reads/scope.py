"""Which clients one page request may read, resolved once (docs/metrics.md, "Scope").

`scope_of` reads the clinicians whose clients the viewer may see once per page request (one
small query for a supervisor, none otherwise); every query of the page then filters through
the `Scope` it returns instead of deriving the same clinicians again in a subquery of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, Connection, and_, select, true

from data_access.access.viewer import Viewer, scope_clinicians
from data_access.reads.filters import Filters, status_condition
from data_access.store.schema import Client, Clinician


@dataclass(frozen=True)
class Scope:
    """A viewer, their filters and the clinicians whose clients they may see (`visible`; None:
    every clinician, for an admin). Frozen and hashable, like `Viewer` and `Filters`."""

    viewer: Viewer
    filters: Filters
    visible: tuple[int, ...] | None

    def with_filters(self, filters: Filters) -> Scope:
        """The same viewer's scope under other filters (another period or as-of day)."""
        return replace(self, filters=filters)

    @property
    def clinician_ids(self) -> tuple[int, ...] | None:
        """The clinicians in view: the visible ones within the clinician filter (None: all)."""
        chosen = self.filters.clinician_ids
        if self.visible is None:
            return chosen or None
        return tuple(c for c in self.visible if c in chosen) if chosen else self.visible

    @property
    def sees_everyone(self) -> bool:
        """True when the view holds every client: an admin with no clinician or status filter."""
        return self.clinician_ids is None and self.filters.client_status == "all"

    def clinicians(self, clinician_id: ColumnElement[int]) -> ColumnElement[bool]:
        """Restrict a clinician id column (a client's, a count's) to the clinicians in view."""
        ids = self.clinician_ids
        return true() if ids is None else clinician_id.in_(ids)

    def clients(self) -> ColumnElement[bool]:
        """Condition on `Client`: the viewer's clients within the clinician and status filters."""
        return and_(self.clinicians(Client.clinician_id), status_condition(self.filters))

    def client_ids(self, client_id: ColumnElement[int]) -> ColumnElement[bool]:
        """Restrict any table's `client_id` to the clients in view.

        A semi-join rather than a join: the rows need not each be joined to their client, and
        when the view holds every client there is no condition at all.
        """
        if self.sees_everyone:
            return true()
        return client_id.in_(select(Client.id).where(self.clients()).correlate(None))


def scope_of(conn: Connection, viewer: Viewer, filters: Filters) -> Scope:
    """The viewer's scope under `filters`: their supervisees read once for a supervisor."""
    if viewer.is_admin:
        visible = None
    elif viewer.role == "supervisor":
        query = select(Clinician.id).where(scope_clinicians(viewer)).order_by(Clinician.id)
        visible = tuple(conn.execute(query).scalars())
    else:
        visible = (viewer.clinician_id,)
    return Scope(viewer, filters, visible)
