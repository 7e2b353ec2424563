"""The Data page's forms, run with AppTest: what a clinician sees when a form is refused or saved.

Practice: Ben treats C-0001 (intake 5 Jan 2026) with one pending Thought Record set on
2 Mar 2026; Sam supervises Ben and has no clients of his own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from data_access.store.schema import Assignment, Score, TherapySession
from tests.builders import D, Practice
from tests.pagetest import sign_in_as

TODAY = dt.date.today()
PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "data.py")


@pytest.fixture
def practice(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict:
    p = Practice(sqlite_engine)
    sam = p.clinician("Sam Boss", role="supervisor")
    ben = p.clinician("Ben Lindqvist", supervisor=sam)
    client = p.client(ben, intake=D(2026, 1, 5), code="C-0001")
    p.assignment(client, D(2026, 3, 2), type_name="Thought Record", due=D(2026, 3, 9))
    monkeypatch.setenv("DATABASE_URL", str(sqlite_engine.url))
    return {"engine": sqlite_engine, "ben": p.viewer(ben), "sam": p.viewer(sam)}


def open_page(viewer) -> AppTest:  # noqa: ANN001 - a Viewer
    at = AppTest.from_file(PAGE, default_timeout=60)
    sign_in_as(at, viewer)
    at.run()
    assert not at.exception
    return at


def by_label(widgets, label: str):  # noqa: ANN001, ANN201 - AppTest element lists
    return next(w for w in widgets if w.label == label)


def test_a_refused_homework_says_why_and_saves_nothing(practice: dict):
    at = open_page(practice["ben"])
    by_label(at.date_input, "Due date").set_value(TODAY - dt.timedelta(days=1))
    by_label(at.button, "Save homework").click()
    at.run()
    assert [e.value for e in at.error] == [
        "**Due date**: the due date is before the day it is set",
        "**Instructions**: write what the client will do (instructions cannot be blank)",
    ]
    with practice["engine"].connect() as conn:
        assert len(conn.execute(select(Assignment.id)).all()) == 1


def test_saved_homework_is_confirmed_and_in_the_database(practice: dict):
    at = open_page(practice["ben"])
    by_label(at.selectbox, "Type").set_value("Behavioural Experiment")
    due = TODAY + dt.timedelta(days=5)
    by_label(at.date_input, "Due date").set_value(due)
    by_label(at.text_area, "Instructions").input("Order a coffee and notice what happens")
    by_label(at.button, "Save homework").click()
    at.run()
    assert not at.error
    assert [s.value for s in at.success] == [
        f"Saved: Behavioural Experiment for C-0001, due {due:%d %b %Y}."
    ]
    with practice["engine"].connect() as conn:
        row = conn.execute(
            select(Assignment.status, Assignment.instructions).where(Assignment.due_on == due)
        ).one()
    assert row == ("pending", "Order a coffee and notice what happens")


def test_a_review_is_confirmed_in_words(practice: dict):
    at = open_page(practice["ben"])
    by_label(at.radio, "Status").set_value("partial")
    by_label(at.selectbox, "Engagement (quality of the work)").set_value(2)
    by_label(at.date_input, "Reviewed on").set_value(D(2026, 3, 9))
    by_label(at.button, "Save review").click()
    at.run()
    assert [s.value for s in at.success] == [
        "Saved: Thought Record reviewed as partial on 09 Mar 2026."
    ]
    with practice["engine"].connect() as conn:
        assert conn.execute(select(Assignment.status, Assignment.engagement)).one() == (
            "partial",
            2,
        )


def test_a_review_dated_before_the_homework_is_refused(practice: dict):
    at = open_page(practice["ben"])
    by_label(at.date_input, "Reviewed on").set_value(D(2026, 3, 1))
    assert by_label(at.radio, "Status").value is None  # no status is preselected
    by_label(at.button, "Save review").click()
    at.run()
    assert [e.value for e in at.error] == [
        "**Status**: choose one: completed, partial, not done",
        "**Reviewed on**: the review date is before the homework was set",
    ]


def test_a_session_with_scores_is_saved_and_a_second_on_that_day_refused(practice: dict):
    at = open_page(practice["ben"])
    by_label(at.date_input, "Session date").set_value(D(2026, 3, 16))
    by_label(at.number_input, "PHQ-9 (0–27)").set_value(12)
    by_label(at.number_input, "MOOD (0–10)").set_value(6)
    by_label(at.button, "Save session").click()
    at.run()
    assert [s.value for s in at.success] == [
        "Saved: session on 16 Mar 2026 (attended) with PHQ-9 12, MOOD 6."
    ]
    assert by_label(at.number_input, "PHQ-9 (0–27)").value is None  # the form is cleared
    by_label(at.date_input, "Session date").set_value(D(2026, 3, 16))
    by_label(at.number_input, "PHQ-9 (0–27)").set_value(11)
    by_label(at.button, "Save session").click()
    at.run()
    assert [e.value for e in at.error] == [  # the score's reason beside its field, then the rest
        "a PHQ-9 score of 12 is already recorded for 16 Mar 2026; "
        "there is one score per measure and day",
        "**Session date**: this client already has a session on that date",
    ]
    with practice["engine"].connect() as conn:
        assert len(conn.execute(select(TherapySession.id)).all()) == 1
        assert sorted(conn.execute(select(Score.measure, Score.value)).all()) == [
            ("MOOD", 6),
            ("PHQ-9", 12),
        ]


def test_scores_in_the_future_are_refused(practice: dict):
    at = open_page(practice["ben"])
    forms_date = [d for d in at.date_input if d.label == "Date"][0]
    forms_date.set_value(TODAY + dt.timedelta(days=2))
    [n for n in at.number_input if n.key == "between_MOOD"][0].set_value(7)
    by_label(at.button, "Save scores").click()
    at.run()
    assert [e.value for e in at.error] == ["**Date**: this date is in the future"]


def test_someone_without_clients_of_their_own_is_told_why_there_is_nothing_to_record(
    practice: dict,
):
    at = open_page(practice["sam"])
    assert at.info[0].value.startswith("You have no clients of your own")
    assert "Import" in [t.label for t in at.tabs]
    assert "clinicians" not in by_label(at.selectbox, "What the file holds").options


def test_a_refused_score_says_why_beside_its_field(practice: dict):
    at = open_page(practice["ben"])
    by_label(at.date_input, "Session date").set_value(D(2026, 3, 16))
    by_label(at.number_input, "PHQ-9 (0–27)").set_value(30)
    by_label(at.button, "Save session").click()
    at.run()
    assert [e.value for e in at.error] == ["30 is not a PHQ-9 score: PHQ-9 runs from 0 to 27"]
    with practice["engine"].connect() as conn:
        assert conn.execute(select(TherapySession.id)).all() == []


def test_an_identical_homework_is_refused_and_the_last_entry_can_be_undone(practice: dict):
    at = open_page(practice["ben"])
    for _ in range(2):
        by_label(at.text_area, "Instructions").input("One small walk")
        by_label(at.button, "Save homework").click()
        at.run()
    assert at.error[0].value.startswith(
        "**Instructions**: identical homework is already stored: Daily Mood Log set"
    )
    with practice["engine"].connect() as conn:
        assert len(conn.execute(select(Assignment.id)).all()) == 2
    undo = [b for b in at.button if b.label.startswith("Undo my last entry")][0]
    assert "homework set of C-0001" in undo.label
    undo.click()
    at.run()
    assert [s.value for s in at.success] == ["Undone: homework set of C-0001."]
    with practice["engine"].connect() as conn:
        assert len(conn.execute(select(Assignment.id)).all()) == 1


def test_phq9_items_alone_save_their_sum_and_a_wrong_sum_is_refused(practice: dict):
    """Between sessions: items 1,1,1,1,1,1,1,1,2 with the score left empty save PHQ-9 10;
    the same items with a score of 11 are refused and nothing is saved."""
    answers = [1, 1, 1, 1, 1, 1, 1, 1, 2]
    at = open_page(practice["ben"])
    for n, value in enumerate(answers, start=1):
        at.number_input(key=f"between_PHQ-9_item_{n}").set_value(value)
    at.number_input(key="between_PHQ-9").set_value(11)
    by_label(at.button, "Save scores").click()
    at.run()
    assert [e.value for e in at.error] == [
        "**PHQ-9 items**: the items add up to 10, not to the score 11"
    ]
    at.number_input(key="between_PHQ-9").set_value(None)
    by_label(at.button, "Save scores").click()
    at.run()
    assert not at.error
    with practice["engine"].connect() as conn:
        saved = conn.execute(select(Score.measure, Score.value, Score.item_9)).all()
    assert [tuple(r) for r in saved] == [("PHQ-9", 10, 2)]
