"""The top of the client page: what happened since the last session, and what to set next.

"Since the last session" is what a clinician reviews first: the last and next session, the
homework set at (or since) the last attended session with its status, scores recorded since
then with their change, and any no-show since. "What to set next" reads this client's own record and
states each suggestion with the rule that produced it; it is a suggestion, never an order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, and_, func, select

from data_access.access.viewer import Viewer, in_scope
from data_access.reads import metrics
from data_access.reads.frames import read_frame
from data_access.store.schema import SCHEDULED, Assignment, AssignmentType, Score, TherapySession

MIN_REVIEWED_PER_TYPE = 2  # a type needs this many reviews before it is "most" or "least" done


@dataclass(frozen=True)
class SinceLast:
    """The facts of "Since the last session" for one client."""

    last_session: dt.date | None
    last_attendance: str | None
    last_attended: dt.date | None
    next_session: dt.date | None
    unrecorded: tuple[dt.date, ...]
    homework: pd.DataFrame  # set since the last attended session: id, type, status, due_on, …
    scores: pd.DataFrame  # measure, recorded_on, value, change (signed, + = better; NaN first)
    no_shows: tuple[dt.date, ...]


def _dates(values: list) -> tuple[dt.date, ...]:
    return tuple(pd.Timestamp(v).date() for v in values)


def since_last_session(
    conn: Connection, viewer: Viewer, client_id: int, today: dt.date
) -> SinceLast:
    """What happened since the client's last attended session, as of `today` (in scope only)."""
    mine = and_(TherapySession.client_id == client_id, in_scope(TherapySession.client_id, viewer))
    sessions = read_frame(
        select(TherapySession.held_on, TherapySession.attendance)
        .where(mine)
        .order_by(TherapySession.held_on),
        conn,
    )
    sessions["held_on"] = _dates(sessions["held_on"].tolist())
    past = sessions[sessions["held_on"] <= today]
    recorded = past[past["attendance"] != SCHEDULED]
    attended = recorded[recorded["attendance"] == "attended"]
    booked = sessions[sessions["attendance"] == SCHEDULED]
    last_attended = attended["held_on"].iloc[-1] if len(attended) else None
    since = last_attended or dt.date.min
    upcoming = booked[booked["held_on"] >= today]["held_on"]
    return SinceLast(
        last_session=recorded["held_on"].iloc[-1] if len(recorded) else None,
        last_attendance=recorded["attendance"].iloc[-1] if len(recorded) else None,
        last_attended=last_attended,
        next_session=upcoming.iloc[0] if len(upcoming) else None,
        unrecorded=tuple(booked[booked["held_on"] < today]["held_on"]),
        homework=_homework_set(conn, viewer, client_id, last_attended),
        scores=_scores_since(conn, viewer, client_id, since, today),
        no_shows=tuple(
            recorded[(recorded["attendance"] == "no_show") & (recorded["held_on"] > since)][
                "held_on"
            ]
        ),
    )


def _homework_set(
    conn: Connection, viewer: Viewer, client_id: int, day: dt.date | None
) -> pd.DataFrame:
    """Homework set on or after `day`, the last attended session (none without one)."""
    if day is None:
        day = dt.date.max
    query = (
        select(
            Assignment.id,
            AssignmentType.name.label("type"),
            Assignment.status,
            Assignment.due_on,
            Assignment.instructions,
            Assignment.difficulty,
        )
        .join(AssignmentType, AssignmentType.id == Assignment.type_id)
        .where(
            Assignment.client_id == client_id,
            in_scope(Assignment.client_id, viewer),
            Assignment.assigned_on >= day,
        )
        .order_by(Assignment.id)
    )
    frame = read_frame(query, conn)
    frame["due_on"] = _dates(frame["due_on"].tolist())
    return frame


def _scores_since(
    conn: Connection, viewer: Viewer, client_id: int, since: dt.date, today: dt.date
) -> pd.DataFrame:
    """Scores recorded on or after the last attended session, each with its change from the
    score before it on the same measure (signed so that positive is better)."""
    previous = func.lag(Score.value).over(
        partition_by=Score.measure, order_by=(Score.recorded_on, Score.id)
    )
    ordered = (
        select(Score.measure, Score.recorded_on, Score.value, previous.label("previous"))
        .where(
            Score.client_id == client_id,
            in_scope(Score.client_id, viewer),
            Score.recorded_on <= today,
        )
        .subquery()
    )
    query = (
        select(ordered)
        .where(ordered.c.recorded_on >= since, ordered.c.measure.in_(("PHQ-9", "GAD-7")))
        .order_by(ordered.c.recorded_on, ordered.c.measure)
    )
    frame = read_frame(query, conn)
    frame["recorded_on"] = _dates(frame["recorded_on"].tolist())
    frame["change"] = [
        float("nan") if pd.isna(before) else metrics.signed_change(m, before, now)
        for m, before, now in zip(frame["measure"], frame["previous"], frame["value"], strict=True)
    ]
    return frame


@dataclass(frozen=True)
class Suggestion:
    """One suggestion for the next homework and the figures of this client's record behind it.

    `kind`: "most_done" or "least_done" (a type, its completion rate and reviewed count), or
    "smaller_easier" (metrics.smaller_and_easier: `done` of the last RECENT_REVIEWED reviewed
    when that is under half, `difficulty` their mean when it is HARD_DIFFICULTY or more).
    """

    kind: str
    type: str | None = None
    rate: float | None = None
    reviewed: int | None = None
    done: float | None = None
    difficulty: float | None = None


def what_to_set_next(conn: Connection, viewer: Viewer, client_id: int) -> list[Suggestion]:
    """Suggestions from this client's own record (empty when the record says nothing yet)."""
    credit = metrics.completion_credit()
    by_type = read_frame(
        select(
            AssignmentType.name.label("type"),
            metrics.reviewed_count().label("reviewed"),
            credit.label("credit"),
        )
        .join(AssignmentType, AssignmentType.id == Assignment.type_id)
        .where(Assignment.client_id == client_id, in_scope(Assignment.client_id, viewer))
        .group_by(AssignmentType.name),
        conn,
    )
    suggestions = []
    rated = by_type[by_type["reviewed"] >= MIN_REVIEWED_PER_TYPE].copy()
    if len(rated) >= 2:
        rated["rate"] = rated["credit"].astype(float) / rated["reviewed"]
        rated = rated.sort_values(["rate", "reviewed"], ascending=[False, False])
        best, worst = rated.iloc[0], rated.iloc[-1]
        for kind, row in (("most_done", best), ("least_done", worst)):
            if kind == "least_done" and worst["rate"] >= best["rate"]:
                break
            suggestions.append(
                Suggestion(kind, row["type"], float(row["rate"]), int(row["reviewed"]))
            )
    recent = read_frame(
        select(Assignment.status, Assignment.difficulty)
        .where(
            Assignment.client_id == client_id,
            in_scope(Assignment.client_id, viewer),
            Assignment.status != "pending",
        )
        .order_by(Assignment.due_on.desc(), Assignment.id.desc())
        .limit(metrics.RECENT_REVIEWED),
        conn,
    )
    status = recent["status"]
    rate = metrics.completion_rate(
        int((status == "completed").sum()), int((status == "partial").sum()), len(recent)
    )
    hard = recent["difficulty"].dropna().astype(float)
    difficulty = float(hard.mean()) if len(hard) else None
    if metrics.smaller_and_easier(len(recent), rate, difficulty):
        mostly_not_done = rate < metrics.LOW_RECENT_COMPLETION
        too_hard = difficulty is not None and difficulty >= metrics.HARD_DIFFICULTY
        suggestions.append(
            Suggestion(
                "smaller_easier",
                done=rate * len(recent) if mostly_not_done else None,
                difficulty=difficulty if too_hard else None,
            )
        )
    return suggestions
