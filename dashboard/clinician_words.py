"""How the clinician's pages say things: booked days, contacts, scores and flags in words.

Pure functions over the rows `data_access.reads.my_clients` returns, so they are unit-tested
without Streamlit. Every value from the database is shown as plain text (markdown escaped).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.plain_text import md

WHEN_CHOICES = ("All", "Session today", "This week")



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
    return f"**{int(value)}** {row[f'{measure} band']} · {row[f'{measure} change']}"


def flags_cell(flags: str) -> str:
    return f":red[⚑] {md(flags)}" if flags else "—"


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
