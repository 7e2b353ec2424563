"""The rules every entry of homework, sessions and scores obeys, written once.

The forms (recording.py) and the importer (import_client_rows.py) both call these functions, so
a value refused on the client page is refused in a CSV file too, with the same words. Each
function returns the reason in words, or None when the value is fine.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, select, tuple_

from data_access.store.schema import MEASURES, SCHEDULED, Assignment, AssignmentType

MAX_INSTRUCTIONS = 2_000
UNDO_MINUTES = 10


def day_problem(
    day: dt.date, today: dt.date, intake_on: dt.date | None, *, may_be_future: bool = False
) -> str | None:
    """A recorded day may not lie in the future (unless booked ahead) nor before intake."""
    if day > today and not may_be_future:
        return "this date is in the future"
    if intake_on is not None and day < intake_on:
        return f"this date is before the client's intake ({intake_on:%d %b %Y})"
    return None


def session_day_problem(
    held_on: dt.date, attendance: str | None, today: dt.date, intake_on: dt.date | None
) -> str | None:
    """A scheduled session may be booked for any day from intake on; a recorded one (attended,
    cancelled, no-show) has happened, so not in the future."""
    problem = day_problem(held_on, today, intake_on, may_be_future=attendance == SCHEDULED)
    if problem == "this date is in the future":
        return "this date is in the future: book it as scheduled, and record it on the day"
    return problem


def instructions_problem(text: str) -> str | None:
    """Homework says what to do: instructions are required and at most 2,000 characters."""
    if not text.strip():
        return "write what the client will do (instructions cannot be blank)"
    if len(text) > MAX_INSTRUCTIONS:
        return f"keep instructions under {MAX_INSTRUCTIONS:,} characters"
    return None


def score_problem(measure: str, value: int) -> str | None:
    """A score lies inside its measure's range, said in words with the value refused."""
    spec = MEASURES.get(measure)
    if spec is None:
        return f"unknown measure; use one of {', '.join(MEASURES)}"
    if not spec.min_value <= value <= spec.max_value:
        return (
            f"{value} is not a {measure} score: {measure} runs from "
            f"{spec.min_value} to {spec.max_value}"
        )
    return None


def reviewable_problem(status: str, due_on: dt.date, today: dt.date) -> str | None:
    """Only pending homework that was due by today can be reviewed."""
    if status != "pending":
        return f"this homework was already reviewed ({status.replace('_', ' ')})"
    if due_on > today:
        return f"this homework is not due until {due_on:%d %b %Y}"
    return None


Content = tuple[int, int, dt.date, str]  # client_id, type_id, day set, instructions


def identical_assignments(conn: Connection, contents: list[Content]) -> dict[Content, dict]:
    """For each (client, type, day set, instructions), the stored assignment identical to it
    (instructions compared without surrounding spaces); one query for a whole batch."""
    wanted = {(c, t, d, text.strip()) for c, t, d, text in contents}
    if not wanted:
        return {}
    query = (
        select(
            Assignment.id,
            Assignment.external_id,
            Assignment.client_id,
            Assignment.type_id,
            AssignmentType.name.label("type"),
            Assignment.assigned_on,
            Assignment.due_on,
            Assignment.instructions,
        )
        .join(AssignmentType, AssignmentType.id == Assignment.type_id)
        .where(
            tuple_(Assignment.client_id, Assignment.type_id, Assignment.assigned_on).in_(
                sorted({(c, t, d) for c, t, d, _ in wanted})
            )
        )
        .order_by(Assignment.id)
    )
    found: dict[Content, dict] = {}
    for row in conn.execute(query).mappings():
        key = (row["client_id"], row["type_id"], row["assigned_on"], row["instructions"].strip())
        if key in wanted:
            found.setdefault(key, dict(row))
    return found


def identical_assignment(conn: Connection, content: Content) -> dict | None:
    """The stored assignment identical to this one, or None."""
    client_id, type_id, day, text = content
    return identical_assignments(conn, [content]).get((client_id, type_id, day, text.strip()))


def identical_message(existing: dict) -> str:
    """The refusal naming the assignment already stored."""
    name = existing["external_id"] or f"bs-{existing['id']}"
    return (
        f"identical homework is already stored: {existing['type']} set "
        f"{existing['assigned_on']:%d %b %Y}, due {existing['due_on']:%d %b %Y} ({name})"
    )
