"""Needs-attention flags (docs/metrics.md): each computed in SQL for the viewer's active clients.

A flag is raised only for clients active on the `as_of` day; a discharged client is no longer
someone to chase. The exception is the PHQ-9 risk item (`risk.py`): raised for every client in
scope, whatever the dates or status. Each flag comes as a code with the facts its words need
(dashboard/flag_words.py says the label and the rule); `SEVERITY` orders flags, most urgent
first, and every list sorts by it. Low completion, no homework, no-shows and no recent score
are decided on each client's flag inputs (`data_access/store/flag_inputs.py`): read from the
maintained inputs as of today, from the maintained steps as of an earlier day, and derived live
only while a write has left clients unrecomputed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Select, and_, exists, func, or_, select

from data_access.access.viewer import Viewer
from data_access.reads import metrics
from data_access.reads.expected import OffCourse, active_pairs, off_course_facts, on_track
from data_access.reads.filters import Filters, is_active
from data_access.reads.frames import read_frame
from data_access.reads.queries import client_names
from data_access.reads.risk import open_risk_items
from data_access.reads.scope import Scope, scope_of
from data_access.reads.scores import paired
from data_access.store import flag_inputs
from data_access.store.maintained_schema import ClientFlagInput, ClientFlagStep
from data_access.store.schema import Client, Score

FLAG_COLUMNS = [
    "client_id", "client_code", "clinician_id", "clinician", "flag", "reviewed", "facts",
]  # fmt: skip
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
# Decide the four per-client flags from the maintained `client_flag_inputs` where they hold;
# `make bench` and the tests turn it off to compare with the live read.
READ_MAINTAINED = True


class RiskFacts(NamedTuple):
    """An open risk item: the item 9 answer (0-3) and its date; reviewer and time once reviewed.
    A NamedTuple, as the other facts, not a dataclass: a page's cached day view holds thousands,
    and a tuple is copied out of the cache a third quicker (docs/performance.md)."""

    answer: int
    recorded_on: dt.date
    reviewed_by: str | None = None
    reviewed_at: dt.datetime | None = None


class RaisedFlag(NamedTuple):
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


def _scored_lately(as_of: dt.date) -> ColumnElement[bool]:
    """Per client: a score in the NO_SCORE_DAYS up to `as_of`."""
    since = as_of - dt.timedelta(days=metrics.NO_SCORE_DAYS)
    return exists().where(
        Score.client_id == Client.id, Score.recorded_on > since, Score.recorded_on <= as_of
    )


def _live_inputs(conn: Connection, active: Select[tuple[int]], as_of: dt.date) -> pd.DataFrame:
    """Each active client's flag inputs as of `as_of`, derived from the live tables with the
    SQL `flag_inputs` keeps them by: client_id, intake_on, completion_credit,
    sessions_with_homework, no_shows and scored_lately (a score in the last NO_SCORE_DAYS)."""
    query = select(
        Client.id.label("client_id"),
        Client.intake_on,
        flag_inputs.completion_credit(as_of).label("completion_credit"),
        flag_inputs.sessions_with_homework(as_of).label("sessions_with_homework"),
        flag_inputs.no_shows(as_of).label("no_shows"),
        _scored_lately(as_of).label("scored_lately"),
    ).where(Client.id.in_(active))
    return read_frame(query, conn)


def _stepped_inputs(
    conn: Connection, active: Select[tuple[int]], as_of: dt.date
) -> pd.DataFrame | None:
    """The same inputs read from `client_flag_steps`: each active client's newest row on or
    before `as_of` (one seek; no row, no inputs yet), with the live check for a recent score.
    None (read them live) while a write has left clients unrecomputed."""
    if not READ_MAINTAINED or not flag_inputs.is_current(conn):
        return None
    step = ClientFlagStep
    newest = select(func.max(step.day)).where(step.client_id == Client.id, step.day <= as_of)
    clients = (
        select(
            Client.id.label("client_id"),
            Client.intake_on,
            newest.scalar_subquery().label("step_day"),
            _scored_lately(as_of).label("scored_lately"),
        )
        .where(Client.id.in_(active))
        .subquery()
    )
    query = select(
        clients.c.client_id,
        clients.c.intake_on,
        step.completion_credit,
        step.sessions_with_homework,
        step.no_shows,
        clients.c.scored_lately,
    ).outerjoin(step, and_(step.client_id == clients.c.client_id, step.day == clients.c.step_day))
    return read_frame(query, conn)


def _kept_inputs(
    conn: Connection, active: Select[tuple[int]], as_of: dt.date
) -> pd.DataFrame | None:
    """The same inputs read from `client_flag_inputs`: a row per active client instead of a
    dozen seeks each. None (read the steps, or live) when a write has left clients
    unrecomputed, or an active client has a reviewed assignment, recorded session or score after
    `as_of`: the rows hold each client as of their newest data, which is every client as of
    today."""
    if not READ_MAINTAINED or not flag_inputs.is_current(conn):
        return None
    kept = ClientFlagInput
    dated = [kept.last_reviewed_set_on, kept.last_session_on, kept.last_score_on]
    later = select(Client.id).join(kept, kept.client_id == Client.id)
    later = later.where(Client.id.in_(active), or_(*(day > as_of for day in dated)))
    if conn.execute(later.limit(1)).first() is not None:
        return None
    since = as_of - dt.timedelta(days=metrics.NO_SCORE_DAYS)
    query = (
        select(
            Client.id.label("client_id"),
            Client.intake_on,
            kept.completion_credit,
            kept.sessions_with_homework,
            kept.no_shows,
            func.coalesce(kept.last_score_on > since, False).label("scored_lately"),
        )
        .outerjoin(kept, kept.client_id == Client.id)
        .where(Client.id.in_(active))
    )
    return read_frame(query, conn)


def _by_rules(inputs: pd.DataFrame, as_of: dt.date) -> dict[str, set[int]]:
    """The four flags drawn from the clients' inputs (docs/metrics.md): low completion (the
    last 4 reviewed under 25 % credit), no homework (none at the last 3 attended sessions),
    no-shows (the last 2 sessions both missed) and no recent score (in treatment 30 days or
    more, no score in the last 30)."""
    ids = inputs["client_id"].astype(int)
    credit = pd.to_numeric(inputs["completion_credit"], errors="coerce")
    threshold = metrics.LOW_COMPLETION_THRESHOLD * metrics.LOW_COMPLETION_WINDOW
    since = as_of - dt.timedelta(days=metrics.NO_SCORE_DAYS)
    long_enough = pd.Series([day <= since for day in inputs["intake_on"]], index=inputs.index)
    scored = inputs["scored_lately"].fillna(False).astype(bool)
    return {
        "low_completion": set(ids[credit < threshold]),
        "no_homework": set(ids[pd.to_numeric(inputs["sessions_with_homework"]) == 0]),
        "no_shows": set(ids[pd.to_numeric(inputs["no_shows"]) == metrics.NO_SHOW_RUN]),
        "no_recent_score": set(ids[long_enough & ~scored]),
    }


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
    course: pd.DataFrame  # expected.on_track: every judged client, on track or not


def _raise_flags(conn: Connection, scope: Scope, client_ids: Sequence[int] | None) -> _Raised:
    """Every flag's SQL for the scope's clients active on the filters' as-of day."""
    active = _active_clients(scope, client_ids)
    as_of = scope.filters.as_of
    risks = open_risk_items(conn, scope, client_ids)
    pairs = active_pairs(conn, scope, client_ids)
    course = on_track(conn, pairs)
    off_course = off_course_facts(course)
    inputs = _kept_inputs(conn, active, as_of)
    if inputs is None:
        inputs = _stepped_inputs(conn, active, as_of)
    if inputs is None:
        inputs = _live_inputs(conn, active, as_of)
    ids = {
        "risk_item": set(risks["client_id"].astype(int)),
        "not_on_track": set(off_course),
        "deterioration": _deteriorated(pairs),
        **_by_rules(inputs, as_of),
    }
    return _Raised(ids, risks, off_course, course)


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

    Columns: client_id, client_code, clinician_id, clinician (the name), flag (its code),
    reviewed (a risk item marked reviewed) and facts (RaisedFlag.facts: what the flag's words
    need).
    """
    return _flag_rows(conn, _raise_flags(conn, scope, client_ids))


def flags_and_course(
    conn: Connection, scope: Scope
) -> tuple[pd.DataFrame, pd.DataFrame, dict[int, tuple[OffCourse, ...]]]:
    """`flags_in`, the `expected.on_track` rows its not-on-track flag was decided on and their
    `expected.off_course_facts`: a page showing both the list and the on-track share reads the
    clients' scores, and judges them, once."""
    found = _raise_flags(conn, scope, None)
    return _flag_rows(conn, found), found.course, found.off_course


def _flag_rows(conn: Connection, found: _Raised) -> pd.DataFrame:
    """The raised flags as `flags_in`'s rows, named, with their facts, most urgent first."""
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
