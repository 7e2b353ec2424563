"""How the clinician's pages say things: booked days, contacts, scores and flags in words.

Pure functions over the rows `data_access.reads.my_clients` returns, so they are unit-tested
without Streamlit. Every value from the database is shown as plain text (markdown escaped).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from dashboard.flag_words import flag_labels
from dashboard.plain_text import md
from dashboard.words import change_words, percent
from data_access.reads.flags import RaisedFlag
from data_access.reads.metrics import HARD_DIFFICULTY, RECENT_REVIEWED
from data_access.reads.since_last import MIN_REVIEWED_PER_TYPE, Suggestion

WHEN_CHOICES = ("All", "Session today", "This week")
STATUS_WORDS = {"completed": "done", "partial": "partly done", "not_done": "not done"}



def day_words(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def when_words(day: dt.date | None, today: dt.date) -> str:
    """A booked day relative to today: 'today', 'tomorrow', 'Tue 1 Dec', or 'none booked'."""
    if day is None:
        return "none booked"
    if day == today:
        return "today"
    if day == today + dt.timedelta(days=1):
        return "tomorrow"
    return day_words(day)


def is_this_week(day: dt.date | None, today: dt.date) -> bool:
    """Booked within the next 7 days, today included (the "This week" filter)."""
    return day is not None and today <= day < today + dt.timedelta(days=7)


def attendance_words(attendance: str | None) -> str:
    return {"no_show": "no-show", None: "—"}.get(attendance, attendance or "—")


def days_ago(days: int | None) -> str:
    if days is None or pd.isna(days):
        return ""
    return {0: "today", 1: "yesterday"}.get(int(days), f"{int(days)} days ago")


def next_session_cell(row: pd.Series, today: dt.date) -> str:
    """Next booking in words, with a booked day that passed unrecorded said first."""
    words = when_words(row["next_session"], today)
    text = f"**{words}**" if row["next_session"] == today else words
    if row["unrecorded_session"] is not None:
        text = f"{day_words(row['unrecorded_session'])} not recorded  \n{text}"
    return text


def contact_cell(row: pd.Series) -> str:
    """Last recorded session and how long ago: 'Thu 19 Nov, attended  7 days ago'."""
    if row["last_contact"] is None:
        return "no session yet"
    return (
        f"{day_words(row['last_contact'])}, {attendance_words(row['last_attendance'])}  \n"
        f"**{days_ago(row['days_since_contact'])}**"
    )


def score_cell(row: pd.Series, measure: str) -> str:
    """'11 moderate · 5 better', or 'no score'."""
    value = row[measure]
    if value is None or pd.isna(value):
        return "no score"
    return f"**{int(value)}** {row[f'{measure} band']} · {change_cell(row[f'{measure} change'])}"


def change_cell(change: float | None) -> str:
    """The change since baseline in words, or 'first score' when there is none yet."""
    return "first score" if change is None or pd.isna(change) else change_words(float(change))


def _on_day(day: dt.date) -> str:
    return f"{day.day} {day:%b}"


def homework_words(
    n: int,
    done: int,
    partly: int,
    pending: int,
    first: tuple[str, str, dt.date] | None,
    pending_due: dt.date | None,
    today: dt.date,
) -> str:
    """What was set since the last attended session and how it went, in words.

    `first` is (type, status, due_on) of the only item when `n` is 1. One item reads
    "Thought Record — not reviewed yet, due 26 Nov"; several read "2 of 3 done", with what is
    partly done or still to review.
    """
    if n == 0:
        return "none set since the last session"
    if n == 1 and first is not None:
        kind, status, due_on = first
        if status == "pending":
            due = "was due" if due_on < today else "due"
            return f"{kind} — not reviewed yet, {due} {_on_day(due_on)}"
        return f"{kind} — {STATUS_WORDS[status]}"
    if pending == n:
        return f"{n} set — not reviewed yet, due {_on_day(pending_due)}"
    words = f"{done} of {n} done"
    if partly:
        words += f", {partly} partly"
    if pending:
        words += f", {pending} not reviewed yet (due {_on_day(pending_due)})"
    return words


def homework_cell(row: pd.Series, today: dt.date) -> str:
    """The homework since the last attended session of a `my_clients` row, in words."""
    if row["last_attended"] is None:
        return "no session attended yet"
    first = (row["hw_type"], row["hw_status"], row["hw_due"]) if row["hw_set"] == 1 else None
    return homework_words(
        int(row["hw_set"]), int(row["hw_done"]), int(row["hw_partly"]), int(row["hw_pending"]),
        first, row["hw_pending_due"], today,
    )  # fmt: skip


def flags_cell(flags: Sequence[RaisedFlag]) -> str:
    """A `my_clients` row's flags by name, worst first, after a red flag mark; '—' if none."""
    return f":red[⚑] {md(flag_labels(flags))}" if flags else "—"


def shown_rows(table: pd.DataFrame, find: str, when: str, today: dt.date) -> pd.DataFrame:
    """The rows whose code contains `find` (any case) and whose next session fits `when`."""
    rows = table
    if find.strip():
        rows = rows[rows["client_code"].str.contains(find.strip(), case=False, regex=False)]
    if when == "Session today":
        rows = rows[[day == today for day in rows["next_session"]]]
    elif when == "This week":
        rows = rows[[is_this_week(day, today) for day in rows["next_session"]]]
    return rows


def choice_label(row: pd.Series) -> str:
    """A picker entry: 'C-0042 · last 19 Nov · ⚑', discharged clients marked."""
    parts = [row["client_code"]]
    parts.append(f"last {row['last_session']:%d %b}" if row["last_session"] else "no session yet")
    if not row["active"]:
        parts.append("discharged")
    if row["flagged"]:
        parts.append("⚑")
    return " · ".join(parts)


def suggestion_words(idea: Suggestion) -> tuple[str, str]:
    """(the suggestion, the rule behind it) in words, from `since_last.what_to_set_next`."""
    if idea.kind == "most_done":
        return (
            f"{idea.type} is what this client completes most: {percent(idea.rate)} done "
            f"(n={idea.reviewed}).",
            "Completion by type over this client's reviewed homework (types with "
            f"{MIN_REVIEWED_PER_TYPE} or more reviews).",
        )
    if idea.kind == "least_done":
        return (
            f"{idea.type} is done least: {percent(idea.rate)} (n={idea.reviewed}); if you set "
            "it, make it small.",
            "The same completion by type, lowest first.",
        )
    why = []
    if idea.done is not None:
        why.append(f"only {idea.done:g} of the last {RECENT_REVIEWED} reviewed were done")
    if idea.difficulty is not None:
        why.append(f"they were set at difficulty {idea.difficulty:.1f} on average")
    return (
        "Make the next one smaller and easier: difficulty 1–2, due in fewer days.",
        f"The last {RECENT_REVIEWED} reviewed assignments were mostly not done or set at "
        f"difficulty {HARD_DIFFICULTY} or more: " + " and ".join(why) + ".",
    )
