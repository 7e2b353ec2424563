""" "My clients": one row per active client of the viewer's own caseload, ready for the day.

Everything is aggregated in SQL per client over the per-client indexes (sessions by
(client, day), assignments by (client, day set), scores by (measure, client, day)): the next
booked session, the last recorded contact, the homework set since the last attended session,
the latest PHQ-9 and GAD-7 against baseline, and the needs-attention flags, worst first.
A scheduled session is only a booking: it is never a contact, and one whose day has passed
reads "not recorded" until someone records its attendance.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Select, and_, func, select

from data_access.access.viewer import Viewer, client_scope
from data_access.reads import metrics
from data_access.reads.filters import Filters, is_active
from data_access.reads.flags import by_client, flags_in, needs_attention, severity_rank, worst_first
from data_access.reads.frames import read_frame
from data_access.reads.scope import Scope, scope_of
from data_access.reads.scores import baseline_latest
from data_access.store.schema import (
    SCHEDULED,
    Assignment,
    AssignmentType,
    Client,
    Clinician,
    TherapySession,
)

MEASURES_SHOWN = ("PHQ-9", "GAD-7")
NO_FLAG = 99  # the worst-flag rank of a client without flags: after every flagged one
COLUMNS = [
    "client_id", "client_code", "clinician", "next_session", "unrecorded_session",
    "last_contact", "last_attendance", "days_since_contact", "last_attended",
    "hw_set", "hw_done", "hw_partly", "hw_pending", "hw_pending_due", "hw_type", "hw_status",
    "hw_due",
    "PHQ-9", "PHQ-9 band", "PHQ-9 change", "GAD-7", "GAD-7 band", "GAD-7 change",
    "flags", "flag_count", "worst_flag",
]  # fmt: skip


def _dates(column: pd.Series) -> pd.Series:
    """Dates as `datetime.date` or None on both dialects (SQLite hands back text)."""
    return pd.Series(
        [None if pd.isna(v) else pd.Timestamp(v).date() for v in column],
        index=column.index,
        dtype=object,
    )


def _per_client(scope: Scope, team: bool) -> Select:
    """SELECT of each active client's code, clinician and session facts, one row per client."""
    sessions = TherapySession
    today = scope.filters.as_of
    mine = Client.clinician_id == scope.viewer.clinician_id
    booked = and_(sessions.client_id == Client.id, sessions.attendance == SCHEDULED)
    recorded = and_(
        sessions.client_id == Client.id,
        sessions.attendance != SCHEDULED,
        sessions.held_on <= today,
    )
    next_session = select(func.min(sessions.held_on)).where(booked, sessions.held_on >= today)
    unrecorded = select(func.max(sessions.held_on)).where(booked, sessions.held_on < today)
    last_id = select(sessions.id).where(recorded).order_by(sessions.held_on.desc()).limit(1)
    last_attended = select(func.max(sessions.held_on)).where(
        recorded, sessions.attendance == "attended"
    )
    return (
        select(
            Client.id.label("client_id"),
            Client.code.label("client_code"),
            Clinician.name.label("clinician"),
            next_session.scalar_subquery().label("next_session"),
            unrecorded.scalar_subquery().label("unrecorded_session"),
            last_id.scalar_subquery().label("last_id"),
            last_attended.scalar_subquery().label("last_attended"),
        )
        .join(Clinician, Clinician.id == Client.clinician_id)
        .where(scope.clients() if team else mine, is_active(today))
    )


def _last_contacts(conn: Connection, ids: list[int]) -> pd.DataFrame:
    """Day and attendance of the given session rows, by primary key."""
    query = select(
        TherapySession.id.label("last_id"),
        TherapySession.held_on.label("last_contact"),
        TherapySession.attendance.label("last_attendance"),
    ).where(TherapySession.id.in_(ids))
    return read_frame(query, conn)


def homework_counts(conn: Connection, ids: list[int], today: dt.date) -> pd.DataFrame:
    """Per client: homework set since their last attended session (that day included),
    counted by status in SQL.

    Columns: client_id (index), n, done, partly, pending, pending_due, type, status, due_on
    (the last three describe the item when there is only one).
    """
    last = (
        select(TherapySession.client_id, func.max(TherapySession.held_on).label("day"))
        .where(
            TherapySession.client_id.in_(ids),
            TherapySession.attendance == "attended",
            TherapySession.held_on <= today,
        )
        .group_by(TherapySession.client_id)
        .subquery()
    )
    pending = Assignment.status == "pending"
    query = (
        select(
            Assignment.client_id,
            func.count().label("n"),
            metrics.completed_count().label("done"),
            metrics.partial_count().label("partly"),
            func.count().filter(pending).label("pending"),
            func.min(Assignment.due_on).filter(pending).label("pending_due"),
            func.min(AssignmentType.name).label("type"),
            func.min(Assignment.status).label("status"),
            func.min(Assignment.due_on).label("due_on"),
        )
        .join(AssignmentType, AssignmentType.id == Assignment.type_id)
        .join(
            last,
            and_(last.c.client_id == Assignment.client_id, Assignment.assigned_on >= last.c.day),
        )
        .where(Assignment.assigned_on <= today)
        .group_by(Assignment.client_id)
    )
    frame = read_frame(query, conn)
    for column in ("pending_due", "due_on"):
        frame[column] = _dates(frame[column])
    return frame.set_index("client_id")


def _scores(conn: Connection, scope: Scope, ids: list[int]) -> pd.DataFrame:
    """Per client: latest PHQ-9 and GAD-7, their band and the change since baseline (signed so
    positive = better; NaN with a single score)."""
    today = scope.filters.as_of
    up_to_today = scope.with_filters(Filters(end=today, today=today))
    pairs = baseline_latest(conn, up_to_today, MEASURES_SHOWN, client_ids=ids)
    out = pd.DataFrame(index=pd.Index(ids, name="client_id"))
    for measure in MEASURES_SHOWN:
        rows = pairs[pairs["measure"] == measure].set_index("client_id")
        out[measure] = rows["latest"].astype("Int64")
        out[f"{measure} band"] = rows["latest"].map(
            lambda v, m=measure: metrics.severity_band(m, v)
        )
        change = [
            float("nan") if n < 2 else float(metrics.signed_change(measure, b, v))
            for b, v, n in zip(rows["baseline"], rows["latest"], rows["n_scores"], strict=True)
        ]
        out[f"{measure} change"] = pd.Series(change, index=rows.index, dtype=float)
    return out


def my_clients(
    conn: Connection, viewer: Viewer, today: dt.date, team: bool = False
) -> pd.DataFrame:
    """One row per active client of the viewer's own caseload (`team`: every client they may
    see), the next booked session first, then the most urgent (worst flag, most flags).

    Columns: see COLUMNS. Dates are `datetime.date` or None. The hw_ columns count the
    homework set since the last attended session (hw_type, hw_status and hw_due describe the
    item when there is only one); `dashboard.clinician_words` says them in words. `flags` is
    a tuple of flags.RaisedFlag, worst first (`dashboard.flag_words` says them). The viewer's
    scope is resolved once for the clients, their scores and their flags.
    """
    scope = scope_of(conn, viewer, Filters(today=today))
    frame = read_frame(_per_client(scope, team), conn)
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    for column in ("next_session", "unrecorded_session", "last_attended"):
        frame[column] = _dates(frame[column])
    frame["last_id"] = frame["last_id"].astype("Int64")
    contacts = _last_contacts(conn, [int(i) for i in frame["last_id"].dropna()])
    contacts["last_contact"] = _dates(contacts["last_contact"])
    contacts["last_id"] = contacts["last_id"].astype("Int64")
    frame = frame.merge(contacts, on="last_id", how="left")
    frame["last_contact"] = _dates(frame["last_contact"])  # None where no session yet
    frame["last_attendance"] = (
        frame["last_attendance"].astype(object).where(frame["last_attendance"].notna(), None)
    )
    frame["days_since_contact"] = [
        (today - day).days if isinstance(day, dt.date) else None for day in frame["last_contact"]
    ]
    frame["days_since_contact"] = frame["days_since_contact"].astype("Int64")
    ids = frame["client_id"].astype(int).tolist()
    counts = homework_counts(conn, ids, today).rename(
        columns={"n": "hw_set", "done": "hw_done", "partly": "hw_partly", "pending": "hw_pending",
                 "pending_due": "hw_pending_due", "type": "hw_type", "status": "hw_status",
                 "due_on": "hw_due"}
    )  # fmt: skip
    frame = frame.join(counts, on="client_id")
    for column in ("hw_set", "hw_done", "hw_partly", "hw_pending"):
        frame[column] = frame[column].fillna(0).astype(int)
    for column in ("hw_pending_due", "hw_type", "hw_status", "hw_due"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    frame = frame.join(_scores(conn, scope, ids), on="client_id")
    flags = worst_first(flags_in(conn, scope, client_ids=ids))
    grouped = flags.groupby("client_id", sort=False)
    raised = by_client(flags)
    frame["flags"] = [raised.get(c, ()) for c in frame["client_id"]]
    frame["flag_count"] = frame["client_id"].map(grouped.size()).fillna(0).astype(int)
    worst = grouped["flag"].first().map(severity_rank)
    frame["worst_flag"] = frame["client_id"].map(worst).fillna(NO_FLAG).astype(int)
    frame["_no_booking"] = frame["next_session"].isna()
    frame["_next"] = [d or dt.date.max for d in frame["next_session"]]
    frame = frame.sort_values(
        ["_no_booking", "_next", "worst_flag", "flag_count", "days_since_contact", "client_code"],
        ascending=[True, True, True, False, False, True],
        na_position="last",
    )
    return frame[COLUMNS].reset_index(drop=True)


def client_choices(
    conn: Connection, viewer: Viewer, today: dt.date, own: bool = False
) -> pd.DataFrame:
    """Every client the viewer may see (`own`: only those they treat), for pickers: active
    first, then by code.

    Columns: client_code, active, last_session (last recorded session up to today, or None),
    flagged (any needs-attention flag today).
    """
    last = (
        select(func.max(TherapySession.held_on))
        .where(
            TherapySession.client_id == Client.id,
            TherapySession.attendance != SCHEDULED,
            TherapySession.held_on <= today,
        )
        .scalar_subquery()
    )
    frame = read_frame(
        select(
            Client.id.label("client_id"),
            Client.code.label("client_code"),
            is_active(today).label("active"),
            last.label("last_session"),
        ).where(Client.clinician_id == viewer.clinician_id if own else client_scope(viewer)),
        conn,
    )
    frame["active"] = frame["active"].astype(bool)
    frame["last_session"] = _dates(frame["last_session"])
    ids = frame["client_id"].astype(int).tolist() if own else None
    flagged = needs_attention(conn, viewer, Filters(today=today), client_ids=ids)["client_id"]
    frame["flagged"] = frame["client_id"].isin(set(flagged))
    frame = frame.sort_values(["active", "client_code"], ascending=[False, True])
    return frame.drop(columns="client_id").reset_index(drop=True)
