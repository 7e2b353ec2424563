"""What the dashboard's forms write: new homework, its review, sessions and scores.

Scope rule: only a client's own (treating) clinician records for that client. Supervisors and
admins read more widely but do not write into a colleague's record; corrections across the
practice go through an admin import. Every form's values are checked first (all problems at
once, by field), then written in one transaction together with a `record` audit event, whose
detail names what was recorded but never a score, an instruction or another health detail.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, insert, select, update

from data_access.audit import record
from data_access.engine import write
from data_access.errors import DataError, NotInScope
from data_access.questionnaires import ItemsError, check_items
from data_access.schema import (
    ATTENDANCE,
    ITEM_COLUMNS,
    MEASURES,
    STATUSES,
    Assignment,
    AssignmentType,
    Client,
    Score,
    TherapySession,
    monday_of,
)
from data_access.viewer import Viewer

REVIEW_STATUSES = tuple(s for s in STATUSES if s != "pending")
MAX_INSTRUCTIONS = 2_000
APP_ID_PREFIX = "APP-"


class FormError(DataError):
    """The form's values were refused; `problems` maps each field to its reason."""

    def __init__(self, record_name: str, problems: dict[str, str]) -> None:
        super().__init__(record_name, "; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@contextmanager
def _recording(engine: Engine, viewer: Viewer, name: str, code: str) -> Iterator[Connection]:
    """One transaction for one form; a refusal for scope is audited as `denied`."""
    try:
        with write(engine, name) as conn:
            yield conn
    except NotInScope:
        with write(engine, name) as conn:
            record(conn, viewer, "denied", code.strip()[:40] or None, "record")
        raise


def _own_client(conn: Connection, viewer: Viewer, code: str) -> dict:
    """The client with `code` when the viewer is their clinician; NotInScope otherwise."""
    row = (
        conn.execute(
            select(
                Client.id, Client.code, Client.clinician_id, Client.intake_on, Client.discharged_on
            ).where(Client.code == code.strip())
        )
        .mappings()
        .first()
    )
    if row is None or row["clinician_id"] != viewer.clinician_id:
        raise NotInScope(f"client {code}", "only the client's own clinician can record for them")
    return dict(row)


def _not_future(problems: dict[str, str], name: str, day: dt.date, today: dt.date) -> None:
    if day > today:
        problems[name] = "this date is in the future"


def _scores_problems(scores: dict[str, int | None]) -> dict[str, str]:
    problems = {}
    for code, value in scores.items():
        if code not in MEASURES:
            problems[code] = f"unknown measure; use one of {', '.join(MEASURES)}"
            continue
        spec = MEASURES[code]
        if value is not None and not spec.min_value <= value <= spec.max_value:
            problems[code] = f"{code} scores run from {spec.min_value} to {spec.max_value}"
    return problems


def _with_items(
    scores: dict[str, int], items: dict[str, Sequence[int | None]] | None
) -> tuple[dict[str, dict[str, object]], dict[str, str]]:
    """Each score's row values with its item answers, and the problems by field.

    A measure given items but no total gets their sum as its total.
    """
    rows: dict[str, dict[str, object]] = {code: {"value": v} for code, v in scores.items()}
    problems: dict[str, str] = {}
    for code, answers in (items or {}).items():
        if code not in MEASURES or all(a is None for a in answers):
            continue
        try:
            checked = check_items(code, answers, scores.get(code))
        except ItemsError as exc:
            problems[f"{code} items"] = str(exc)
            continue
        total = scores.get(code, sum(a for a in checked if a is not None))
        rows[code] = {"value": total, **dict(zip(ITEM_COLUMNS, checked, strict=True))}
    return rows, problems


def set_assignment(
    engine: Engine,
    viewer: Viewer,
    *,
    client_code: str,
    type_name: str,
    due_on: dt.date,
    instructions: str = "",
    difficulty: int | None = None,
    assigned_on: dt.date | None = None,
) -> int:
    """Set new homework for one of the viewer's own clients; returns the assignment's id.

    It gets a stable `APP-…` assignment_id, so an export of it re-imports to the same row.
    """
    assigned_on = assigned_on or dt.date.today()
    name = f"new homework for {client_code}"
    with _recording(engine, viewer, name, client_code) as conn:
        client = _own_client(conn, viewer, client_code)
        type_id = conn.execute(
            select(AssignmentType.id).where(AssignmentType.name == type_name)
        ).scalar()
        problems: dict[str, str] = {}
        if type_id is None:
            problems["type"] = "unknown assignment type"
        if due_on < assigned_on:
            problems["due_on"] = "the due date is before the day it is set"
        if difficulty is not None and not 1 <= difficulty <= 5:
            problems["difficulty"] = "difficulty runs from 1 (very easy) to 5"
        if len(instructions) > MAX_INSTRUCTIONS:
            problems["instructions"] = f"keep instructions under {MAX_INSTRUCTIONS} characters"
        if assigned_on < client["intake_on"]:
            problems["assigned_on"] = "the client's intake is after this date"
        if client["discharged_on"] is not None and client["discharged_on"] <= assigned_on:
            problems["client"] = f"the client was discharged on {client['discharged_on']}"
        if problems:
            raise FormError(name, problems)
        assignment_id = conn.execute(
            insert(Assignment).values(
                external_id=f"{APP_ID_PREFIX}{uuid.uuid4().hex[:12].upper()}",
                client_id=client["id"],
                clinician_id=viewer.clinician_id,
                type_id=type_id,
                assigned_on=assigned_on,
                due_on=due_on,
                due_week=monday_of(due_on),
                instructions=instructions.strip(),
                difficulty=difficulty,
                status="pending",
            )
        ).inserted_primary_key[0]
        record(conn, viewer, "record", client["code"], "kind=assignment action=set")
        return assignment_id


def review_assignment(
    engine: Engine,
    viewer: Viewer,
    *,
    assignment_id: int,
    status: str,
    engagement: int | None = None,
    reviewed_on: dt.date | None = None,
    today: dt.date | None = None,
) -> None:
    """Record how homework went: status, engagement 0–4 (optional) and the review date."""
    today = today or dt.date.today()
    reviewed_on = reviewed_on or today
    name = f"assignment {assignment_id}"
    with _recording(engine, viewer, name, "") as conn:
        row = conn.execute(
            select(Assignment.assigned_on, Client.code)
            .join(Client, Client.id == Assignment.client_id)
            .where(Assignment.id == assignment_id)
        ).first()
        if row is None:
            raise NotInScope(name, "not available to you")
        client = _own_client(conn, viewer, row.code)
        problems: dict[str, str] = {}
        if status not in REVIEW_STATUSES:
            problems["status"] = f"status must be one of {', '.join(REVIEW_STATUSES)}"
        if engagement is not None and not 0 <= engagement <= 4:
            problems["engagement"] = "engagement runs from 0 to 4"
        if reviewed_on < row.assigned_on:
            problems["reviewed_on"] = "the review date is before the homework was set"
        _not_future(problems, "reviewed_on", reviewed_on, today)
        if problems:
            raise FormError(name, problems)
        conn.execute(
            update(Assignment)
            .where(Assignment.id == assignment_id)
            .values(status=status, engagement=engagement, reviewed_on=reviewed_on)
        )
        record(conn, viewer, "record", client["code"], "kind=assignment action=review")


def record_session(
    engine: Engine,
    viewer: Viewer,
    *,
    client_code: str,
    held_on: dt.date,
    attendance: str,
    scores: dict[str, int | None] | None = None,
    today: dt.date | None = None,
    items: dict[str, Sequence[int | None]] | None = None,
) -> int:
    """Record a session and the scores taken at it (each optional, items too); returns the
    session id."""
    today = today or dt.date.today()
    scores = {k: v for k, v in (scores or {}).items() if v is not None}
    name = f"session of {client_code} on {held_on.isoformat()}"
    with _recording(engine, viewer, name, client_code) as conn:
        client = _own_client(conn, viewer, client_code)
        problems = _scores_problems(scores)
        rows, item_problems = _with_items(scores, items)
        problems.update(item_problems)
        scores = {code: int(row["value"]) for code, row in rows.items()}
        if attendance not in ATTENDANCE:
            problems["attendance"] = f"attendance must be one of {', '.join(ATTENDANCE)}"
        elif scores and attendance != "attended":
            problems["attendance"] = "scores can only be taken at an attended session"
        _not_future(problems, "held_on", held_on, today)
        if held_on < client["intake_on"]:
            problems["held_on"] = "this date is before the client's intake"
        taken = conn.execute(
            select(TherapySession.id).where(
                TherapySession.client_id == client["id"], TherapySession.held_on == held_on
            )
        ).first()
        if taken is not None:
            problems["held_on"] = "this client already has a session on that date"
        if problems:
            raise FormError(name, problems)
        session_id = conn.execute(
            insert(TherapySession).values(
                client_id=client["id"],
                clinician_id=viewer.clinician_id,
                held_on=held_on,
                attendance=attendance,
            )
        ).inserted_primary_key[0]
        _insert_scores(conn, client["id"], rows, held_on, session_id)
        detail = "kind=session" + (f" measures={','.join(sorted(scores))}" if scores else "")
        record(conn, viewer, "record", client["code"], detail)
        return session_id


def record_scores(
    engine: Engine,
    viewer: Viewer,
    *,
    client_code: str,
    recorded_on: dt.date,
    scores: dict[str, int | None],
    today: dt.date | None = None,
    items: dict[str, Sequence[int | None]] | None = None,
) -> int:
    """Record scores outside a session (e.g. a MOOD rating), PHQ-9/GAD-7 items optional;
    returns how many were saved."""
    today = today or dt.date.today()
    scores = {k: v for k, v in scores.items() if v is not None}
    name = f"scores of {client_code} on {recorded_on.isoformat()}"
    with _recording(engine, viewer, name, client_code) as conn:
        client = _own_client(conn, viewer, client_code)
        problems = _scores_problems(scores)
        rows, item_problems = _with_items(scores, items)
        problems.update(item_problems)
        scores = {code: int(row["value"]) for code, row in rows.items()}
        if not scores and not item_problems:
            problems["scores"] = "enter at least one score"
        _not_future(problems, "recorded_on", recorded_on, today)
        if recorded_on < client["intake_on"]:
            problems["recorded_on"] = "this date is before the client's intake"
        if problems:
            raise FormError(name, problems)
        _insert_scores(conn, client["id"], rows, recorded_on, None)
        record(
            conn,
            viewer,
            "record",
            client["code"],
            f"kind=scores measures={','.join(sorted(scores))}",
        )
        return len(scores)


def _insert_scores(
    conn: Connection,
    client_id: int,
    rows: dict[str, dict[str, object]],
    day: dt.date,
    session_id: int | None,
) -> None:
    """Insert each measure's row (its total and any item answers)."""
    if rows:
        blank = dict.fromkeys(ITEM_COLUMNS)
        conn.execute(
            insert(Score),
            [
                {
                    "client_id": client_id,
                    "measure": code,
                    "recorded_on": day,
                    "session_id": session_id,
                    **blank,
                    **values,
                }
                for code, values in rows.items()
            ],
        )


def reviewable_assignments(conn: Connection, viewer: Viewer, client_code: str) -> list[dict]:
    """The own client's homework, newest first, for the review form's choice list."""
    client = _own_client(conn, viewer, client_code)
    rows = conn.execute(
        select(
            Assignment.id,
            AssignmentType.name.label("type"),
            Assignment.assigned_on,
            Assignment.due_on,
            Assignment.status,
        )
        .join(AssignmentType, AssignmentType.id == Assignment.type_id)
        .where(Assignment.client_id == client["id"])
        .order_by(Assignment.assigned_on.desc(), Assignment.id.desc())
        .limit(50)
    ).mappings()
    return [dict(r) for r in rows]


def own_client_codes(conn: Connection, viewer: Viewer) -> list[str]:
    """Codes of the clients the viewer treats (the ones they can record for), ordered."""
    return list(
        conn.execute(
            select(Client.code)
            .where(Client.clinician_id == viewer.clinician_id)
            .order_by(Client.code)
        ).scalars()
    )
