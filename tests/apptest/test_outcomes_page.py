"""The outcomes page for each role, on a hand-built practice (Streamlit AppTest)."""

import pytest

from dashboard.on_track_charts import AFTER_FLAG
from tests.builders import D, Practice
from tests.pagetest import metric_values, open_page, page_text

# The view under test, as a link would give it: March 2026, all clients.
VIEW = {"from": "2026-03-01", "to": "2026-03-31", "status": "all"}


@pytest.fixture
def practice(sqlite_engine, monkeypatch):
    """Dana (Sam's supervisee): 6 clients, PHQ-9 18 -> 10 and GAD-7 12 -> 6; Olly: one client."""
    p = Practice(sqlite_engine)
    sam = p.clinician("Sam Super", role="supervisor")
    dana = p.clinician("Dana Doc", supervisor=sam)
    olly = p.clinician("Olly Other")
    admin = p.clinician("Ada Admin", role="admin")
    for _ in range(6):
        c = p.client(dana)
        for day in (2, 9, 16, 23, 30):
            p.session(c, D(2026, 3, day))
        for day in (2, 9, 16, 23, 24):
            p.assignment(c, D(2026, 3, day), "completed", reviewed=D(2026, 3, 30))
        for measure, first, last in (("PHQ-9", 18, 10), ("GAD-7", 12, 6)):
            p.score(c, measure, first, D(2026, 3, 2))
            p.score(c, measure, last, D(2026, 3, 30))
    o = p.client(olly)
    p.score(o, "PHQ-9", 20, D(2026, 3, 2))
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    return p, {"sam": sam, "dana": dana, "olly": olly, "admin": admin}


def run_page(viewer):
    return open_page("outcomes", viewer, VIEW)


def test_supervisor_sees_paired_outcomes_with_coverage_for_the_team(practice):
    p, ids = practice
    at = run_page(p.viewer(ids["sam"]))
    assert metric_values(at) == {
        "Clients in view": "6",
        "With paired scores": "6 of 6",
        "Cases at baseline": "6",
    }
    outcomes_table = at.dataframe[0].value.set_index("Group")
    assert list(outcomes_table.index) == ["All clients in view", "Dana Doc"]
    # PHQ-9 -8 and GAD-7 -6 are reliable; 10 and 6 are below caseness (10 is a case: not recovered)
    assert outcomes_table.loc["Dana Doc", "Reliable improvement"] == "6 of 6 (100 %)"
    assert outcomes_table.loc["Dana Doc", "Recovery"] == "0 of 6 (0 %)"
    assert "Olly" not in page_text(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "Association, not cause" in warnings and "Caseloads differ" in warnings


def test_dose_response_and_correlation_read_too_few_for_a_small_team(practice):
    p, ids = practice
    at = run_page(p.viewer(ids["sam"]))
    bands = next(d.value for d in at.dataframe if "Completion band" in d.value.columns)
    bands = bands.set_index("Completion band")
    assert bands.loc["75–100 %", "Clients"] == 6  # every client completed all 5 (100 %)
    assert bands.loc["75–100 %", "Mean change (95 % CI)"] == "+8.0 (+8.0 to +8.0)"
    assert bands.loc["0–24 %", "Reliable improvement (95 % CI)"] == "too few (n=0)"
    # everyone at 100 %: a correlation is undefined, and the page says why instead of "too few"
    assert "All 6 clients have the same completion rate or the same PHQ-9 change" in page_text(at)


def test_the_measure_switch_shows_gad7(practice):
    p, ids = practice
    at = run_page(p.viewer(ids["sam"]))
    at.radio(key="outcome_measure").set_value("GAD-7").run()
    assert not at.exception
    bands = next(d.value for d in at.dataframe if "Completion band" in d.value.columns)
    bands = bands.set_index("Completion band")
    assert bands.loc["75–100 %", "Mean change (95 % CI)"] == "+6.0 (+6.0 to +6.0)"


def test_clinician_sees_only_their_own_clients_and_too_few(practice):
    p, ids = practice
    at = run_page(p.viewer(ids["olly"]))
    assert metric_values(at)["Clients in view"] == "1"
    assert metric_values(at)["With paired scores"] == "0 of 1"
    table = at.dataframe[0].value.set_index("Group")
    assert list(table.index) == ["All clients in view", "Olly Other"]
    assert table.loc["Olly Other", "Reliable improvement"] == "too few (n=0)"
    assert "Dana" not in page_text(at)


def test_admin_sees_every_clinician(practice):
    p, ids = practice
    at = run_page(p.viewer(ids["admin"]))
    assert metric_values(at)["Clients in view"] == "7"
    groups = list(at.dataframe[0].value["Group"])
    assert groups == ["All clients in view", "Dana Doc", "Olly Other"]
    per_clinician = at.dataframe[-1].value.set_index("Group")
    assert per_clinician.loc["Dana Doc", "Completion of homework due"] == "100 % (n=30)"
    assert per_clinician.loc["Dana Doc", "Homework set at attended sessions"] == "80 % (n=30)"


def test_nobody_in_view_gets_a_plain_empty_state(practice):
    p, _ = practice
    at = run_page(p.viewer(p.clinician("Nina New")))
    assert at.info[0].value.startswith("No clients in this view.")


def test_reference_figures_sit_beside_the_outcomes_labelled_as_other_populations(practice):
    p, ids = practice
    at = run_page(p.viewer(ids["admin"]))
    assert any(e.label.startswith("Reference figures from other populations") for e in at.expander)
    figures = next(d.value for d in at.dataframe if "source" in d.value.columns)
    assert "Mausbach" in " ".join(figures["source"])
    assert any("r = 0.26" in c.value for c in at.caption)


def test_outcome_by_homework_after_the_flag_is_labelled_association_and_needs_history(practice):
    p, ids = practice  # 7 clients: far below the 100 with 3+ scores a band needs
    at = run_page(p.viewer(ids["admin"]))
    subheaders = [s.value for s in at.subheader]
    assert "Not on track: outcome by homework done after the flag" in subheaders
    assert any(c.value.startswith("Association, not cause: clients who keep doing homework")
               for c in at.caption)  # fmt: skip
    assert not any(AFTER_FLAG in d.value.columns for d in at.dataframe)  # no flags, no table
