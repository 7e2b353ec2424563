"""The filters every page shares (date range, clinicians, client status, types), as one value.

`Filters` is frozen and hashable so it can key `st.cache_data` together with the viewer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select, true

from data_access.access.viewer import Viewer, client_scope
from data_access.store.schema import Assignment, Client

CLIENT_STATUSES = ("active", "discharged", "all")
# The group code of a row summed over everyone in view (dashboard/ names it for people).
EVERYONE = "all"


@dataclass(frozen=True)
class Filters:
    """A view's filters; `None`/empty means "no restriction" for that dimension."""

    start: dt.date | None = None
    end: dt.date | None = None
    clinician_ids: tuple[int, ...] = ()
    client_status: str = "all"
    type_ids: tuple[int, ...] = ()
    today: dt.date | None = None

    def __post_init__(self) -> None:
        if self.client_status not in CLIENT_STATUSES:
            raise ValueError(f"client status must be one of {', '.join(CLIENT_STATUSES)}")
        if self.start and self.end and self.start > self.end:
            raise ValueError("the start date is after the end date")

    @property
    def as_of(self) -> dt.date:
        """The day "today" means for overdue and active (fixed in tests, else the real date)."""
        return self.today or dt.date.today()


def date_between(column: ColumnElement[dt.date], filters: Filters) -> ColumnElement[bool]:
    """`column` inside the filter window (each end optional, both inclusive)."""
    conditions = []
    if filters.start:
        conditions.append(column >= filters.start)
    if filters.end:
        conditions.append(column <= filters.end)
    return and_(true(), *conditions)


def is_active(as_of: dt.date) -> ColumnElement[bool]:
    """A client is active on `as_of` when admitted by then and not discharged by then."""
    return and_(
        Client.intake_on <= as_of,
        or_(Client.discharged_on.is_(None), Client.discharged_on > as_of),
    )


def client_conditions(filters: Filters) -> ColumnElement[bool]:
    """Conditions on `Client` from the clinician and status filters."""
    conditions = []
    if filters.clinician_ids:
        conditions.append(Client.clinician_id.in_(filters.clinician_ids))
    if filters.client_status == "active":
        conditions.append(is_active(filters.as_of))
    elif filters.client_status == "discharged":
        conditions.append(
            and_(Client.discharged_on.is_not(None), Client.discharged_on <= filters.as_of)
        )
    return and_(true(), *conditions)


def type_condition(filters: Filters) -> ColumnElement[bool]:
    """Restrict assignments to the chosen types, if any were chosen."""
    if not filters.type_ids:
        return true()
    return Assignment.type_id.in_(filters.type_ids)


def sees_everyone(viewer: Viewer, filters: Filters) -> bool:
    """True when the view holds every client: an admin with no clinician or status filter."""
    return viewer.is_admin and not filters.clinician_ids and filters.client_status == "all"


def clients_in_view(
    client_id: ColumnElement[int], viewer: Viewer, filters: Filters
) -> ColumnElement[bool]:
    """Restrict any table's `client_id` to the viewer's clients within the client filters.

    A semi-join rather than a join: the rows need not each be joined to their client, and an
    admin viewing every client gets no condition at all.
    """
    if sees_everyone(viewer, filters):
        return true()
    clients = select(Client.id).where(client_scope(viewer), client_conditions(filters))
    return client_id.in_(clients.correlate(None))
