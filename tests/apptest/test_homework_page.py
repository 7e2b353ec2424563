"""The homework page for each role, on a hand-built practice (Streamlit AppTest)."""

import pytest

from tests.builders import D, Practice
from tests.pagetest import metric_values, open_page, page_text

VIEW = {"from": "2026-03-01", "to": "2026-03-31", "status": "all"}


@pytest.fixture
def practice(sqlite_engine, monkeypatch):
    """Sam supervises Dana; Olly is outside Sam's team. Dana's clients do Thought Records."""
    p = Practice(sqlite_engine)
    sam = p.clinician("Sam Super", role="supervisor")
    dana = p.clinician("Dana Doc", supervisor=sam)
    olly = p.clinician("Olly Other")
    admin = p.clinician("Ada Admin", role="admin")
    for _ in range(6):
        c = p.client(dana)
        for day, status in [(2, "completed"), (9, "completed"), (16, "completed")]:
            p.session(c, D(2026, 3, day))
            p.assignment(c, D(2026, 3, day), status, reviewed=D(2026, 3, day + 7), engagement=3)
        p.score(c, "PHQ-9", 18, D(2026, 3, 2))
        p.score(c, "PHQ-9", 10, D(2026, 3, 30))
    o = p.client(olly)
    p.assignment(
        o, D(2026, 3, 2), "not_done", type_name="Exposure Practice", reviewed=D(2026, 3, 9)
    )
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    return p, {"sam": sam, "dana": dana, "olly": olly, "admin": admin}


def run_page(viewer):
    return open_page("homework", viewer, VIEW)


def test_supervisor_sees_the_team_and_not_other_clinicians(practice):
    p, ids = practice
    at = run_page(p.viewer(ids["sam"]))
    # 6 clients × 3 Thought Records, all completed
    assert metric_values(at) == {
        "Assignments set": "18",
        "Clients with homework": "6",
        "Completion (n=18)": "100 %",
        "Reviewed on time (n=12)": "100 %",
    }
    table = at.dataframe[0].value.set_index("Type")
    assert list(table.index) == ["Thought Record"]
    assert table.loc["Thought Record", "Mean engagement (0–4)"] == "3.0 (n=18)"
    assert "Exposure Practice" not in page_text(at) and "Olly" not in page_text(at)
    assert any("association, not cause" in i.value for i in at.info)
    # each client's 2nd and 3rd Thought Record were set the day the previous one was reviewed
    review = at.dataframe[-1].value.set_index("Clinician")
    assert review.loc["Dana Doc"].to_dict() == {
        "Reviewed on time": "100 % (n=12)",
        "Next homework after a review": "100 % (n=12)",
        "Next homework after no review": "none",
        "Difference": "too few to compare",
    }


def test_clinician_sees_only_their_own_homework(practice):
    p, ids = practice
    at = run_page(p.viewer(ids["olly"]))
    assert metric_values(at)["Assignments set"] == "1"
    assert metric_values(at)["Completion (n=1)"] == "too few"
    table = at.dataframe[0].value
    assert list(table["Type"]) == ["Exposure Practice"]
    assert "Dana" not in page_text(at) and "Thought Record" not in page_text(at)


def test_admin_sees_every_clinician(practice):
    p, ids = practice
    at = run_page(p.viewer(ids["admin"]))
    assert metric_values(at)["Assignments set"] == "19"
    assert set(at.dataframe[0].value["Type"]) == {"Thought Record", "Exposure Practice"}
    on_time = at.dataframe[-1].value.set_index("Clinician")
    assert set(on_time.index) == {"Dana Doc", "All clinicians in view"}  # Olly had no session


def test_a_clinician_without_homework_gets_a_plain_empty_state(practice):
    p, _ = practice
    newcomer = p.clinician("Nina New")
    at = run_page(p.viewer(newcomer))
    assert at.info[0].value.startswith("No homework was set in this view.")
    assert not at.metric


def test_the_supervision_report_is_offered_for_download(practice):
    p, ids = practice
    at = run_page(p.viewer(ids["sam"]))
    buttons = at.get("download_button")
    assert len(buttons) == 1
    assert "Download supervision report (HTML)" in str(buttons[0].proto)
