"""The client page in Streamlit's AppTest: what a clinician reads, and what the audit log keeps.

Dates are relative to the real today, because the page asks the clock what day it is.
"""

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_access.store.schema import Assignment, AuditEvent
from tests.builders import Practice
from tests.pagetest import as_shown, capture_downloads, sign_in_as

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
    sign_in_as(at, p.viewer(viewer or p.dana))
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
    # nobody in this practice has 3 or more PHQ-9s: no expected band, and the page says why
    assert (
        "Too little history for an expected PHQ-9 response: 0 clients have 3 or more scores; "
        "at least 100 are needed." in text
    )
    assert "No GAD-7 scores yet" in text
    picker = at.sidebar.selectbox[0]
    assert picker.options == [f"C-0001 · last {ago(7):%d %b} · ⚑"]  # the flag mark
    assert picker.value == "C-0001"

    at.run()  # a rerun (any click) is not a new view
    assert audit_events(p) == [("dana.doc@example.org", "view_client", "C-0001")]


def test_the_assignment_table_filters_and_its_download_is_made_and_audited_on_click(
    practice, monkeypatch
):
    p = practice
    downloads = capture_downloads(monkeypatch)
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
    # Drawn, the button publishes no file: nothing to fetch, nothing audited yet.
    assert at.download_button[0].proto.deferred_file_id and not at.download_button[0].proto.url
    assert ("dana.doc@example.org", "export", "C-0001") not in audit_events(p)
    csv = downloads[-1]().decode()  # the click
    assert csv.count("Thought Record") == 2 and "Exposure Practice" not in csv
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
    assert at.sidebar.date_input[0].value == ago(60)
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
    at.sidebar.selectbox[0].select("C-0002").run()
    assert at.title[0].value == "Client C-0002"
    assert at.query_params["client"] == "C-0002"


def test_tampered_link_parameters_get_a_plain_note_never_a_traceback(practice):
    p = practice
    p.client(p.dana, intake=ago(30))
    at = open_page(p, "C-0001", **{"from": "9999-12-31", "to": "0001-01-01"})
    assert not at.exception
    assert at.title[0].value == "Client C-0001"
    assert at.warning[0].value == (
        "The link's 'from' date is after its 'to' date, so the whole course is shown."
    )
    at = open_page(p, "C-0001", **{"from": "yesterday"})
    assert not at.exception
    assert "The link's 'from' is not a date (YYYY-MM-DD), so it is left out." in shown_text(at)
    at = open_page(p, "[C-0001](http://outside.example)")
    assert not at.exception
    assert "The link's client code is not a valid code, so no client is picked." in shown_text(at)
    assert "outside.example" not in shown_text(at)


def test_a_risk_item_is_a_red_banner_first_and_a_review_keeps_it_marked_reviewed(practice):
    """PHQ-9 of 11 with item 9 = 2 three days ago: the banner quotes the item, the answer and
    the date; marking it reviewed with a note keeps it on the page, marked with who and when."""
    p = practice
    c = p.client(p.dana, intake=ago(30))
    p.score(c, "PHQ-9", 11, ago(3), items=[1, 1, 1, 1, 1, 1, 1, 2, 2])
    at = open_page(p, "C-0001")
    assert not at.exception
    banner = at.error[0].value
    assert banner.startswith("**Risk item**: PHQ-9 item 9")
    assert "Thoughts that you would be better off dead, or of hurting yourself" in banner
    assert f'"more than half the days" (2 of 3) on {ago(3):%d %b %Y}' in banner
    assert "Not reviewed yet." in banner
    at.text_area(key="risk_note").input("Safety plan reviewed by phone")
    at.button[0].click().run()
    assert not at.exception
    banner = at.error[0].value
    assert banner.startswith("**Risk item (reviewed)**")
    assert f"Reviewed by Dana Doc on {TODAY:%d %b %Y}" in banner
    assert [t.value for t in at.text] == ["Review note: Safety plan reviewed by phone"]
    assert ("dana.doc@example.org", "record", "C-0001") in audit_events(p)


# ---------------------------------------------------------------- the clinician's loop (#15)


@pytest.fixture
def loop(practice):  # noqa: ANN001, ANN201
    """C-0001 of Dana's: seen a week ago, when a Thought Record was set (due today); the four
    reviews before were one done out of four, at difficulty 4 and 5; booked today."""
    p = practice
    c = p.client(p.dana, intake=ago(70))
    for days in (35, 28, 21, 14, 7):
        p.session(c, ago(days))
    reviewed = [
        ("completed", "Daily Mood Log", 4), ("not_done", "Exposure Practice", 5),
        ("not_done", "Exposure Practice", 5), ("not_done", "Daily Mood Log", 4),
    ]  # fmt: skip
    for days, (status, kind, difficulty) in zip((35, 28, 21, 14), reviewed, strict=True):
        p.assignment(c, ago(days), status, kind, difficulty=difficulty,
                     reviewed=ago(days - 7), instructions=f"{kind} {days}")  # fmt: skip
    p.assignment(c, ago(7), type_name="Thought Record", due=TODAY, instructions="One record")
    p.session(c, TODAY, "scheduled")
    p.score(c, "PHQ-9", 14, ago(35))
    p.score(c, "PHQ-9", 11, ago(7))
    return p


def count_assignments(p) -> int:  # noqa: ANN001
    with p.engine.connect() as conn:
        return len(conn.execute(select(Assignment.id)).all())


def test_since_the_last_session_comes_first_in_words(loop):  # noqa: ANN001
    at = open_page(loop, "C-0001")
    assert at.subheader[0].value == "Since the last session"
    text = shown_text(at)
    assert f"**Last session:** {ago(7):%a} {ago(7).day} {ago(7):%b} (attended)" in text
    assert "**Next session:** today" in text
    assert f"Thought Record — not reviewed yet, due {TODAY.day} {TODAY:%b}" in text
    assert f"PHQ-9 **11** moderate · 3 better ({ago(7):%d %b})" in text


def test_what_to_set_next_says_which_rule_produced_it(loop):  # noqa: ANN001
    text = as_shown(shown_text(open_page(loop, "C-0001")))  # type names are shown escaped
    # Daily Mood Log: 1 done of 2 reviewed (50 %); Exposure Practice: 0 of 2 (0 %).
    assert "Daily Mood Log is what this client completes most: 50 % done (n=2)." in text
    assert "Exposure Practice is done least: 0 % (n=2); if you set it, make it small." in text
    assert "Make the next one smaller and easier: difficulty 1–2, due in fewer days." in text
    assert "only 1 of the last 4 reviewed were done and they were set at difficulty 4.5" in text


def test_setting_homework_refuses_blank_and_identical_and_writes_nothing(loop):  # noqa: ANN001
    at = open_page(loop, "C-0001")
    before = count_assignments(loop)
    form_button = [b for b in at.button if b.label == "Save homework"][0]
    form_button.click().run()
    assert [e.value for e in at.error] == [
        "**Instructions**: write what the client will do (instructions cannot be blank)"
    ]
    assert count_assignments(loop) == before
    at.text_area[0].input("One record")
    at.selectbox(key="hw_type_C-0001").set_value("Thought Record")
    at.date_input(key="hw_set_C-0001").set_value(ago(7))
    [b for b in at.button if b.label == "Save homework"][0].click().run()
    assert at.error[0].value.startswith(
        "**Instructions**: identical homework is already stored: Thought Record set"
    )
    assert count_assignments(loop) == before
    at.text_area[0].input("One record")
    at.selectbox(key="hw_type_C-0001").set_value("Thought Record")
    at.date_input(key="hw_set_C-0001").set_value(TODAY)
    [b for b in at.button if b.label == "Save homework"][0].click().run()
    assert saved(at)[0].startswith("Saved: Thought Record for C-0001, due")
    assert at.text_area[0].value == ""  # the form is cleared after the save
    assert count_assignments(loop) == before + 1


def test_only_homework_due_by_today_is_offered_for_review_with_no_status_chosen(loop):  # noqa: ANN001
    at = open_page(loop, "C-0001")
    status = at.radio(key=f"review_{_thought_record(loop)}_status")
    assert status.value is None
    assert len([r for r in at.radio if r.label == "Status"]) == 1  # the reviewed four are not
    status.set_value("completed")
    [b for b in at.button if b.label == "Save review"][0].click().run()
    assert saved(at) == [f"Saved: Thought Record reviewed as completed on {TODAY:%d %b %Y}."]
    assert [b.label for b in at.button if b.label.startswith("Undo")] == [
        f"Undo my last entry (homework review of C-0001, {_last_at(loop):%H:%M} UTC)"
    ]


def saved(at) -> list[str]:  # noqa: ANN001
    return [s.value for s in at.success if s.value.startswith("Saved")]


def _thought_record(p) -> int:  # noqa: ANN001
    with p.engine.connect() as conn:
        return conn.execute(
            select(Assignment.id).where(Assignment.instructions == "One record")
        ).scalar_one()


def _last_at(p):  # noqa: ANN001, ANN202
    with p.engine.connect() as conn:
        return conn.execute(select(AuditEvent.at).order_by(AuditEvent.id.desc())).first()[0]
