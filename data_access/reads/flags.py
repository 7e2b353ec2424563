"""Needs-attention flags (docs/metrics.md): each computed in SQL for the viewer's active clients.

A flag is raised only for clients active on the `as_of` day; a discharged client is no longer
someone to chase. The exception is the PHQ-9 risk item (`risk.py`): raised for every client in
scope, whatever the dates or status. Each flag comes as a code with the facts its words need
(dashboard/flag_words.py says the label and the rule); `SEVERITY` orders flags, most urgent
first, and every list sorts by it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Select, case, exists, func, select

from data_access.access.viewer import Viewer
from data_access.reads import metrics
from data_access.reads.expected import OffCourse, active_pairs, off_course_facts, on_track
from data_access.reads.filters import Filters, is_active
from data_access.reads.queries import client_names
from data_access.reads.risk import open_risk_items
from data_access.reads.scope import Scope, scope_of
from data_access.reads.scores import paired
from data_access.store.schema import SCHEDULED, Assignment, Client, Score, TherapySession

FLAG_COLUMNS = ["client_id", "client_code", "clinician", "flag", "reviewed", "facts"]
# Most urgent first: a client's place in any list is set by their most urgent flag.
SEVERITY = (
    "risk_item",
    "not_on_track",
    "deterioration",
    "no_recent_score",
    "no_shows",
    "low_completion",
    "no_homework",
)


@dataclass(frozen=True)
class RiskFacts:
    """An open risk item: the item 9 answer (0-3) and its date; reviewer and time once reviewed."""

    answer: int
    recorded_on: dt.date
    reviewed_by: str | None = None
    reviewed_at: dt.datetime | None = None


@dataclass(frozen=True)
class RaisedFlag:
    """One flag raised for a client: its code, whether (a risk item) it has been reviewed, and
    its facts (RiskFacts for the risk item, an OffCourse per measure for not_on_track)."""

    flag: str
    reviewed: bool = False
    facts: tuple[RiskFacts | OffCourse, ...] = ()


def by_client(flags: pd.DataFrame) -> dict[int, tuple[RaisedFlag, ...]]:
    """Each client's `needs_attention` rows as RaisedFlags, in the frame's order."""
    raised: dict[int, tuple[RaisedFlag, ...]] = {}
    for r in flags.itertuples():
        one = RaisedFlag(r.flag, bool(r.reviewed), r.facts)
        raised[int(r.client_id)] = (*raised.get(int(r.client_id), ()), one)
    return raised


def severity_rank(flag: str) -> int:
    """A flag's place in SEVERITY (0 = the risk item, the most urgent); a flag added later
    and missing from SEVERITY sorts last, never hidden."""
    return SEVERITY.index(flag) if flag in SEVERITY else len(SEVERITY)


def _active_clients(scope: Scope, client_ids: Sequence[int] | None) -> Select[tuple[int]]:
    """SELECT of ids of the scope's clients (its clinicians, whatever the client-status filter)
    active on the as-of day."""
    query = select(Client.id).where(
        scope.clinicians(Client.clinician_id), is_active(scope.filters.as_of)
    )
    if client_ids is not None:
        query = query.where(Client.id.in_(tuple(client_ids)))
    return query


def _last_n(query: Select, n: int, value: ColumnElement) -> ColumnElement:
    """Per active client: SUM(value) over `query`'s first `n` rows, NULL unless there are `n`.

    `query` is correlated to `Client` and ordered newest first, so the database walks each
    client's index entries backwards and stops after `n`, instead of ranking all their history.
    """
    last = query.limit(n).correlate(Client).subquery()
    return (
        select(func.sum(value(last))).select_from(last).having(func.count() == n).scalar_subquery()
    )


def _low_completion(conn: Connection, active: Select[tuple[int]], as_of: dt.date) -> set[int]:
    """Clients whose last 4 reviewed assignments have a completion rate under 25 %."""
    reviewed = (
        select(Assignment.status)
        .where(
            Assignment.client_id == Client.id,
            Assignment.status != "pending",
            Assignment.assigned_on <= as_of,
        )
        .order_by(Assignment.due_on.desc(), Assignment.id.desc())
    )
    window = metrics.LOW_COMPLETION_WINDOW
    credit = _last_n(
        reviewed,
        window,
        lambda last: metrics.assignment_credit(last.c.status),
    )
    query = active.where(credit < metrics.LOW_COMPLETION_THRESHOLD * window)
    return set(conn.execute(query).scalars())


def _recent_sessions(as_of: dt.date, attended_only: bool) -> Select:
    """The client's recorded sessions up to `as_of`, newest first (correlated to `Client`).

    A scheduled session is neither attended nor missed, so no flag counts it.
    """
    query = select(TherapySession.held_on, TherapySession.attendance).where(
        TherapySession.client_id == Client.id,
        TherapySession.held_on <= as_of,
        TherapySession.attendance != SCHEDULED,
    )
    if attended_only:
        query = query.where(TherapySession.attendance == "attended")
    return query.order_by(TherapySession.held_on.desc())


def _no_homework(conn: Connection, active: Select[tuple[int]], as_of: dt.date) -> set[int]:
    """Clients with 3 attended sessions lately and no homework set at any of them."""
    n = metrics.NO_HOMEWORK_SESSIONS

    def set_at(last):  # noqa: ANN001, ANN202 - the subquery of the last n sessions
        homework_set = (
            exists()
            .where(Assignment.client_id == Client.id, Assignment.assigned_on == last.c.held_on)
            .correlate_except(Assignment)
        )
        return case((homework_set, 1), else_=0)

    query = active.where(_last_n(_recent_sessions(as_of, attended_only=True), n, set_at) == 0)
    return set(conn.execute(query).scalars())


def _no_shows(conn: Connection, active: Select[tuple[int]], as_of: dt.date) -> set[int]:
    """Clients whose most recent 2 sessions were both no-shows."""
    n = metrics.NO_SHOW_RUN

    def no_show(last):  # noqa: ANN001, ANN202 - the subquery of the last n sessions
        return case((last.c.attendance == "no_show", 1), else_=0)

    query = active.where(_last_n(_recent_sessions(as_of, attended_only=False), n, no_show) == n)
    return set(conn.execute(query).scalars())


def _no_recent_score(conn: Connection, active: Select[tuple[int]], as_of: dt.date) -> set[int]:
    """Active clients, in treatment for 30 days or more, with no score in the last 30 days."""
    since = as_of - dt.timedelta(days=metrics.NO_SCORE_DAYS)
    recent_score = exists().where(
        Score.client_id == Client.id, Score.recorded_on > since, Score.recorded_on <= as_of
    )
    query = select(Client.id).where(Client.id.in_(active), Client.intake_on <= since, ~recent_score)
    return set(conn.execute(query).scalars())


def _deteriorated(pairs: pd.DataFrame) -> set[int]:
    """Active clients reliably worse on PHQ-9 or GAD-7 from their first score to their latest
    (`pairs`: expected.active_pairs)."""
    pairs = metrics.classify_outcomes(pairs[paired(pairs)])
    return set(pairs.loc[pairs["reliable_deterioration"], "client_id"].astype(int))


@dataclass(frozen=True)
class _Raised:
    """Each flag's raised client ids, with the open risk items and off-course facts behind them."""

    ids: dict[str, set[int]]
    risks: pd.DataFrame
    off_course: dict[int, tuple[OffCourse, ...]]


def _raise_flags(conn: Connection, scope: Scope, client_ids: Sequence[int] | None) -> _Raised:
    """Every flag's SQL for the scope's clients active on the filters' as-of day."""
    active = _active_clients(scope, client_ids)
    as_of = scope.filters.as_of
    risks = open_risk_items(conn, scope, client_ids)
    pairs = active_pairs(conn, scope, client_ids)
    off_course = off_course_facts(on_track(conn, pairs))
    ids = {
        "risk_item": set(risks["client_id"].astype(int)),
        "not_on_track": set(off_course),
        "deterioration": _deteriorated(pairs),
        "low_completion": _low_completion(conn, active, as_of),
        "no_homework": _no_homework(conn, active, as_of),
        "no_shows": _no_shows(conn, active, as_of),
        "no_recent_score": _no_recent_score(conn, active, as_of),
    }
    return _Raised(ids, risks, off_course)


def flagged_count(conn: Connection, scope: Scope) -> int:
    """How many clients `needs_attention` lists (one or more flags), without their names,
    facts or order: the overview's headline needs only the count."""
    return len(set().union(*_raise_flags(conn, scope, None).ids.values()))


def flagged_on(conn: Connection, viewer: Viewer, filters: Filters) -> int:
    """`flagged_count` for a page: it depends on the filters' as-of day and clinicians alone,
    so a page caches it on `filters.on_the_day()` and any period or status reuses it."""
    return flagged_count(conn, scope_of(conn, viewer, filters))


def needs_attention(
    conn: Connection,
    viewer: Viewer,
    filters: Filters,
    client_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """`flags_in` for a page that shows the flags alone: the viewer's scope resolved here."""
    return flags_in(conn, scope_of(conn, viewer, filters), client_ids)


def flags_in(
    conn: Connection, scope: Scope, client_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """One row per (client, flag) raised today for the scope's active clients.

    Columns: client_id, client_code, clinician, flag (its code), reviewed (a risk item marked
    reviewed) and facts (RaisedFlag.facts: what the flag's words need).
    """
    found = _raise_flags(conn, scope, client_ids)
    raised, risks, off_course = found.ids, found.risks, found.off_course
    flagged = set().union(*raised.values())
    if not flagged:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    names = client_names(conn, flagged)
    raised_pairs = pd.DataFrame(
        [(client_id, key) for key, ids in raised.items() for client_id in ids],
        columns=["client_id", "flag"],
    )
    frame = raised_pairs.merge(names, on="client_id")
    facts = {("not_on_track", cid): measures for cid, measures in off_course.items()}
    for risk in risks.itertuples():
        reviewed = (risk.reviewed_by, risk.reviewed_at) if risk.reviewed else (None, None)
        facts[("risk_item", risk.client_id)] = (
            RiskFacts(int(risk.answer), risk.recorded_on, *reviewed),
        )
    keys = zip(frame["flag"], frame["client_id"], strict=True)
    frame["facts"] = pd.Series([facts.get(k, ()) for k in keys], index=frame.index, dtype=object)
    reviewed_ids = set(risks.loc[risks["reviewed"], "client_id"])
    frame["reviewed"] = (frame["flag"] == "risk_item") & frame["client_id"].isin(reviewed_ids)
    return sort_by_severity(frame)[FLAG_COLUMNS]


def sort_by_severity(flags: pd.DataFrame) -> pd.DataFrame:
    """Flags ordered client by client, the client with the most urgent flag first.

    An unreviewed risk item comes before a reviewed one; then by client code, then flag.
    """
    rank = flags["flag"].map(severity_rank) * 2 + flags["reviewed"].astype(int)
    top = rank.groupby(flags["client_id"]).transform("min")
    ordered = flags.assign(_top=top, _rank=rank)
    ordered = ordered.sort_values(["_top", "client_code", "_rank"], ignore_index=True)
    return ordered.drop(columns=["_top", "_rank"])


def worst_first(flags: pd.DataFrame) -> pd.DataFrame:
    """`needs_attention` rows ordered by client code, then worst flag first."""
    ranked = flags.assign(_rank=flags["flag"].map(severity_rank))
    return ranked.sort_values(["client_code", "_rank"], ignore_index=True).drop(columns="_rank")
