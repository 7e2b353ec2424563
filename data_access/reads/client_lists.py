"""The clients behind each Overview headline, by the same rule and filters as the headline.

Each list is one row per client with the figure that client adds to the headline (`detail`),
so a supervisor can go from "Needing attention 22" to the 22 clients and on to each one.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, func, select

from data_access.access.viewer import Viewer
from data_access.reads import metrics
from data_access.reads.filters import Filters, clients_in_view, date_between, type_condition
from data_access.reads.flags import needs_attention
from data_access.reads.outcomes import homework_due_per_client
from data_access.reads.practice import (
    active_in_period,
    attended_per_client,
    client_outcomes,
)
from data_access.store.schema import Assignment, Client, Clinician, monday_of

# Overview headline -> the list key in the URL (`overview?list=attention`).
LISTS: dict[str, str] = {
    "active": "Active clients",
    "sessions": "Sessions attended",
    "setting": "Homework set",
    "assigned": "Assignments set",
    "completion": "Completion",
    "improved": "Reliably improved",
    "attention": "Needing attention",
}
COLUMNS = ["client_id", "client_code", "clinician", "detail"]


def _named(conn: Connection, details: pd.Series) -> pd.DataFrame:
    """Code and clinician for the clients in `details` (indexed by client_id), by code."""
    if details.empty:
        return pd.DataFrame(columns=COLUMNS)
    ids = [int(i) for i in details.index]
    names = pd.read_sql(
        select(
            Client.id.label("client_id"),
            Client.code.label("client_code"),
            Clinician.name.label("clinician"),
        )
        .join(Clinician, Clinician.id == Client.clinician_id)
        .where(Client.id.in_(ids)),
        conn,
    )
    names["detail"] = names["client_id"].map(details)
    return names.sort_values("client_code", ignore_index=True)[COLUMNS]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def headline_clients(conn: Connection, viewer: Viewer, filters: Filters, key: str) -> pd.DataFrame:
    """The clients the Overview headline `key` (one of LISTS) counts, with what each adds.

    Columns: client_id, client_code, clinician, detail. Raises KeyError for an unknown key.
    """
    if key not in LISTS:
        raise KeyError(key)
    if key == "active":
        ids = pd.read_sql(select(Client.id).where(active_in_period(viewer, filters)), conn)
        return _named(conn, pd.Series("in treatment in the period", index=ids["id"]))
    if key in ("sessions", "setting"):
        per_client = pd.read_sql(attended_per_client(conn, viewer, filters), conn)
        per_client = per_client[per_client["attended"] > 0].set_index("client_id")
        if key == "sessions":
            details = per_client["attended"].map(lambda n: _plural(int(n), "attended session"))
        else:
            details = pd.Series(
                [
                    f"homework set at {int(w)} of {_plural(int(a), 'attended session')}"
                    for w, a in zip(
                        per_client["with_homework"], per_client["attended"], strict=True
                    )
                ],
                index=per_client.index,
            )
        return _named(conn, details)
    if key == "assigned":
        conditions = [date_between(Assignment.assigned_on, filters)]
        if filters.start:
            conditions.append(Assignment.due_week >= monday_of(filters.start))
        counts = pd.read_sql(
            select(Assignment.client_id, func.count().label("n"))
            .where(
                *conditions,
                type_condition(filters),
                clients_in_view(Assignment.client_id, viewer, filters),
            )
            .group_by(Assignment.client_id),
            conn,
        ).set_index("client_id")
        return _named(conn, counts["n"].map(lambda n: _plural(int(n), "assignment") + " set"))
    if key == "completion":
        due = homework_due_per_client(conn, viewer, filters).set_index("client_id")
        due["reviewed"] = due["reviewed"].astype(int)
        due = metrics.add_completion_rate(due)
        details = pd.Series(
            [
                f"{metrics.rate_label(rate, n)} of {_plural(int(d), 'assignment')} due"
                for rate, n, d in zip(
                    due["completion_rate"], due["reviewed"], due["due"], strict=True
                )
            ],
            index=due.index,
        )
        return _named(conn, details)
    if key == "improved":
        outcomes = client_outcomes(conn, viewer, filters).set_index("client_id")
        details = outcomes["improved"].map(
            lambda improved: "reliably improved" if improved else "not reliably improved"
        )
        return _named(conn, details)
    flags = needs_attention(conn, viewer, filters)
    return _named(conn, flags.groupby("client_id")["label"].agg("; ".join))
