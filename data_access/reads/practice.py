"""Practice-wide figures for the overview and caseload pages, aggregated in SQL.

What "in the period" means (docs/overview-caseload.md): sessions by `held_on`, assignments
set by `assigned_on`, completion over assignments *due* in the period (`due_on`), weekly
figures by the Monday of the due date (`due_week`, indexed). Every query is restricted to the
viewer's clients and the filters; results are small grouped frames, never whole tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    true,
)

from data_access.access.viewer import Viewer, client_scope, scope_clinicians
from data_access.reads import metrics
from data_access.reads.filters import (
    Filters,
    client_conditions,
    clients_in_view,
    date_between,
    type_condition,
)
from data_access.reads.flags import by_client, needs_attention, severity_rank
from data_access.reads.queries import assignment_types
from data_access.reads.scores import baseline_latest
from data_access.store.engine import is_sqlite, on_own_connection
from data_access.store.schema import (
    SCHEDULED,
    Assignment,
    Client,
    Clinician,
    Score,
    TherapySession,
    monday_of,
)

OUTCOME_MEASURES = ("PHQ-9", "GAD-7")
# Days allowed until due (due_on - assigned_on), bucketed as (first day, last day or None, label).
DAYS_ALLOWED_BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (0, 3, "0–3 days"),
    (4, 7, "4–7 days"),
    (8, 14, "8–14 days"),
    (15, None, "15+ days"),
)
COUNT_COLUMNS = ["assignments", "completed", "partial", "reviewed", "credit", "overdue"]


# --- Building blocks --------------------------------------------------------------------------


def previous_period(filters: Filters) -> Filters | None:
    """The same filters over the equally long period that ends the day before `start`.

    "Today" moves to that period's last day, so active status and flags read as they did then.
    """
    if filters.start is None or filters.end is None:
        return None
    end = filters.start - dt.timedelta(days=1)
    start = end - (filters.end - filters.start)
    return replace(filters, start=start, end=end, today=min(end, filters.as_of))


def due_in_period(filters: Filters) -> ColumnElement[bool]:
    """Assignments due in the period: the one rule for "completion in a period" on every page."""
    return _due_in(filters)


def _due_in(
    filters: Filters, whole_weeks: bool = False, per_client: bool = True
) -> ColumnElement[bool]:
    """Assignments due in the period; `whole_weeks` widens it to the weeks (Mondays) it touches.

    The `due_week` range lets the database walk the (due_week, status, type_id, client_id, …)
    index; the `due_on` range (the same weeks' days, with `whole_weeks`) lets it walk
    (client_id, due_on) per client instead, reading only the period of each client. For whole
    weeks the `due_on` range says nothing new, so without `per_client` it is left out: SQLite
    then walks the weeks for a team or the practice instead of seeking thousands of clients
    one by one.
    """
    conditions: list[ColumnElement[bool]] = []
    keep_days = per_client or not whole_weeks
    if filters.start:
        first = monday_of(filters.start)
        conditions.append(Assignment.due_week >= first)
        if keep_days:
            conditions.append(Assignment.due_on >= (first if whole_weeks else filters.start))
    if filters.end:
        last = monday_of(filters.end) + dt.timedelta(days=6)
        conditions.append(Assignment.due_week <= filters.end)
        if keep_days:
            conditions.append(Assignment.due_on <= (last if whole_weeks else filters.end))
    return and_(true(), *conditions)


def days_allowed(conn: Connection) -> ColumnElement[int]:
    """SQL: whole days from `assigned_on` to `due_on` (SQLite stores dates as text)."""
    if is_sqlite(conn):
        return cast(
            func.julianday(Assignment.due_on) - func.julianday(Assignment.assigned_on), Integer
        )
    return Assignment.due_on - Assignment.assigned_on


def _by_status(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Turn rows per (`by`…, status) with `n` and `overdue` into one row per `by` group with
    COUNT_COLUMNS and the completion rate, ordered by `by`.

    Grouping by status in SQL and pivoting the few rows here is half the work per assignment
    of summing a CASE expression per count over a year of assignments.
    """
    keys = list(by)
    n = frame["n"].fillna(0).astype(int)
    status = frame["status"]
    parts = pd.DataFrame(
        {
            "assignments": n,
            "completed": n.where(status == "completed", 0),
            "partial": n.where(status == "partial", 0),
            "reviewed": n.where(status != "pending", 0),
            "overdue": frame["overdue"].fillna(0).astype(int),
        }
    )
    if keys:
        parts[keys] = frame[keys]
        summed = parts.groupby(keys, dropna=False, sort=True).sum().reset_index()
    else:
        summed = parts.sum().to_frame().T
    counts = ["assignments", "completed", "partial", "reviewed", "overdue"]
    summed[counts] = summed[counts].astype(int)
    summed["credit"] = metrics.credit(summed["completed"], summed["partial"])
    summed = metrics.add_completion_rate(summed)
    return summed[[*keys, *COUNT_COLUMNS, "completion_rate"]]


def assignment_counts(
    conn: Connection,
    viewer: Viewer,
    filters: Filters,
    by: Sequence[str] = (),
    whole_weeks: bool = False,
) -> pd.DataFrame:
    """Assignments due in the period, grouped by any of clinician_id, due_week, type_id,
    difficulty, days_allowed: counts of all, completed, partial, reviewed, overdue, the credit
    and the completion rate.

    SQL groups by the keys and status. Per clinician within a period, the join walks each
    client's due dates; with no start date each client's assignments are summed first (in
    (client_id, status) index order) and then per owner, so a million assignments are not each
    joined to their client.
    """
    keys: dict[str, ColumnElement] = {
        "due_week": Assignment.due_week,
        "type_id": Assignment.type_id,
        "difficulty": Assignment.difficulty,
        "days_allowed": days_allowed(conn),
    }
    # Totals are summed from weekly rows: grouped by status alone, SQLite chose the (status,
    # due_on) index over the (due_week, status, …) one and read every row.
    own = [name for name in by if name != "clinician_id"] if by else ["due_week"]
    per_client = "clinician_id" in by and filters.start is None
    owner = [Client.clinician_id] if "clinician_id" in by and not per_client else []
    one_caseload = viewer.role == "clinician" or bool(filters.clinician_ids)
    grouped = [
        *([Assignment.client_id] if per_client else owner),
        *(keys[name].label(name) for name in own),
        Assignment.status,
    ]
    overdue = func.sum(case((metrics.overdue(filters.as_of), 1), else_=0))
    query = (
        select(*grouped, func.count().label("n"), overdue.label("overdue"))
        .select_from(Assignment)
        .where(
            _due_in(filters, whole_weeks, per_client=bool(owner) or one_caseload),
            type_condition(filters),
            clients_in_view(Assignment.client_id, viewer, filters),
        )
        .group_by(*grouped)
    )
    if owner:
        query = query.join(Client, Client.id == Assignment.client_id)
    if per_client:
        inner = query.subquery()
        columns = [Client.clinician_id, *(inner.c[name] for name in own), inner.c.status]
        query = (
            select(
                *columns,
                func.sum(inner.c.n).label("n"),
                func.sum(inner.c.overdue).label("overdue"),
            )
            .join(Client, Client.id == inner.c.client_id)
            .group_by(*columns)
        )
    frame = _by_status(pd.read_sql(query, conn), by)
    if "due_week" in frame:
        frame["due_week"] = pd.to_datetime(frame["due_week"]).dt.date
    return frame


def attended_per_client(conn: Connection, viewer: Viewer, filters: Filters) -> Select:
    """SELECT per client in view: attended sessions in the period (`attended`) and how many had
    homework of the chosen types set that day (`with_homework`).

    Homework-setting rate (docs/metrics.md): an attended session counts as "set" when at least one
    assignment of the chosen types for that client has `assigned_on` = the session's date.
    """
    attended = (
        TherapySession.attendance == "attended",
        date_between(TherapySession.held_on, filters),
        clients_in_view(TherapySession.client_id, viewer, filters),
    )
    homework_set = exists().where(
        Assignment.client_id == TherapySession.client_id,
        Assignment.assigned_on == TherapySession.held_on,
        type_condition(filters),
    )
    if is_sqlite(conn):
        # SQLite probes each client's assignments in (client_id, assigned_on) order, one index
        # seek per session; counting the sessions a second time would cost more than it saves.
        return (
            select(
                TherapySession.client_id,
                func.count().label("attended"),
                func.sum(case((homework_set, 1), else_=0)).label("with_homework"),
            )
            .where(*attended)
            .group_by(TherapySession.client_id)
        )
    # PostgreSQL keeps an EXISTS inside an expression as a probe per session (351,314 for a
    # year of the practice), but plans one in WHERE as a merge semi-join that reads both
    # (client_id, date) indexes once.
    sessions = (
        select(TherapySession.client_id, func.count().label("attended"))
        .where(*attended)
        .group_by(TherapySession.client_id)
        .subquery()
    )
    with_homework = (
        select(TherapySession.client_id, func.count().label("n"))
        .where(*attended, homework_set)
        .group_by(TherapySession.client_id)
        .subquery()
    )
    return select(
        sessions.c.client_id,
        sessions.c.attended,
        func.coalesce(with_homework.c.n, 0).label("with_homework"),
    ).join(with_homework, with_homework.c.client_id == sessions.c.client_id, isouter=True)


def session_counts(
    conn: Connection, viewer: Viewer, filters: Filters, by_clinician: bool = False
) -> pd.DataFrame:
    """Attended sessions in the period and how many had homework set that day, in all or per
    clinician (their clients' `attended_per_client` summed), with the homework-setting rate."""
    per_client = attended_per_client(conn, viewer, filters).subquery()
    totals = [
        func.coalesce(func.sum(per_client.c.attended), 0).label("attended"),
        func.coalesce(func.sum(per_client.c.with_homework), 0).label("with_homework"),
    ]
    if by_clinician:
        query = (
            select(Client.clinician_id, *totals)
            .join(Client, Client.id == per_client.c.client_id)
            .group_by(Client.clinician_id)
        )
    else:
        query = select(*totals)
    frame = pd.read_sql(query, conn)
    for column in ("attended", "with_homework"):
        frame[column] = frame[column].fillna(0).astype(int)
    attended = frame["attended"].astype(float)
    frame["setting_rate"] = frame["with_homework"] / attended.where(attended > 0)
    return frame


def _active_in_period(viewer: Viewer, filters: Filters) -> ColumnElement[bool]:
    """Condition on `Client`: in scope, in the filters, and in treatment some day of the period."""
    conditions = [client_scope(viewer), client_conditions(filters)]
    if filters.end:
        conditions.append(Client.intake_on <= filters.end)
    if filters.start:
        conditions.append(
            or_(Client.discharged_on.is_(None), Client.discharged_on >= filters.start)
        )
    return and_(*conditions)


def active_clients(
    conn: Connection, viewer: Viewer, filters: Filters, by_clinician: bool = False
) -> pd.DataFrame:
    """Clients in treatment on at least one day of the period (column `active_clients`)."""
    query = select(
        *([Client.clinician_id] if by_clinician else []), func.count().label("active_clients")
    ).where(_active_in_period(viewer, filters))
    if by_clinician:
        query = query.group_by(Client.clinician_id)
    return pd.read_sql(query, conn)


def assignments_set(conn: Connection, viewer: Viewer, filters: Filters) -> int:
    """Assignments of the chosen types set (assigned_on) in the period."""
    conditions = [date_between(Assignment.assigned_on, filters)]
    if filters.start:  # due_on >= assigned_on: lets the due_week index narrow the scan
        conditions.append(Assignment.due_week >= monday_of(filters.start))
    query = select(func.count()).where(
        *conditions, type_condition(filters), clients_in_view(Assignment.client_id, viewer, filters)
    )
    return int(conn.execute(query).scalar_one())


def client_outcomes(
    conn: Connection,
    viewer: Viewer,
    filters: Filters,
    client_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """PHQ-9/GAD-7 outcome per client with two or more scores on either in the period.

    A client is reliably improved when either measure reliably improved and neither reliably
    deteriorated: the paired rule of docs/metrics.md, applied to whichever of the two they were
    scored on.
    Columns: client_id, clinician_id, improved, deteriorated, phq_change, gad_change.
    """
    columns = ["client_id", "clinician_id", "improved", "deteriorated", "phq_change", "gad_change"]
    pairs = baseline_latest(conn, viewer, filters, OUTCOME_MEASURES, client_ids)
    pairs = pairs[pairs["n_scores"] >= 2]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    classified = metrics.classify_outcomes(pairs)
    grouped = classified.groupby(["client_id", "clinician_id"])
    per_client = grouped.agg(
        improved=("reliable_improvement", "any"), deteriorated=("reliable_deterioration", "any")
    )
    per_client["improved"] &= ~per_client["deteriorated"]
    changes = classified.pivot_table(
        index=["client_id", "clinician_id"], columns="measure", values="change", aggfunc="first"
    ).reindex(columns=list(OUTCOME_MEASURES))
    per_client["phq_change"] = changes["PHQ-9"]
    per_client["gad_change"] = changes["GAD-7"]
    return per_client.reset_index()[columns]


# --- Overview -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodSummary:
    """The overview's headline figures for one period, each with the counts behind it."""

    start: dt.date | None
    end: dt.date | None
    active_clients: int
    sessions_attended: int
    sessions_with_homework: int
    assignments_set: int
    assignments_due: int
    completed: int
    partial: int
    reviewed: int
    outcome_clients: int
    improved_clients: int
    flagged_clients: int

    @property
    def setting_rate(self) -> float | None:
        """Share of attended sessions at which homework was set (None without sessions)."""
        return (
            self.sessions_with_homework / self.sessions_attended if self.sessions_attended else None
        )

    @property
    def completion_rate(self) -> float | None:
        return metrics.completion_rate(self.completed, self.partial, self.reviewed)

    @property
    def improved_share(self) -> float | None:
        """Share of clients with outcome scores who reliably improved (None without any)."""
        return self.improved_clients / self.outcome_clients if self.outcome_clients else None


def period_summary(
    conn: Connection, viewer: Viewer, filters: Filters, due: pd.DataFrame | None = None
) -> PeriodSummary:
    """The headline figures for the filters' period (flags as of the filters' "today").

    `due` may pass in this period's assignment counts grouped any way (e.g. the mix's), so
    the assignments are not counted twice.
    """
    sessions = session_counts(conn, viewer, filters).iloc[0]
    if due is None:
        due = assignment_counts(conn, viewer, filters)
    totals = due[COUNT_COLUMNS].sum()
    outcomes = client_outcomes(conn, viewer, filters)
    flagged = needs_attention(conn, viewer, filters)
    return PeriodSummary(
        start=filters.start,
        end=filters.end,
        active_clients=int(active_clients(conn, viewer, filters)["active_clients"].iloc[0]),
        sessions_attended=int(sessions["attended"]),
        sessions_with_homework=int(sessions["with_homework"]),
        assignments_set=assignments_set(conn, viewer, filters),
        assignments_due=int(totals["assignments"]),
        completed=int(totals["completed"]),
        partial=int(totals["partial"]),
        reviewed=int(totals["reviewed"]),
        outcome_clients=len(outcomes),
        improved_clients=int(outcomes["improved"].sum()),
        flagged_clients=int(flagged["client_id"].nunique()),
    )


def weekly_completion(conn: Connection, viewer: Viewer, filters: Filters) -> pd.DataFrame:
    """Completion per due week (Monday) over the weeks the period touches, with reviewed N.

    Columns: due_week, assignments, completed, partial, reviewed, credit, overdue,
    completion_rate (NaN where none was reviewed).
    """
    return assignment_counts(conn, viewer, filters, by=("due_week",), whole_weeks=True)


def _bucket_days(days: pd.Series) -> pd.Series:
    """Label each days-allowed value with its DAYS_ALLOWED_BUCKETS bucket."""
    labels = np.full(len(days), DAYS_ALLOWED_BUCKETS[-1][2], dtype=object)
    for first, last, label in reversed(DAYS_ALLOWED_BUCKETS):
        upper = np.inf if last is None else last
        labels[(days >= first).to_numpy() & (days <= upper).to_numpy()] = label
    return pd.Series(labels, index=days.index)


def _sum_by(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Re-aggregate a grouped count frame by one of its keys (small frames only)."""
    summed = frame.groupby(key, dropna=False, sort=True)[COUNT_COLUMNS].sum().reset_index()
    return metrics.add_completion_rate(summed)


@dataclass(frozen=True)
class HomeworkMix:
    """Assignments due in the period by type, by difficulty and by days allowed until due."""

    by_type: pd.DataFrame  # type, category, assignments, share, reviewed, credit, completion_rate
    by_difficulty: pd.DataFrame  # difficulty ("1".."5" or "not rated"), counts, completion_rate
    by_days: pd.DataFrame  # days_allowed bucket label, counts, completion_rate


def homework_mix(conn: Connection, viewer: Viewer, filters: Filters) -> HomeworkMix:
    """One SQL GROUP BY (type, difficulty, days allowed), re-summed three ways."""
    return _mix_from(conn, _mix_counts(conn, viewer, filters))


def _mix_counts(conn: Connection, viewer: Viewer, filters: Filters) -> pd.DataFrame:
    """Assignments due in the period grouped by type, difficulty and days allowed."""
    return assignment_counts(conn, viewer, filters, by=("type_id", "difficulty", "days_allowed"))


def _mix_from(conn: Connection, grouped: pd.DataFrame) -> HomeworkMix:
    """Re-sum the (type, difficulty, days allowed) counts by each of the three."""
    grouped = grouped.copy()
    catalogue = assignment_types(conn)
    by_type = _sum_by(grouped, "type_id").merge(catalogue, on="type_id", how="left")
    total = by_type["assignments"].sum()
    by_type["share"] = by_type["assignments"] / total if total else np.nan
    by_type = by_type.rename(columns={"name": "type"}).sort_values(
        "assignments", ascending=False, ignore_index=True
    )
    by_difficulty = _sum_by(grouped, "difficulty")
    by_difficulty["difficulty"] = [
        "not rated" if pd.isna(d) else str(int(d)) for d in by_difficulty["difficulty"]
    ]
    grouped["days_allowed"] = _bucket_days(grouped["days_allowed"].astype(float))
    order = [label for *_, label in DAYS_ALLOWED_BUCKETS]
    by_days = (
        _sum_by(grouped, "days_allowed")
        .set_index("days_allowed")
        .reindex(order)
        .dropna(how="all")
        .reset_index()
    )
    return HomeworkMix(by_type=by_type, by_difficulty=by_difficulty, by_days=by_days)


@dataclass(frozen=True)
class OverviewData:
    """Everything the overview page shows, for one viewer and one set of filters."""

    current: PeriodSummary
    previous: PeriodSummary | None
    weekly: pd.DataFrame
    mix: HomeworkMix


def overview_data(conn: Connection, viewer: Viewer, filters: Filters) -> OverviewData:
    """The overview page's figures: headline now and in the previous period, weekly, mix.

    The previous period is summed in a worker thread while this connection sums the current one.
    """
    before = previous_period(filters)
    with ThreadPoolExecutor(max_workers=1) as pool:
        previous = (
            pool.submit(on_own_connection, conn.engine, period_summary, viewer, before)
            if before
            else None
        )
        grouped = _mix_counts(conn, viewer, filters)
        current = period_summary(conn, viewer, filters, due=grouped)
        weekly = weekly_completion(conn, viewer, filters)
        mix = _mix_from(conn, grouped)
        return OverviewData(
            current=current,
            previous=previous.result() if previous else None,
            weekly=weekly,
            mix=mix,
        )


# --- Caseload -------------------------------------------------------------------------------


ATTENTION_COLUMNS = [
    "client_id",
    "client_code",
    "clinician_id",
    "clinician",
    "flags",
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
    newest = pd.read_sql(
        select(Client.id.label("client_id"), newest_id.label("row_id")).where(Client.id.in_(ids)),
        conn,
    ).dropna(subset=["row_id"])
    newest["row_id"] = newest["row_id"].astype(int)
    row_ids = newest["row_id"].tolist()
    by_id = select(table.id.label("row_id"), *columns).where(table.id.in_(row_ids))
    rows = pd.read_sql(by_id, conn)
    return newest.merge(rows, on="row_id").drop(columns="row_id").set_index("client_id")


def attention_list(conn: Connection, viewer: Viewer, filters: Filters) -> pd.DataFrame:
    """One row per flagged client: clinician, flags (a tuple of flags.RaisedFlag: each code
    with the facts its rule's words need), last session (with attendance) and last score,
    both up to the filters' "today". Clients with
    an open risk item come first (unreviewed before reviewed), then by their most urgent flag
    (flags.SEVERITY), then those with the most flags, then by clinician and code."""
    flags = needs_attention(conn, viewer, filters)
    if flags.empty:
        return pd.DataFrame(columns=ATTENTION_COLUMNS)
    ids = tuple(int(i) for i in flags["client_id"].unique())
    as_of = filters.as_of
    grouped = flags.groupby("client_id", sort=False)
    per_client = pd.DataFrame(
        {
            "client_code": grouped["client_code"].first(),
            "clinician": grouped["clinician"].first(),
            "flags": pd.Series(by_client(flags), dtype=object),
        }
    )
    owners = pd.read_sql(
        select(Client.id.label("client_id"), Client.clinician_id).where(Client.id.in_(ids)), conn
    ).set_index("client_id")
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
    frame = per_client.join(owners).join(last_sessions).join(last_scores)
    for column in ("last_session", "last_score_on"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    frame = frame.reset_index().rename(columns={"index": "client_id"})
    frame["n_flags"] = grouped.size().reindex(frame["client_id"]).to_numpy()
    rank = flags["flag"].map(severity_rank) * 2 + flags["reviewed"].astype(int)
    frame["top"] = rank.groupby(flags["client_id"]).min().reindex(frame["client_id"]).to_numpy()
    return frame.sort_values(
        ["top", "n_flags", "clinician", "client_code"], ascending=[True, False, True, True]
    ).reset_index(drop=True)[ATTENTION_COLUMNS]


def caseload_table(
    conn: Connection,
    viewer: Viewer,
    filters: Filters,
    attention: pd.DataFrame,
    outcomes: pd.DataFrame,
) -> pd.DataFrame:
    """One row per clinician in scope (and in the filters) who has clients.

    Columns: clinician_id, clinician, clients, active_clients, attended, with_homework,
    setting_rate, assignments, completed, partial, reviewed, credit, completion_rate, overdue,
    needs_attention, outcome_clients, improved_clients, improved_share. `attention` and
    `outcomes` are this filter's `attention_list` and `client_outcomes`, computed once.
    """
    client_count = func.count(Client.id).label("clients")
    people = (
        select(Clinician.id.label("clinician_id"), Clinician.name.label("clinician"), client_count)
        .join(Client, Client.clinician_id == Clinician.id)
        .where(scope_clinicians(viewer), client_conditions(filters))
        .group_by(Clinician.id, Clinician.name)
    )
    table = pd.read_sql(people, conn).set_index("clinician_id")
    active = active_clients(conn, viewer, filters, by_clinician=True).set_index("clinician_id")
    sessions = session_counts(conn, viewer, filters, by_clinician=True).set_index("clinician_id")
    due = assignment_counts(conn, viewer, filters, by=("clinician_id",)).set_index("clinician_id")
    table = table.join(active).join(sessions).join(due.drop(columns="completion_rate"))
    flagged = attention.groupby("clinician_id")["client_id"].nunique().rename("needs_attention")
    table = table.join(flagged)
    outcome_counts = pd.DataFrame(
        {
            "outcome_clients": outcomes.groupby("clinician_id").size(),
            "improved_clients": outcomes.groupby("clinician_id")["improved"].sum(),
        }
    )
    table = table.join(outcome_counts)
    counts = ["active_clients", "attended", "with_homework", "needs_attention"]
    counts += ["outcome_clients", "improved_clients", *COUNT_COLUMNS]
    for column in counts:
        table[column] = table[column].fillna(0).astype(float if column == "credit" else int)
    attended = table["attended"].astype(float)
    table["setting_rate"] = table["with_homework"] / attended.where(attended > 0)
    table = metrics.add_completion_rate(table)
    outcome_n = table["outcome_clients"].astype(float)
    table["improved_share"] = table["improved_clients"] / outcome_n.where(outcome_n > 0)
    return table.reset_index().sort_values("clinician", ignore_index=True)


def completion_heatmap(conn: Connection, viewer: Viewer, filters: Filters) -> pd.DataFrame:
    """Completion per clinician and due week (the weeks the period touches).

    Columns: clinician_id, clinician, due_week, assignments, reviewed, credit, completion_rate…
    """
    frame = assignment_counts(
        conn, viewer, filters, by=("clinician_id", "due_week"), whole_weeks=True
    )
    names = pd.read_sql(
        select(Clinician.id.label("clinician_id"), Clinician.name.label("clinician")).where(
            scope_clinicians(viewer)
        ),
        conn,
    )
    return frame.merge(names, on="clinician_id", how="left")


def clinician_clients(
    conn: Connection,
    viewer: Viewer,
    filters: Filters,
    clinician_id: int,
    attention: pd.DataFrame,
    outcomes: pd.DataFrame,
) -> pd.DataFrame:
    """A clinician's clients (in scope and filters): completion and latest change side by side.

    Columns: client_id, client_code, status, attended, reviewed, credit, completion_rate,
    phq_change, gad_change, outcome ("reliably improved" / "reliably deteriorated" /
    "no reliable change" / "too few scores"), flags (as in `attention_list`).
    """
    mine = replace(filters, clinician_ids=(clinician_id,))
    status = case(
        (
            and_(Client.discharged_on.is_not(None), Client.discharged_on <= mine.as_of),
            literal("discharged"),
        ),
        else_=literal("active"),
    )
    clients = pd.read_sql(
        select(
            Client.id.label("client_id"), Client.code.label("client_code"), status.label("status")
        )
        .where(_active_in_period(viewer, mine))
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
            flags=[],
        )
    ids = tuple(int(i) for i in clients["client_id"])
    sessions = pd.read_sql(
        select(TherapySession.client_id, func.count().label("attended"))
        .where(
            TherapySession.client_id.in_(ids),
            TherapySession.attendance == "attended",
            date_between(TherapySession.held_on, mine),
        )
        .group_by(TherapySession.client_id),
        conn,
    ).set_index("client_id")
    due = pd.read_sql(
        select(
            Assignment.client_id,
            metrics.reviewed_count().label("reviewed"),
            metrics.completion_credit().label("credit"),
        )
        .where(Assignment.client_id.in_(ids), _due_in(mine), type_condition(mine))
        .group_by(Assignment.client_id),
        conn,
    ).set_index("client_id")
    outcomes = outcomes.set_index("client_id")
    flags = dict(zip(attention["client_id"], attention["flags"], strict=True))
    frame = clients.set_index("client_id").join(sessions).join(due)
    frame = frame.join(outcomes[["improved", "deteriorated", "phq_change", "gad_change"]])
    frame["flags"] = [flags.get(c, ()) for c in frame.index]
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
        ["reliably deteriorated", "reliably improved", "no reliable change"],
        default="too few scores",
    )
    return frame.drop(columns=["improved", "deteriorated"]).reset_index()


@dataclass(frozen=True)
class CaseloadData:
    """Everything the caseload page shows, for one viewer and one set of filters."""

    table: pd.DataFrame
    heatmap: pd.DataFrame
    attention: pd.DataFrame
    clients: pd.DataFrame | None  # the drill-down, when one clinician is chosen for it


def caseload_data(
    conn: Connection, viewer: Viewer, filters: Filters, drill: int | None = None
) -> CaseloadData:
    """The caseload page's figures; with a clinician to `drill` into (a clinician viewing the
    page always drills into their own caseload), also that clinician's clients. The drill-down
    never narrows the table or the heatmap: they keep every clinician in the filters.

    The attention list and then the heatmap are computed in a worker thread while this
    connection computes outcomes and the per-clinician counts.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        flagged = pool.submit(on_own_connection, conn.engine, attention_list, viewer, filters)
        heatmap = pool.submit(on_own_connection, conn.engine, completion_heatmap, viewer, filters)
        outcomes = client_outcomes(conn, viewer, filters)
        attention = flagged.result()
        table = caseload_table(conn, viewer, filters, attention, outcomes)
        if not viewer.sees_other_clinicians:
            drill = viewer.clinician_id
        clients = (
            None
            if drill is None
            else clinician_clients(conn, viewer, filters, drill, attention, outcomes)
        )
        return CaseloadData(
            table=table, heatmap=heatmap.result(), attention=attention, clients=clients
        )
