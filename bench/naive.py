"""The naive approach: read whole tables into pandas, then filter, scope and aggregate there,
each rule written the obvious way from docs/metrics.md (no `data_access` rule is reused).

The bench times its cases against these, and tests/integration/test_naive_oracle.py checks on
random small practices that the data layer gives the same answers. The per-client loops of
`needs_attention` suit small practices only, so the bench does not time it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, select

from data_access.access.viewer import Viewer
from data_access.store.schema import (
    MEASURES,
    Assignment,
    AssignmentType,
    Client,
    Clinician,
    Score,
    TherapySession,
)

CREDIT = {"completed": 1.0, "partial": 0.5}
OUTCOME_MEASURES = ("PHQ-9", "GAD-7")


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


def _between(days: pd.Series, start: dt.date | None, end: dt.date | None) -> pd.Series:
    """Which of `days` fall in the window (each end optional, both inclusive)."""
    dates = pd.to_datetime(days)
    keep = pd.Series(True, index=days.index)
    if start is not None:
        keep &= dates >= pd.Timestamp(start)
    if end is not None:
        keep &= dates <= pd.Timestamp(end)
    return keep


def _active_on(clients: pd.DataFrame, first: dt.date, last: dt.date) -> pd.Series:
    """Which clients were in treatment on some day from `first` to `last`: admitted by `last`,
    not discharged before `first`."""
    discharged = pd.to_datetime(clients["discharged_on"])
    return (pd.to_datetime(clients["intake_on"]) <= pd.Timestamp(last)) & (
        discharged.isna() | (discharged >= pd.Timestamp(first))
    )


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


def overdue_by_clinician(
    conn: Connection,
    viewer: Viewer,
    today: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """Assignments, reviewed, credit and overdue (pending, due before today) per clinician,
    over the assignments due in the window (all of them without one)."""
    frame = _scoped_assignments(conn, viewer)
    frame = frame[_between(frame["due_on"], start, end)]
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
    conn: Connection,
    viewer: Viewer,
    measures: tuple[str, ...],
    client_ids: list[int] | None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """First and latest score per client and measure in the window, by sorting every score."""
    scores = _table(conn, Score)
    keep = (
        scores["measure"].isin(measures)
        & scores["client_id"].isin(scoped_client_ids(conn, viewer))
        & _between(scores["recorded_on"], start, end)
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


def completion_by_clinician_week(
    conn: Connection, viewer: Viewer, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Credit and reviewed per treating clinician and due week, over the weeks the window
    touches (the caseload heatmap)."""
    frame = _scoped_assignments(conn, viewer)
    clients = _table(conn, Client)[["id", "clinician_id"]].rename(
        columns={"id": "client_id", "clinician_id": "treating"}
    )
    frame = frame.merge(clients, on="client_id")
    due = pd.to_datetime(frame["due_on"])
    week = (due - pd.to_timedelta(due.dt.day_of_week, unit="D")).dt.date
    first = start - dt.timedelta(days=start.weekday())
    frame = frame.assign(week=week)[(week >= first) & (week <= end)]
    frame = frame.assign(cell=frame["treating"].astype(str) + " " + frame["week"].astype(str))
    return _rates(frame, "cell")


def active_clients(conn: Connection, viewer: Viewer, start: dt.date, end: dt.date) -> int:
    """Clients in scope in treatment on at least one day of the window."""
    clients = _table(conn, Client)
    clients = clients[clients["id"].isin(scoped_client_ids(conn, viewer))]
    return int(_active_on(clients, start, end).sum())


def assignments_set(conn: Connection, viewer: Viewer, start: dt.date, end: dt.date) -> int:
    """The viewer's assignments set (assigned_on) in the window."""
    frame = _scoped_assignments(conn, viewer)
    return int(_between(frame["assigned_on"], start, end).sum())


def improved_clients(
    conn: Connection, viewer: Viewer, start: dt.date, end: dt.date
) -> tuple[int, int]:
    """Clients with two or more PHQ-9 or GAD-7 scores in the window, and how many of them
    reliably improved on one without reliably deteriorating on either."""
    pairs = baseline_latest(conn, viewer, OUTCOME_MEASURES, None, start, end)
    up: dict[int, bool] = {}
    down: dict[int, bool] = {}
    for row in pairs[pairs["n_scores"] >= 2].itertuples():
        spec = MEASURES[row.measure]
        better = row.latest - row.baseline if spec.higher_is_better else row.baseline - row.latest
        up[row.client_id] = up.get(row.client_id, False) or better >= spec.reliable_change
        down[row.client_id] = down.get(row.client_id, False) or -better >= spec.reliable_change
    return len(up), sum(up[c] and not down[c] for c in up)


def needs_attention(conn: Connection, viewer: Viewer, today: dt.date) -> pd.DataFrame:
    """(client_id, flag) for every flag raised today on an active client, rule by rule in pandas."""
    clients = _table(conn, Client)
    clients = clients[clients["id"].isin(scoped_client_ids(conn, viewer))]
    active = clients[_active_on(clients, today + dt.timedelta(days=1), today)]
    ids = set(active["id"])
    raised: list[tuple[int, str]] = []

    scores = baseline_latest(conn, viewer, OUTCOME_MEASURES, None, None, today)
    scores = scores[scores["n_scores"] >= 2]
    for row in scores.itertuples():
        spec = MEASURES[row.measure]
        worse = row.baseline - row.latest if spec.higher_is_better else row.latest - row.baseline
        if row.client_id in ids and worse >= spec.reliable_change:
            raised.append((row.client_id, "deterioration"))

    everything = _table(conn, Assignment)
    set_on = set(zip(everything["client_id"], everything["assigned_on"], strict=True))
    assignments = everything[
        (everything["status"] != "pending") & _between(everything["assigned_on"], None, today)
    ].sort_values(["due_on", "id"], ascending=False)
    sessions = _table(conn, TherapySession)
    sessions = sessions[_between(sessions["held_on"], None, today)].sort_values(
        "held_on", ascending=False
    )
    all_scores = _table(conn, Score)
    since = today - dt.timedelta(days=30)
    recent = _between(all_scores["recorded_on"], since + dt.timedelta(days=1), today)
    recently_scored = set(all_scores.loc[recent, "client_id"])
    for client in active.itertuples():
        last4 = assignments[assignments["client_id"] == client.id].head(4)
        if len(last4) == 4 and last4["status"].map(CREDIT).fillna(0.0).sum() < 0.25 * 4:
            raised.append((client.id, "low_completion"))
        mine = sessions[sessions["client_id"] == client.id]
        attended = mine[mine["attendance"] == "attended"].head(3)
        if len(attended) == 3 and not any((client.id, d) in set_on for d in attended["held_on"]):
            raised.append((client.id, "no_homework"))
        last2 = mine[mine["attendance"] != "scheduled"].head(2)  # recorded: attended or missed
        if len(last2) == 2 and (last2["attendance"] == "no_show").all():
            raised.append((client.id, "no_shows"))
        if pd.Timestamp(client.intake_on).date() <= since and client.id not in recently_scored:
            raised.append((client.id, "no_recent_score"))
    return pd.DataFrame(raised, columns=["client_id", "flag"])
