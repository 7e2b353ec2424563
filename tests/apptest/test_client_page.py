"""The client page in Streamlit's AppTest: what a clinician reads, and what the audit log keeps.

Dates are relative to the real today, because the page asks the clock what day it is.
"""

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_access.schema import AuditEvent
from tests.builders import Practice

TODAY = dt.date.today()
PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "client.py")


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def practice(sqlite_engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    p = Practice(sqlite_engine)
    p.dana = p.clinician("Dana Doc")
    p.olly = p.clinician("Olly Other")
    return p


def open_page(p, code=None, viewer=None, **params):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["viewer"] = p.viewer(viewer or p.dana)
    if code:
        at.query_params["client"] = code
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def metrics(at):
    return {m.label: m.value for m in at.metric}


def shown_text(at):
    """Every piece of text on the page, for 'is it there / is it absent' checks."""
    parts = [e.value for e in (*at.title, *at.markdown, *at.caption, *at.info, *at.error)]
    parts += [e.value for e in (*at.warning, *at.success)]
    return "\n".join(str(part) for part in parts)


def audit_events(p):
    with p.engine.connect() as conn:
        rows = conn.execute(
            select(AuditEvent.actor_email, AuditEvent.action, AuditEvent.client_code)
        ).all()
    return [tuple(row) for row in rows]


def test_a_typical_client_shows_headline_numbers_flags_and_is_audited_once(practice):
    p = practice
    c = p.client(p.dana, intake=ago(70))  # C-0001, 10 weeks in treatment
    for days, attendance in [(70, "attended"), (63, "attended"), (56, "attended")]:
        p.session(c, ago(days), attendance)
    p.session(c, ago(14), "no_show")
    p.session(c, ago(7), "no_show")
    # 5 reviewed: 3 completed, 1 partial, 1 not done -> (3 + 0.5) / 5 = 70 %
    for days, status, kind in [
        (70, "completed", "Thought Record"),
        (70, "partial", "Daily Mood Log"),
        (63, "completed", "Thought Record"),
        (56, "not_done", "Exposure Practice"),
        (56, "completed", "Thought Record"),
    ]:
        p.assignment(c, ago(days), status, kind, reviewed=ago(days - 7), instructions="Notice")
    p.score(c, "PHQ-9", 16, ago(70))  # 16 -> 9: 7 better, a case that is no longer one
    p.score(c, "PHQ-9", 9, ago(7))
    p.client(p.olly)  # C-0002: not Dana's, so not in her picker

    at = open_page(p, "C-0001")
    assert not at.exception
    assert at.title[0].value == "Client C-0001"
    shown = metrics(at)
    assert shown["Status"] == "Active"
    assert shown["Weeks in treatment"] == "10"
    assert shown["Attended / missed"] == "3 / 2"
    assert shown["Completion (n=5)"] == "70 %"
    assert shown["Baseline"] == "16" and shown["Latest"] == "9"
    assert shown["Change (points)"] == "7 better"
    text = shown_text(at)
    assert "**Reliable recovery** (2 scores)" in text
    assert "**Repeated no-shows**: 2 or more no-shows in a row" in text
    assert "No GAD-7 scores yet" in text
    assert at.selectbox[0].options == ["C-0001"]
    assert at.selectbox[0].value == "C-0001"

    at.run()  # a rerun (any click) is not a new view
    assert audit_events(p) == [("dana.doc@example.org", "view_client", "C-0001")]


def test_the_assignment_table_filters_and_its_download_is_audited(practice):
    p = practice
    c = p.client(p.dana, intake=ago(30))
    p.assignment(c, ago(20), "completed", "Thought Record", reviewed=ago(13))
    p.assignment(c, ago(20), "not_done", "Exposure Practice", reviewed=ago(13))
    p.assignment(c, ago(10), "pending", "Thought Record")  # due 3 days ago: overdue
    at = open_page(p, "C-0001")
    table = at.dataframe[0].value
    assert table["Status"].tolist() == ["▲ Overdue", "✕ Not done", "● Completed"]
    at.multiselect[1].select("Thought Record").run()
    assert at.dataframe[0].value["Type"].tolist() == ["Thought Record", "Thought Record"]
    assert at.download_button[0].label == "Download these 2 assignments (CSV)"
    at.download_button[0].click().run()
    assert ("dana.doc@example.org", "export", "C-0001") in audit_events(p)


def test_a_brand_new_client_shows_empty_states_not_errors(practice):
    p = practice
    p.client(p.dana, intake=TODAY)
    at = open_page(p, "C-0001")
    assert not at.exception
    shown = metrics(at)
    assert shown["Weeks in treatment"] == "0"
    assert shown["Completion (n=0)"] == "too few"
    assert shown["Attended / missed"] == "0 / 0"
    text = shown_text(at)
    assert "No mood or symptom scores recorded yet in this period." in text
    assert "No homework set in this period." in text
    assert "No assignments in this period." in text
    assert "No needs-attention flags today." in text


def test_a_client_with_one_score_has_no_change_to_judge(practice):
    p = practice
    c = p.client(p.dana, intake=ago(10))
    p.score(c, "PHQ-9", 12, ago(3))
    at = open_page(p, "C-0001")
    assert not at.exception
    shown = metrics(at)
    assert shown["Baseline"] == "12" and shown["Latest"] == "12"
    assert "Change (points)" not in shown
    assert "**Only one score so far: no change to judge yet** (1 score)" in shown_text(at)


def test_only_pending_homework_reads_too_few_and_lists_the_tasks(practice):
    p = practice
    c = p.client(p.dana, intake=ago(5))
    p.assignment(c, ago(2), "pending", "Thought Record")
    p.assignment(c, ago(1), "pending", "Activity Scheduling")
    at = open_page(p, "C-0001")
    assert not at.exception
    assert metrics(at)["Completion (n=0)"] == "too few"
    assert metrics(at)["Assignments due in the dates"] == "2"
    assert at.dataframe[0].value["Status"].tolist() == ["○ Pending", "○ Pending"]
    table = at.dataframe[0].value
    assert table["Reviewed"].tolist() == ["not yet", "not yet"]  # never a literal "None"
    assert not table.astype(str).isin(["None", "<NA>", "nan"]).any().any()


def test_a_discharged_client_says_so_and_raises_no_flags(practice):
    p = practice
    c = p.client(p.dana, intake=ago(200), discharged=ago(60))
    p.session(c, ago(80), "no_show")
    p.session(c, ago(73), "no_show")
    at = open_page(p, "C-0001")
    assert not at.exception
    assert metrics(at)["Status"] == "Discharged"
    assert metrics(at)["Weeks in treatment"] == "20"  # 140 days from intake to discharge
    assert "flags are raised only for active clients" in shown_text(at)
    assert not at.warning


def test_a_client_outside_the_viewers_scope_is_not_available_and_the_attempt_is_audited(
    practice,
):
    p = practice
    theirs = p.client(p.olly, code="C-0777")
    p.score(theirs, "PHQ-9", 21, ago(3))
    p.client(p.dana, code="C-0001")
    at = open_page(p, "C-0777")
    assert not at.exception
    assert at.error[0].value.startswith("This client is not available")
    assert "C-0777" not in shown_text(at)
    assert "Olly" not in shown_text(at)
    assert not at.metric and not at.dataframe
    assert at.selectbox[0].value is None  # the picker offers only Dana's clients
    at.run()
    assert audit_events(p) == [("dana.doc@example.org", "denied", "C-0777")]


def test_the_date_range_comes_from_the_url(practice):
    p = practice
    c = p.client(p.dana, intake=ago(100))
    p.score(c, "PHQ-9", 20, ago(100))
    p.score(c, "PHQ-9", 14, ago(50))
    p.score(c, "PHQ-9", 8, ago(10))
    at = open_page(p, "C-0001", **{"from": ago(60).isoformat()})
    assert at.date_input[0].value == ago(60)
    shown = metrics(at)
    assert (shown["Baseline"], shown["Latest"], shown["Change (points)"]) == ("14", "8", "6 better")
    assert at.query_params["from"] == ago(60).isoformat()


def test_without_a_client_the_page_asks_for_one(practice):
    p = practice
    p.client(p.dana)
    at = open_page(p)
    assert at.info[0].value.startswith("Pick a client")
    assert audit_events(p) == []


def test_picking_a_client_opens_it_and_puts_it_in_the_url(practice):
    p = practice
    p.client(p.dana)
    p.client(p.dana)
    at = open_page(p)
    at.selectbox[0].select("C-0002").run()
    assert at.title[0].value == "Client C-0002"
    assert at.query_params["client"] == "C-0002"
