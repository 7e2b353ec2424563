"""The clients behind each Overview headline, by the same rule and filters as the headline.

Each list is one row per client with the figures that client adds to the headline (FIGURES),
so a supervisor can go from "Needing attention 22" to the 22 clients and on to each one.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, func, select

from data_access.access.viewer import Viewer
from data_access.reads import metrics
from data_access.reads.client_periods import homework_due_per_client, sessions_per_client
from data_access.reads.filters import Filters, date_between, type_condition
from data_access.reads.flags import by_client, flags_in
from data_access.reads.frames import read_frame
from data_access.reads.practice import active_in_period, client_outcomes
from data_access.reads.queries import client_names
from data_access.reads.scope import scope_of
from data_access.store.schema import Assignment, Client, monday_of

# The Overview headlines' list keys, as in the URL (`overview?list=attention`); the names
# people read are in dashboard/words.py (LIST_NAMES).
LISTS = ("active", "sessions", "setting", "assigned", "completion", "improved", "attention")
COLUMNS = ["client_id", "client_code", "clinician"]
# What each list adds per client, beside COLUMNS: the figure that client gives the headline.
FIGURES: dict[str, list[str]] = {
    "active": [],
    "sessions": ["attended"],
    "setting": ["with_homework", "attended"],
    "assigned": ["set"],
    "completion": ["completion_rate", "reviewed", "due"],
    "improved": ["improved"],
    "attention": ["flags"],
}


def _named(conn: Connection, key: str, figures: pd.DataFrame) -> pd.DataFrame:
    """Code and clinician for the clients in `figures` (indexed by client_id), by code."""
    columns = COLUMNS + FIGURES[key]
    if len(figures.index) == 0:
        return pd.DataFrame(columns=columns)
    names = client_names(conn, figures.index).join(figures[FIGURES[key]], on="client_id")
    return names.sort_values("client_code", ignore_index=True)[columns]


def headline_clients(conn: Connection, viewer: Viewer, filters: Filters, key: str) -> pd.DataFrame:
    """The clients the Overview headline `key` (one of LISTS) counts, with what each adds.

    Columns: client_id, client_code, clinician, then the key's FIGURES (attended sessions,
    sessions with homework, assignments set, completion rate with reviewed and due counts,
    reliably improved, or the flags as flags.RaisedFlag records). KeyError for an unknown key.
    """
    if key not in LISTS:
        raise KeyError(key)
    scope = scope_of(conn, viewer, filters)
    if key == "active":
        ids = read_frame(select(Client.id).where(active_in_period(scope)), conn)
        return _named(conn, key, pd.DataFrame(index=ids["id"]))
    if key in ("sessions", "setting"):
        return _named(conn, key, sessions_per_client(conn, scope).set_index("client_id"))
    if key == "assigned":
        conditions = [date_between(Assignment.assigned_on, filters)]
        if filters.start:
            conditions.append(Assignment.due_week >= monday_of(filters.start))
        counts = read_frame(
            select(Assignment.client_id, func.count().label("set"))
            .where(
                *conditions,
                type_condition(filters),
                scope.client_ids(Assignment.client_id),
            )
            .group_by(Assignment.client_id),
            conn,
        ).set_index("client_id")
        counts["set"] = counts["set"].astype(int)
        return _named(conn, key, counts)
    if key == "completion":
        due = homework_due_per_client(conn, scope).set_index("client_id")
        due["reviewed"] = due["reviewed"].astype(int)
        due["due"] = due["due"].astype(int)
        return _named(conn, key, metrics.add_completion_rate(due))
    if key == "improved":
        outcomes = client_outcomes(conn, scope).set_index("client_id")
        return _named(conn, key, outcomes[["improved"]].astype(bool))
    flags = flags_in(conn, scope)
    raised = pd.Series(by_client(flags), dtype=object)
    return _named(conn, key, raised.to_frame("flags"))
