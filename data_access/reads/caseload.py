"""The caseload page's figures: a row per clinician, completion per clinician and week, the
clients who need attention, and one clinician's clients (docs/overview-caseload.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Connection, and_, case, func, literal, select

from data_access.access.viewer import Viewer
from data_access.reads import metrics
from data_access.reads.assignment_counts import COUNT_COLUMNS, assignment_counts
from data_access.reads.client_periods import homework_due_per_client, sessions_per_client
from data_access.reads.expected import OnTrackSummary, on_track_summary
from data_access.reads.filters import Filters
from data_access.reads.flags import by_client, flags_and_course, flags_in, severity_rank
from data_access.reads.frames import read_frame
from data_access.reads.practice import (
    active_clients,
    active_in_period,
    client_outcomes,
    outcome_counts,
    session_counts,
)
from data_access.reads.scope import Scope, scope_of
from data_access.store.schema import SCHEDULED, Client, Clinician, Score, TherapySession

ATTENTION_COLUMNS = ["client_id", "client_code", "clinician_id", "clinician", "flags"]
CONTACT_COLUMNS = [
    "client_id",
    "last_session",
    "last_attendance",
    "last_score_measure",
    "last_score",
    "last_score_on",
]


def _newest_row(
    conn: Connection,
    ids: Sequence[int],
    table: type[TherapySession] | type[Score],
    condition: ColumnElement[bool],
    order: tuple[ColumnElement, ...],
    *columns: ColumnElement,
) -> pd.DataFrame:
    """Columns of each client's newest row of `table`, indexed by client_id.

    A correlated LIMIT 1 over the table's (client_id, date) index per client, rather than
    ranking every row of thousands of flagged clients. The rows are then fetched by primary
    key in a second query: joined in one, PostgreSQL hashed every score to meet a thousand ids.
    """
    newest_id = (
        select(table.id)
        .where(table.client_id == Client.id, condition)
        .order_by(*order)
        .limit(1)
        .scalar_subquery()
    )
    newest = read_frame(
        select(Client.id.label("client_id"), newest_id.label("row_id")).where(Client.id.in_(ids)),
        conn,
    ).dropna(subset=["row_id"])
    newest["row_id"] = newest["row_id"].astype(int)
    row_ids = newest["row_id"].tolist()
    by_id = select(table.id.label("row_id"), *columns).where(table.id.in_(row_ids))
    rows = read_frame(by_id, conn)
    return newest.merge(rows, on="row_id").drop(columns="row_id").set_index("client_id")


def attention_list(conn: Connection, scope: Scope) -> pd.DataFrame:
    """One row per flagged client: clinician and flags (a tuple of flags.RaisedFlag: each code
    with the facts its rule's words need), as of the filters' "today". Clients with an open
    risk item come first (unreviewed before reviewed), then by their most urgent flag
    (flags.SEVERITY), then those with the most flags, then by clinician and code. The last
    session and score are read apart (`last_contact`), for the rows a page shows."""
    return _attention_from(flags_in(conn, scope))


def _attention_from(flags: pd.DataFrame) -> pd.DataFrame:
    """`attention_list`'s rows from `flags.flags_in`'s."""
    if flags.empty:
        return pd.DataFrame(columns=ATTENTION_COLUMNS)
    grouped = flags.groupby("client_id", sort=False)
    per_client = pd.DataFrame(
        {
            "client_code": grouped["client_code"].first(),
            "clinician_id": grouped["clinician_id"].first(),
            "clinician": grouped["clinician"].first(),
            "flags": pd.Series(by_client(flags), dtype=object),
        }
    )
    frame = per_client.reset_index().rename(columns={"index": "client_id"})
    frame["n_flags"] = grouped.size().reindex(frame["client_id"]).to_numpy()
    rank = flags["flag"].map(severity_rank) * 2 + flags["reviewed"].astype(int)
    frame["top"] = rank.groupby(flags["client_id"]).min().reindex(frame["client_id"]).to_numpy()
    return frame.sort_values(
        ["top", "n_flags", "clinician", "client_code"], ascending=[True, False, True, True]
    ).reset_index(drop=True)[ATTENTION_COLUMNS]


@dataclass(frozen=True)
class DayView:
    """What Overview and Caseload show as of one day: the needs-attention list
    (`attention_list`) and the on-track share (`expected.OnTrackSummary`)."""

    attention: pd.DataFrame
    on_track: OnTrackSummary


def day_view(conn: Connection, viewer: Viewer, filters: Filters) -> DayView:
    """The needs-attention list and the on-track share, from one read of the active clients'
    first and latest scores. Both depend on the filters' as-of day and clinicians alone, so
    pages cache it on `filters.on_the_day()` and share it (Overview counts the list's rows)."""
    flags, course, facts = flags_and_course(conn, scope_of(conn, viewer, filters))
    return DayView(_attention_from(flags), on_track_summary(conn, course, facts))


def last_contact(
    conn: Connection, viewer: Viewer, filters: Filters, client_ids: Sequence[int]
) -> pd.DataFrame:
    """Each of these clients' last session (with attendance) and last score up to the filters'
    "today" (CONTACT_COLUMNS; blank where none): for the rows of the attention list a page
    shows or downloads. Clients outside the viewer's scope are left out."""
    scope = scope_of(conn, viewer, filters)
    ids = tuple(
        conn.execute(
            select(Client.id).where(
                scope.clinicians(Client.clinician_id), Client.id.in_(tuple(client_ids))
            )
        ).scalars()
    )
    as_of = filters.as_of
    last_sessions = _newest_row(
        conn,
        ids,
        TherapySession,
        (TherapySession.held_on <= as_of) & (TherapySession.attendance != SCHEDULED),
        (TherapySession.held_on.desc(),),
        TherapySession.held_on.label("last_session"),
        TherapySession.attendance.label("last_attendance"),
    )
    last_scores = _newest_row(
        conn,
        ids,
        Score,
        Score.recorded_on <= as_of,
        (Score.recorded_on.desc(), Score.id.desc()),
        Score.measure.label("last_score_measure"),
        Score.value.label("last_score"),
        Score.recorded_on.label("last_score_on"),
    )
    frame = pd.DataFrame(index=pd.Index(ids, name="client_id"))
    frame = frame.join(last_sessions).join(last_scores)
    for column in ("last_session", "last_score_on"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame.reset_index()[CONTACT_COLUMNS]


def with_contact(attention: pd.DataFrame, contact: pd.DataFrame) -> pd.DataFrame:
    """Attention rows (any slice of `attention_list`) with their `last_contact` columns, in
    the rows' order."""
    return attention.merge(contact, on="client_id", how="left")


def caseload_table(conn: Connection, scope: Scope) -> pd.DataFrame:
    """One row per clinician in scope (and in the filters) who has clients.

    Columns: clinician_id, clinician, clients, active_clients, attended, with_homework,
    setting_rate, assignments, completed, partial, reviewed, credit, completion_rate, overdue,
    outcome_clients, improved_clients, improved_share (`with_attention` adds needs_attention).
    """
    client_count = func.count(Client.id).label("clients")
    people = (
        select(Clinician.id.label("clinician_id"), Clinician.name.label("clinician"), client_count)
        .join(Client, Client.clinician_id == Clinician.id)
        .where(scope.clients())
        .group_by(Clinician.id, Clinician.name)
    )
    table = read_frame(people, conn).set_index("clinician_id")
    active = active_clients(conn, scope, by_clinician=True).set_index("clinician_id")
    sessions = session_counts(conn, scope, by_clinician=True).set_index("clinician_id")
    due = assignment_counts(conn, scope, by=("clinician_id",)).set_index("clinician_id")
    table = table.join(active).join(sessions).join(due.drop(columns="completion_rate"))
    table = table.join(outcome_counts(conn, scope, by_clinician=True).set_index("clinician_id"))
    counts = ["active_clients", "attended", "with_homework"]
    counts += ["outcome_clients", "improved_clients", *COUNT_COLUMNS]
    for column in counts:
        table[column] = table[column].fillna(0).astype(float if column == "credit" else int)
    attended = table["attended"].astype(float)
    table["setting_rate"] = table["with_homework"] / attended.where(attended > 0)
    table = metrics.add_completion_rate(table)
    outcome_n = table["outcome_clients"].astype(float)
    table["improved_share"] = table["improved_clients"] / outcome_n.where(outcome_n > 0)
    return table.reset_index().sort_values("clinician", ignore_index=True)


def completion_heatmap(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Completion per clinician and due week (the weeks the period touches).

    Columns: clinician_id, clinician, due_week, assignments, reviewed, credit, completion_rate…
    """
    frame = assignment_counts(conn, scope, by=("clinician_id", "due_week"), whole_weeks=True)
    names = read_frame(
        select(Clinician.id.label("clinician_id"), Clinician.name.label("clinician")).where(
            scope.clinicians(Clinician.id)
        ),
        conn,
    )
    return frame.merge(names, on="clinician_id", how="left")


def clinician_clients(conn: Connection, scope: Scope, clinician_id: int) -> pd.DataFrame:
    """A clinician's clients (in scope and filters): completion and latest change side by side.

    Columns: client_id, client_code, status, attended, reviewed, credit, completion_rate,
    phq_change, gad_change, outcome (a code: "reliable_improvement" / "reliable_deterioration"
    / "no_reliable_change" / "too_few_scores"); `with_attention` adds their flags.
    """
    mine = replace(scope.filters, clinician_ids=(clinician_id,))
    status = case(
        (
            and_(Client.discharged_on.is_not(None), Client.discharged_on <= mine.as_of),
            literal("discharged"),
        ),
        else_=literal("active"),
    )
    clients = read_frame(
        select(
            Client.id.label("client_id"), Client.code.label("client_code"), status.label("status")
        )
        .where(active_in_period(scope.with_filters(mine)))
        .order_by(Client.code),
        conn,
    )
    if clients.empty:
        return clients.assign(
            attended=[],
            reviewed=[],
            credit=[],
            completion_rate=[],
            phq_change=[],
            gad_change=[],
            outcome=[],
        )
    ids = tuple(int(i) for i in clients["client_id"])
    theirs = scope.with_filters(mine)
    sessions = sessions_per_client(conn, theirs).set_index("client_id")[["attended"]]
    due = homework_due_per_client(conn, theirs).set_index("client_id")[["reviewed", "credit"]]
    outcomes = client_outcomes(conn, scope, ids).set_index("client_id")
    frame = clients.set_index("client_id").join(sessions).join(due)
    frame = frame.join(outcomes[["improved", "deteriorated", "phq_change", "gad_change"]])
    frame["attended"] = frame["attended"].fillna(0).astype(int)
    frame["reviewed"] = frame["reviewed"].fillna(0).astype(int)
    frame["credit"] = frame["credit"].fillna(0.0).astype(float)
    frame = metrics.add_completion_rate(frame)
    frame["outcome"] = np.select(
        [
            frame["deteriorated"].eq(True).to_numpy(),
            frame["improved"].eq(True).to_numpy(),
            frame["improved"].notna().to_numpy(),
        ],
        ["reliable_deterioration", "reliable_improvement", "no_reliable_change"],
        default="too_few_scores",
    )
    return frame.drop(columns=["improved", "deteriorated"]).reset_index()


@dataclass(frozen=True)
class CaseloadData:
    """Everything the caseload page shows, for one viewer and one set of filters."""

    table: pd.DataFrame
    heatmap: pd.DataFrame
    clients: pd.DataFrame | None  # the drill-down, when one clinician is chosen for it
    # The needs-attention list (`day_view`), joined by `with_attention`: None until then,
    # so a page that forgot it fails rather than shows "no one needs attention".
    attention: pd.DataFrame | None = None


def caseload_data(
    conn: Connection, viewer: Viewer, filters: Filters, drill: int | None = None
) -> CaseloadData:
    """The caseload page's figures for the period: per clinician, the heatmap and (a supervisor
    or admin drilling down to one clinician, or a clinician, whose page always drills into their
    own caseload) that clinician's clients. The drill-down never narrows the table or the
    heatmap: they keep every clinician in the filters.

    The needs-attention list is as of one day, not of the period: the page reads it apart
    (`day_view`, cached on the day and shared with Overview) and `with_attention` joins it.
    The scope is resolved once.
    """
    scope = scope_of(conn, viewer, filters)
    if not viewer.sees_other_clinicians:
        drill = viewer.clinician_id
    return CaseloadData(
        table=caseload_table(conn, scope),
        heatmap=completion_heatmap(conn, scope),
        clients=None if drill is None else clinician_clients(conn, scope, drill),
    )


def with_attention(data: CaseloadData, attention: pd.DataFrame) -> CaseloadData:
    """The period's figures with the needs-attention list (`day_view` for the same viewer,
    clinicians and as-of day): each clinician's count of flagged clients, and the drill-down
    clients' flags."""
    flagged = attention.groupby("clinician_id")["client_id"].nunique().rename("needs_attention")
    table = data.table.join(flagged, on="clinician_id")
    table["needs_attention"] = table["needs_attention"].fillna(0).astype(int)
    clients = data.clients
    if clients is not None:
        flags = dict(zip(attention["client_id"], attention["flags"], strict=True))
        clients = clients.assign(
            flags=pd.Series([flags.get(c, ()) for c in clients["client_id"]], dtype=object)
        )
    return replace(data, table=table, attention=attention, clients=clients)
