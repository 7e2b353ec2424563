""" "My clients": one row per active client of the viewer's own caseload, in words a clinician
reads at 9 a.m. Today is Thursday 26 Nov 2026.

Ben treats three active clients and one discharged; Sam supervises Ben and treats C-0005.
- C-0001: attended 19 Nov (Thought Record set, due 26 Nov, not reviewed yet), booked today;
  PHQ-9 16 -> 11 (5 better, moderate), GAD-7 8 -> 10 (2 worse, moderate).
- C-0002: attended 12 Nov (three tasks: two done, one not done), no-shows 16 and 19 Nov,
  booked 1 Dec; a booking of 23 Nov that nobody recorded.
- C-0003: attended 5 Nov and nothing set, no booking.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from dashboard.clinician_words import homework_cell, score_cell
from dashboard.flag_words import flag_labels
from data_access.reads.caseload import attention_list, last_contact, with_contact
from data_access.reads.filters import Filters
from data_access.reads.my_clients import my_clients
from data_access.reads.scope import scope_of
from tests.builders import D, Practice

TODAY = D(2026, 11, 26)


@pytest.fixture
def practice(engine: Engine) -> dict:
    p = Practice(engine)
    sam = p.clinician("Sam Boss", role="supervisor")
    ben = p.clinician("Ben Lindqvist", supervisor=sam)
    one = p.client(ben, intake=D(2026, 10, 1), code="C-0001")
    two = p.client(ben, intake=D(2026, 10, 1), code="C-0002")
    three = p.client(ben, intake=D(2026, 10, 1), code="C-0003")
    p.client(ben, intake=D(2026, 9, 1), discharged=D(2026, 11, 1), code="C-0004")
    five = p.client(sam, intake=D(2026, 10, 1), code="C-0005")
    p.session(one, D(2026, 11, 19))
    p.assignment(one, D(2026, 11, 19), due=D(2026, 11, 26), instructions="One record")
    p.session(one, TODAY, attendance="scheduled")
    p.score(one, "PHQ-9", 16, D(2026, 10, 1))
    p.score(one, "PHQ-9", 11, D(2026, 11, 19))
    p.score(one, "GAD-7", 8, D(2026, 10, 1))
    p.score(one, "GAD-7", 10, D(2026, 11, 19))
    p.session(two, D(2026, 11, 12))
    for status in ("completed", "completed", "not_done"):
        p.assignment(two, D(2026, 11, 12), status=status, reviewed=D(2026, 11, 19),
                     type_name="Daily Mood Log", instructions=status)  # fmt: skip
    p.session(two, D(2026, 11, 16), attendance="no_show")
    p.session(two, D(2026, 11, 19), attendance="no_show")
    p.session(two, D(2026, 11, 23), attendance="scheduled")
    p.session(two, D(2026, 12, 1), attendance="scheduled")
    p.session(three, D(2026, 11, 5))
    p.session(five, D(2026, 11, 20))
    return {"ben": p.viewer(ben), "sam": p.viewer(sam), "engine": engine}


def rows(engine: Engine, viewer, team: bool = False) -> list[dict]:
    with engine.connect() as conn:
        return my_clients(conn, viewer, TODAY, team=team).to_dict("records")


def test_each_active_client_reads_in_words_next_session_first(practice: dict):
    table = rows(practice["engine"], practice["ben"])
    assert [r["client_code"] for r in table] == ["C-0001", "C-0002", "C-0003"]
    one, two, three = table
    assert (one["next_session"], one["last_contact"], one["last_attendance"]) == (
        TODAY,
        D(2026, 11, 19),
        "attended",
    )
    assert one["days_since_contact"] == 7
    assert (one["hw_set"], one["hw_pending"], one["hw_due"]) == (1, 1, TODAY)
    assert homework_cell(one, TODAY) == "Thought Record — not reviewed yet, due 26 Nov"
    assert (one["PHQ-9"], one["PHQ-9 band"], one["PHQ-9 change"]) == (11, "moderate", 5)
    assert (one["GAD-7"], one["GAD-7 band"], one["GAD-7 change"]) == (10, "moderate", -2)
    assert score_cell(one, "PHQ-9") == "**11** moderate · 5 better"
    assert score_cell(one, "GAD-7") == "**10** moderate · 2 worse"
    # The booking of 23 Nov is no contact: the last contact is the no-show of 19 Nov.
    assert (two["next_session"], two["unrecorded_session"]) == (D(2026, 12, 1), D(2026, 11, 23))
    assert (two["last_contact"], two["last_attendance"]) == (D(2026, 11, 19), "no_show")
    assert (two["hw_set"], two["hw_done"], two["hw_pending"]) == (3, 2, 0)
    assert homework_cell(two, TODAY) == "2 of 3 done"
    # worst first by flags.SEVERITY: no score in 30 days comes before repeated no-shows
    assert flag_labels(two["flags"]) == "No recent score; Repeated no-shows"
    assert three["next_session"] is None and three["hw_set"] == 0
    assert homework_cell(three, TODAY) == "none set since the last session"
    assert three["days_since_contact"] == 21


def test_a_supervisor_sees_their_own_caseload_or_with_the_toggle_their_team(practice: dict):
    assert [r["client_code"] for r in rows(practice["engine"], practice["sam"])] == ["C-0005"]
    team = rows(practice["engine"], practice["sam"], team=True)
    assert sorted(r["client_code"] for r in team) == ["C-0001", "C-0002", "C-0003", "C-0005"]


def test_scheduled_sessions_count_as_neither_attended_nor_missed(practice: dict):
    """C-0002's last two recorded sessions are no-shows; the later bookings change nothing."""
    with practice["engine"].connect() as conn:
        today = Filters(today=TODAY)
        attention = attention_list(conn, scope_of(conn, practice["ben"], today))
        ids = attention["client_id"].tolist()
        attention = with_contact(attention, last_contact(conn, practice["ben"], today, ids))
    two = attention[attention["client_code"] == "C-0002"].iloc[0]
    assert "Repeated no-shows" in flag_labels(two["flags"])
    assert (two["last_session"], two["last_attendance"]) == (D(2026, 11, 19), "no_show")


def test_an_empty_caseload_is_an_empty_table(engine: Engine):
    p = Practice(engine)
    viewer = p.viewer(p.clinician("New Starter"))
    with engine.connect() as conn:
        assert my_clients(conn, viewer, TODAY).empty
    assert isinstance(TODAY, dt.date)
