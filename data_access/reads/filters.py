"""The filters every page shares (date range, clinicians, client status, types), as one value.

`Filters` is frozen and hashable so it can key `st.cache_data` together with the viewer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, true

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

    def on_the_day(self) -> Filters:
        """Only what a figure as of one day depends on (the clinicians and the as-of day): a
        cache keyed on it serves every period and status chosen on every page."""
        return Filters(clinician_ids=self.clinician_ids, today=self.as_of)


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


def status_condition(filters: Filters) -> ColumnElement[bool]:
    """Condition on `Client` from the client-status filter."""
    if filters.client_status == "active":
        return is_active(filters.as_of)
    if filters.client_status == "discharged":
        return and_(Client.discharged_on.is_not(None), Client.discharged_on <= filters.as_of)
    return true()


def client_conditions(filters: Filters) -> ColumnElement[bool]:
    """Conditions on `Client` from the clinician and status filters."""
    conditions = []
    if filters.clinician_ids:
        conditions.append(Client.clinician_id.in_(filters.clinician_ids))
    return and_(true(), *conditions, status_condition(filters))


def type_condition(filters: Filters) -> ColumnElement[bool]:
    """Restrict assignments to the chosen types, if any were chosen."""
    if not filters.type_ids:
        return true()
    return Assignment.type_id.in_(filters.type_ids)
