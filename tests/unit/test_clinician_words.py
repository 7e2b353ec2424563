"""The words of the clinician's pages: bands, changes, booked days, homework since the last
session, and the plain-text rule for anything from the database."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from dashboard.clinician_words import (
    choice_label,
    homework_words,
    is_this_week,
    shown_rows,
    suggestion_words,
    when_words,
)
from dashboard.plain_text import md_html
from dashboard.words import change_words
from data_access.reads.flags import SEVERITY, severity_rank
from data_access.reads.metrics import severity_band
from data_access.reads.since_last import Suggestion

THURSDAY = dt.date(2026, 11, 26)


def test_severity_bands_follow_the_published_cut_offs():
    assert [severity_band("PHQ-9", v) for v in (0, 4, 5, 9, 10, 14, 15, 19, 20, 27)] == [
        "minimal", "minimal", "mild", "mild", "moderate", "moderate",
        "moderately severe", "moderately severe", "severe", "severe",
    ]  # fmt: skip
    assert [severity_band("GAD-7", v) for v in (4, 5, 10, 14, 15, 21)] == [
        "minimal", "mild", "moderate", "moderate", "severe", "severe",
    ]  # fmt: skip
    assert severity_band("MOOD", 7) == ""


def test_changes_read_as_better_or_worse():
    assert (change_words(5), change_words(-2), change_words(0)) == (
        "5 better",
        "2 worse",
        "no change",
    )


def test_booked_days_read_relative_to_today():
    assert when_words(THURSDAY, THURSDAY) == "today"
    assert when_words(THURSDAY + dt.timedelta(days=1), THURSDAY) == "tomorrow"
    assert when_words(dt.date(2026, 12, 1), THURSDAY) == "Tue 1 Dec"
    assert when_words(None, THURSDAY) == "none booked"
    assert is_this_week(THURSDAY + dt.timedelta(days=6), THURSDAY)
    assert not is_this_week(THURSDAY + dt.timedelta(days=7), THURSDAY)
    assert not is_this_week(THURSDAY - dt.timedelta(days=1), THURSDAY)


def test_homework_since_the_last_session_in_words():
    due = dt.date(2026, 11, 26)
    one = ("Thought Record", "pending", due)
    assert homework_words(1, 0, 0, 1, one, due, THURSDAY) == (
        "Thought Record — not reviewed yet, due 26 Nov"
    )
    late = dt.date(2026, 11, 27)
    assert homework_words(1, 0, 0, 1, one, due, late) == (
        "Thought Record — not reviewed yet, was due 26 Nov"
    )
    assert homework_words(1, 1, 0, 0, ("Thought Record", "completed", due), None, THURSDAY) == (
        "Thought Record — done"
    )
    assert homework_words(3, 2, 0, 0, None, None, THURSDAY) == "2 of 3 done"
    assert homework_words(3, 1, 1, 1, None, due, THURSDAY) == (
        "1 of 3 done, 1 partly, 1 not reviewed yet (due 26 Nov)"
    )
    assert homework_words(2, 0, 0, 2, None, due, THURSDAY) == "2 set — not reviewed yet, due 26 Nov"
    assert homework_words(0, 0, 0, 0, None, None, THURSDAY) == "none set since the last session"


def test_flags_sort_worst_first_and_an_unknown_flag_is_never_dropped():
    assert SEVERITY[0] == "risk_item"
    assert sorted(["no_homework", "deterioration", "risk_item"], key=severity_rank) == [
        "risk_item", "deterioration", "no_homework",
    ]  # fmt: skip
    assert severity_rank("a flag added later") == len(SEVERITY)


@given(st.text(max_size=40))
def test_any_text_from_the_database_shows_as_plain_text(text: str):
    shown = md_html(text)
    assert "<" not in shown and ">" not in shown  # no HTML gets through
    for char in "*_`[]#|":
        assert shown.count(char) == shown.count("\\" + char)  # every markdown mark escaped


def test_the_filters_keep_matching_codes_and_booked_days():
    table = pd.DataFrame(
        {
            "client_code": ["C-0001", "C-0002", "X-0100"],
            "next_session": [THURSDAY, THURSDAY + dt.timedelta(days=3), None],
        }
    )
    assert shown_rows(table, "c-00", "All", THURSDAY)["client_code"].tolist() == [
        "C-0001", "C-0002",
    ]  # fmt: skip
    assert shown_rows(table, "", "Session today", THURSDAY)["client_code"].tolist() == ["C-0001"]
    assert shown_rows(table, "", "This week", THURSDAY)["client_code"].tolist() == [
        "C-0001", "C-0002",
    ]  # fmt: skip


def test_a_picker_entry_has_code_last_session_and_flag_mark():
    row = pd.Series(
        {"client_code": "C-0042", "last_session": THURSDAY, "active": True, "flagged": True}
    )
    assert choice_label(row) == "C-0042 · last 26 Nov · ⚑"
    quiet = row.copy()
    quiet["last_session"], quiet["active"], quiet["flagged"] = None, False, False
    assert choice_label(quiet) == "C-0042 · no session yet · discharged"


def test_each_suggestion_is_said_with_the_rule_behind_it():
    most = Suggestion("most_done", "Daily Mood Log", 0.5, 2)
    least = Suggestion("least_done", "Exposure Practice", 0.0, 2)
    smaller = Suggestion("smaller_easier", done=1.0, difficulty=4.5)
    assert suggestion_words(most) == (
        "Daily Mood Log is what this client completes most: 50 % done (n=2).",
        "Completion by type over this client's reviewed homework (types with 2 or more reviews).",
    )
    assert suggestion_words(least)[0] == (
        "Exposure Practice is done least: 0 % (n=2); if you set it, make it small."
    )
    assert suggestion_words(smaller)[1] == (
        "The last 4 reviewed assignments were mostly not done or set at difficulty 4 or more: "
        "only 1 of the last 4 reviewed were done and they were set at difficulty 4.5 on average."
    )
    only_hard = Suggestion("smaller_easier", difficulty=4.0)
    assert suggestion_words(only_hard)[1].endswith(": they were set at difficulty 4.0 on average.")
