"""What the dashboard's forms write: new homework, its review, sessions and scores.

Scope rule: only a client's own (treating) clinician records for that client. Supervisors and
admins read more widely but do not write into a colleague's record; corrections across the
practice go through an admin import. Every form's values are checked first, by the rules in
entry_rules.py (all problems at once, by field), then written in one transaction together with
a `record` audit event, whose detail names what was recorded and the row's id but never a
score, an instruction or another health detail. That event is also what `undo.undo_last` reads:
each person may take back their own last entry for 10 minutes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, select, update

from data_access.access.audit import record
from data_access.access.viewer import Viewer
from data_access.records import entry_rules as rules
from data_access.records.questionnaires import ItemsError, check_items
from data_access.records.text_rules import code_problem
from data_access.store.engine import write
from data_access.store.errors import DataError, NotInScope
from data_access.store.schema import (
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

REVIEW_STATUSES = tuple(s for s in STATUSES if s != "pending")
APP_ID_PREFIX = "APP-"


@dataclass(frozen=True)
class Review:
    """An assignment's review as a form showed it: what a second writer's save is checked on."""

    status: str
    engagement: int | None
    reviewed_on: dt.date | None


class ChangedElsewhere(DataError):
    """Someone else saved the item after the form showed it; `current` is what it holds now."""

    def __init__(self, record_name: str, current: Review) -> None:
        super().__init__(record_name, "this item was changed by someone else")
        self.current = current


class FormError(DataError):
    """The form's values were refused; `problems` maps each field to its reason."""

    def __init__(self, record_name: str, problems: dict[str, str]) -> None:
        super().__init__(record_name, "; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@contextmanager
def form_transaction(engine: Engine, viewer: Viewer, name: str, code: str) -> Iterator[Connection]:
    """One transaction for one form; a refusal for scope is audited as `denied`."""
    try:
        with write(engine, name) as conn:
            yield conn
    except NotInScope:
        with write(engine, name, data=False) as conn:
            shown = code.strip() if not code_problem(code.strip()) else None
            record(conn, viewer, "denied", shown, "record")
        raise


def own_client(conn: Connection, viewer: Viewer, code: str) -> dict:
    """The client with `code` when the viewer is their clinician; NotInScope otherwise (and
    a DataError, before any lookup, for a code that breaks the code rule)."""
    if problem := code_problem(code.strip()):
        raise DataError("client", problem)
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


def _scores_problems(scores: dict[str, int | None]) -> dict[str, str]:
    problems = {}
    for code, value in scores.items():
        problem = rules.score_problem(code, value) if value is not None else None
        if problem:
            problems[code] = problem
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
    today: dt.date | None = None,
) -> int:
    """Set new homework for one of the viewer's own clients; returns the assignment's id.

    It gets a stable `APP-…` assignment_id, so an export of it re-imports to the same row.
    Homework identical to a stored one (client, type, day set, instructions) is refused.
    """
    today = today or dt.date.today()
    assigned_on = assigned_on or today
    name = f"new homework for {client_code}"
    with form_transaction(engine, viewer, name, client_code) as conn:
        client = own_client(conn, viewer, client_code)
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
        instructions_problem = rules.instructions_problem(instructions)
        if instructions_problem:
            problems["instructions"] = instructions_problem
        day_problem = rules.day_problem(assigned_on, today, client["intake_on"])
        if day_problem:
            problems["assigned_on"] = day_problem
        if client["discharged_on"] is not None and client["discharged_on"] <= assigned_on:
            problems["client"] = f"the client was discharged on {client['discharged_on']}"
        if not problems and type_id is not None:
            same = rules.identical_assignment(
                conn, (client["id"], type_id, assigned_on, instructions)
            )
            if same is not None:
                problems["instructions"] = rules.identical_message(same)
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
        record(
            conn, viewer, "record", client["code"], f"kind=assignment action=set id={assignment_id}"
        )
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
    seen: Review | None = None,
) -> None:
    """Record how pending homework, due by today, went: status, engagement 0–4 (optional) and
    the review date. A mistaken review is taken back with `undo_last`, or corrected by passing
    the review the form showed as `seen`.

    With `seen`, the save happens only if the assignment still holds it; otherwise
    ChangedElsewhere says so and carries the new values (no lost update).
    """
    today = today or dt.date.today()
    reviewed_on = reviewed_on or today
    name = f"assignment {assignment_id}"
    with form_transaction(engine, viewer, name, "") as conn:
        row = conn.execute(
            select(
                Assignment.assigned_on,
                Assignment.due_on,
                Assignment.status,
                Assignment.engagement,
                Assignment.reviewed_on,
                Client.code,
            )
            .join(Client, Client.id == Assignment.client_id)
            .where(Assignment.id == assignment_id)
        ).first()
        if row is None:
            raise NotInScope(name, "not available to you")
        client = own_client(conn, viewer, row.code)
        current = Review(row.status, row.engagement, row.reviewed_on)
        if seen is not None and seen != current:
            raise ChangedElsewhere(name, current)
        problems: dict[str, str] = {}
        if status not in REVIEW_STATUSES:
            problems["status"] = "choose one: " + ", ".join(
                s.replace("_", " ") for s in REVIEW_STATUSES
            )
        if engagement is not None and not 0 <= engagement <= 4:
            problems["engagement"] = "engagement runs from 0 to 4"
        if reviewed_on < row.assigned_on:
            problems["reviewed_on"] = "the review date is before the homework was set"
        elif reviewed_on > today:
            problems["reviewed_on"] = "this date is in the future"
        # A review is of pending homework due by today, or the correction of the review the
        # form showed (`seen`, checked above to be what is stored).
        correcting = seen is not None and seen.status != "pending"
        not_reviewable = rules.reviewable_problem(row.status, row.due_on, today)
        if not_reviewable and not correcting:
            problems["homework"] = not_reviewable
        if problems:
            raise FormError(name, problems)
        condition = Assignment.id == assignment_id
        if seen is not None:
            condition &= (
                (Assignment.status == seen.status)
                & Assignment.engagement.is_not_distinct_from(seen.engagement)
                & Assignment.reviewed_on.is_not_distinct_from(seen.reviewed_on)
            )
        saved = conn.execute(
            update(Assignment)
            .where(condition)
            .values(status=status, engagement=engagement, reviewed_on=reviewed_on)
        ).rowcount
        if not saved:
            now = conn.execute(
                select(Assignment.status, Assignment.engagement, Assignment.reviewed_on).where(
                    Assignment.id == assignment_id
                )
            ).one()
            raise ChangedElsewhere(name, Review(*now))
        record(
            conn,
            viewer,
            "record",
            client["code"],
            f"kind=assignment action=review id={assignment_id}",
        )


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
    """Record a session and the scores taken at it (each optional, items too), or book one
    ahead as `scheduled`; returns the session id. Recording the day of a booked session fills
    in that booking instead of refusing the date as taken."""
    today = today or dt.date.today()
    scores = {k: v for k, v in (scores or {}).items() if v is not None}
    name = f"session of {client_code} on {held_on.isoformat()}"
    with form_transaction(engine, viewer, name, client_code) as conn:
        client = own_client(conn, viewer, client_code)
        problems = _scores_problems(scores)
        rows, item_problems = _with_items(scores, items)
        problems.update(item_problems)
        scores = {code: int(row["value"]) for code, row in rows.items()}
        if attendance not in ATTENDANCE:
            problems["attendance"] = "choose one: " + ", ".join(
                a.replace("_", " ") for a in ATTENDANCE
            )
        elif scores and attendance != "attended":
            problems["attendance"] = "scores can only be taken at an attended session"
        day_problem = rules.session_day_problem(held_on, attendance, today, client["intake_on"])
        if day_problem:
            problems["held_on"] = day_problem
        taken = conn.execute(
            select(TherapySession.id, TherapySession.attendance).where(
                TherapySession.client_id == client["id"], TherapySession.held_on == held_on
            )
        ).first()
        booked = taken is not None and taken.attendance == rules.SCHEDULED
        if taken is not None and not (booked and attendance != rules.SCHEDULED):
            problems["held_on"] = "this client already has a session on that date"
        _scores_taken(conn, problems, client["id"], scores, held_on)
        if problems:
            raise FormError(name, problems)
        if booked:
            session_id = taken.id
            conn.execute(
                update(TherapySession)
                .where(TherapySession.id == session_id)
                .values(attendance=attendance)
            )
        else:
            session_id = conn.execute(
                insert(TherapySession).values(
                    client_id=client["id"],
                    clinician_id=viewer.clinician_id,
                    held_on=held_on,
                    attendance=attendance,
                )
            ).inserted_primary_key[0]
        score_ids = _insert_scores(conn, client["id"], rows, held_on, session_id)
        detail = f"kind=session id={session_id}" + (" was=scheduled" if booked else "")
        if scores:
            detail += f" measures={','.join(sorted(scores))} scores={_ids(score_ids)}"
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
    with form_transaction(engine, viewer, name, client_code) as conn:
        client = own_client(conn, viewer, client_code)
        problems = _scores_problems(scores)
        rows, item_problems = _with_items(scores, items)
        problems.update(item_problems)
        scores = {code: int(row["value"]) for code, row in rows.items()}
        if not scores and not item_problems:
            problems["scores"] = "enter at least one score"
        day_problem = rules.day_problem(recorded_on, today, client["intake_on"])
        if day_problem:
            problems["recorded_on"] = day_problem
        _scores_taken(conn, problems, client["id"], scores, recorded_on)
        if problems:
            raise FormError(name, problems)
        score_ids = _insert_scores(conn, client["id"], rows, recorded_on, None)
        detail = f"kind=scores measures={','.join(sorted(scores))} scores={_ids(score_ids)}"
        record(conn, viewer, "record", client["code"], detail)
        return len(scores)


def _scores_taken(
    conn: Connection, problems: dict[str, str], client_id: int, scores: dict, day: dt.date
) -> None:
    """A client has at most one score per measure and day: name the ones already there."""
    if not scores:
        return
    taken = dict(
        conn.execute(
            select(Score.measure, Score.value).where(
                Score.client_id == client_id,
                Score.recorded_on == day,
                Score.measure.in_(list(scores)),
            )
        ).all()
    )
    for code in scores:  # in the form's order
        if code in taken:
            problems.setdefault(
                code,
                f"a {code} score of {taken[code]} is already recorded for {day:%d %b %Y}; "
                "there is one score per measure and day",
            )
def _ids(ids: list[int]) -> str:
    return ",".join(str(i) for i in ids)


def _insert_scores(
    conn: Connection,
    client_id: int,
    rows: dict[str, dict[str, object]],
    day: dt.date,
    session_id: int | None,
) -> list[int]:
    """Insert each measure's row (its total and any item answers) and return their ids, which
    undo needs (at most three rows)."""
    blank = dict.fromkeys(ITEM_COLUMNS)
    return [
        conn.execute(
            insert(Score).values(
                client_id=client_id,
                measure=code,
                recorded_on=day,
                session_id=session_id,
                **{**blank, **values},
            )
        ).inserted_primary_key[0]
        for code, values in rows.items()
    ]


def reviewable_assignments(
    conn: Connection, viewer: Viewer, client_code: str, today: dt.date | None = None
) -> list[dict]:
    """The own client's pending homework due by today, oldest due first: the only homework the
    review form offers (entry_rules.reviewable_problem)."""
    today = today or dt.date.today()
    client = own_client(conn, viewer, client_code)
    rows = conn.execute(
        select(
            Assignment.id,
            AssignmentType.name.label("type"),
            Assignment.assigned_on,
            Assignment.due_on,
            Assignment.status,
            Assignment.engagement,
            Assignment.reviewed_on,
            Assignment.instructions,
        )
        .join(AssignmentType, AssignmentType.id == Assignment.type_id)
        .where(
            Assignment.client_id == client["id"],
            Assignment.status == "pending",
            Assignment.due_on <= today,
        )
        .order_by(Assignment.due_on, Assignment.id)
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
