"""Homework "set in the view": the one rule the Homework page's figures count by.

An assignment is in the view when it was set (`assigned_on`) from the start day to the end day
or the as-of day, whichever comes first, is of the chosen types, and is for a client in the
viewer's scope and the filters (docs/metrics.md).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_

from data_access.reads.filters import Filters, type_condition
from data_access.reads.scope import Scope
from data_access.store.schema import Assignment


def set_between(day: ColumnElement[dt.date], filters: Filters) -> ColumnElement[bool]:
    """`day` (a day homework was set) from the start day to the end day or the as-of day,
    whichever comes first."""
    bounds = [day <= min(filters.end or filters.as_of, filters.as_of)]
    if filters.start:
        bounds.append(day >= filters.start)
    return and_(*bounds)


def set_in_window(filters: Filters) -> ColumnElement[bool]:
    """Assignments of the chosen types set in the window (`set_between`)."""
    return and_(type_condition(filters), set_between(Assignment.assigned_on, filters))


def assignments_in_view(scope: Scope) -> ColumnElement[bool]:
    """Conditions on `Assignment` for the view: scope, client filters, types and window."""
    return and_(scope.client_ids(Assignment.client_id), set_in_window(scope.filters))
