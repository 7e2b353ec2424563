"""The naive approach each case is compared with: read whole tables into pandas, then filter,
scope and aggregate there. Each returns the same shape as the data-layer function it mirrors.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, select

from data_access.schema import Assignment, AssignmentType, Client, Clinician, Score, TherapySession
from data_access.viewer import Viewer

CREDIT = {"completed": 1.0, "partial": 0.5}


def _table(conn: Connection, model: type) -> pd.DataFrame:
    return pd.read_sql(select(model.__table__), conn)


def scoped_client_ids(conn: Connection, viewer: Viewer) -> pd.Series:
    """Ids of the viewer's clients, worked out in pandas from the whole clients table."""
    clients = _table(conn, Client)
    if viewer.role == "admin":
        return clients["id"]
    clinicians = _table(conn, Clinician)
    mine = clinicians["id"] == viewer.clinician_id
    if viewer.role == "supervisor":
        mine |= clinicians["supervisor_id"] == viewer.clinician_id
    return clients.loc[clients["clinician_id"].isin(clinicians.loc[mine, "id"]), "id"]


def _scoped_assignments(conn: Connection, viewer: Viewer) -> pd.DataFrame:
    assignments = _table(conn, Assignment)
    return assignments[assignments["client_id"].isin(scoped_client_ids(conn, viewer))]


def _rates(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    frame = frame.assign(
        credit=frame["status"].map(CREDIT).fillna(0.0).astype(float),
        reviewed=(frame["status"] != "pending").astype(int),
    )
    out = frame.groupby(by, as_index=False)[["credit", "reviewed"]].sum()
    out["completion_rate"] = out["credit"] / out["reviewed"].where(out["reviewed"] > 0)
    return out


def completion_by_week(
    conn: Connection, viewer: Viewer, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Weekly completion: dates parsed and bucketed to Mondays row by row in pandas."""
    frame = _scoped_assignments(conn, viewer)
    due = pd.to_datetime(frame["due_on"])
    week = (due - pd.to_timedelta(due.dt.day_of_week, unit="D")).dt.date
    first = start - dt.timedelta(days=start.weekday())
    frame = frame.assign(week=week)[(week >= first) & (week <= end)]
    return _rates(frame, "week")


def completion_by_type(
    conn: Connection, viewer: Viewer, start: dt.date, end: dt.date, today: dt.date
) -> pd.DataFrame:
    """Completion per assignment type over assignments set in the window (up to today)."""
    frame = _scoped_assignments(conn, viewer)
    assigned = pd.to_datetime(frame["assigned_on"]).dt.date
    frame = frame[(assigned >= start) & (assigned <= min(end, today))]
    types = _table(conn, AssignmentType).rename(columns={"id": "type_id", "name": "type"})
    return _rates(frame.merge(types, on="type_id"), "type")


def overdue_by_clinician(conn: Connection, viewer: Viewer, today: dt.date) -> pd.DataFrame:
    """Assignments, reviewed, credit and overdue (pending, due before today) per clinician."""
    frame = _scoped_assignments(conn, viewer)
    clients = _table(conn, Client)[["id", "clinician_id"]].rename(
        columns={"id": "client_id", "clinician_id": "treating"}
    )
    frame = frame.merge(clients, on="client_id")
    due = pd.to_datetime(frame["due_on"]).dt.date
    frame = frame.assign(overdue=((frame["status"] == "pending") & (due < today)).astype(int))
    out = _rates(frame, "treating")
    out["overdue"] = frame.groupby("treating")["overdue"].sum().to_numpy()
    return out


def baseline_latest(
    conn: Connection, viewer: Viewer, measures: tuple[str, ...], client_ids: list[int] | None
) -> pd.DataFrame:
    """First and latest score per client and measure, by sorting the whole scores table."""
    scores = _table(conn, Score)
    keep = scores["measure"].isin(measures) & scores["client_id"].isin(
        scoped_client_ids(conn, viewer)
    )
    if client_ids is not None:
        keep &= scores["client_id"].isin(client_ids)
    ordered = scores[keep].sort_values(["client_id", "measure", "recorded_on", "id"])
    grouped = ordered.groupby(["client_id", "measure"])
    out = grouped["value"].agg(baseline="first", latest="last", n_scores="size")
    return out.reset_index()


def score_series(
    conn: Connection,
    viewer: Viewer,
    client_id: int,
    measures: tuple[str, ...],
    start: dt.date,
    end: dt.date,
) -> pd.DataFrame:
    """One client's scores in the window, found by reading every score."""
    scores = _table(conn, Score)
    day = pd.to_datetime(scores["recorded_on"]).dt.date
    allowed = scoped_client_ids(conn, viewer)
    frame = scores[
        (scores["client_id"] == client_id)
        & scores["client_id"].isin(allowed)
        & scores["measure"].isin(measures)
        & (day >= start)
        & (day <= end)
    ]
    return frame.sort_values(["measure", "recorded_on", "id"])


def client_assignments(
    conn: Connection, viewer: Viewer, client_id: int, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """One client's assignments due in the window, found by reading every assignment."""
    frame = _scoped_assignments(conn, viewer)
    due = pd.to_datetime(frame["due_on"]).dt.date
    frame = frame[(frame["client_id"] == client_id) & (due >= start) & (due <= end)]
    return frame.sort_values("due_on", ascending=False)


def setting_rate(conn: Connection, viewer: Viewer, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Attended sessions in the window and how many had homework set that day."""
    sessions = _table(conn, TherapySession)
    held = pd.to_datetime(sessions["held_on"]).dt.date
    sessions = sessions[
        (sessions["attendance"] == "attended")
        & (held >= start)
        & (held <= end)
        & sessions["client_id"].isin(scoped_client_ids(conn, viewer))
    ]
    set_on = _table(conn, Assignment)[["client_id", "assigned_on"]].drop_duplicates()
    marked = sessions.merge(
        set_on, left_on=["client_id", "held_on"], right_on=["client_id", "assigned_on"], how="left"
    )
    attended = len(marked)
    with_homework = int(marked["assigned_on"].notna().sum())
    return pd.DataFrame(
        {
            "attended": [attended],
            "with_homework": [with_homework],
            "setting_rate": [with_homework / attended if attended else float("nan")],
        }
    )


def export(conn: Connection, viewer: Viewer) -> int:
    """All of the viewer's assignments as one CSV, read in one piece."""
    frame = _scoped_assignments(conn, viewer)
    frame.to_csv(index=False)
    return len(frame)
