"""The overview page for each role, on the hand-built practice of tests/practice_example.py.

Pages run with the real "today", so the practice is shifted by whole weeks until its "1 June"
is this week's Monday; the URL chooses the period 4–31 May (shifted) and all clients.
"""

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_access.store.schema import monday_of
from tests.pagetest import sign_in_as
from tests.practice_example import TODAY, build_practice

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "overview.py")
SHIFT = monday_of(dt.date.today()) - TODAY


def day(month: int, dom: int) -> dt.date:
    return dt.date(2026, month, dom) + SHIFT


@pytest.fixture
def practice(sqlite_engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(sqlite_engine.url))
    return build_practice(sqlite_engine, SHIFT)


def open_overview(practice, who: str, status: str = "all") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    sign_in_as(at, practice.viewer(practice.ids[who]))
    at.query_params["from"] = day(5, 4).isoformat()
    at.query_params["to"] = day(5, 31).isoformat()
    at.query_params["status"] = status
    at.run()
    assert not at.exception, at.exception
    return at


def headline(at: AppTest) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_admin_sees_the_whole_practice_with_changes_against_april(practice):
    at = open_overview(practice, "ada")
    assert headline(at) == {
        "Active clients": ("4", "+1 vs before"),
        "Sessions attended": ("8", "+7 vs before"),
        # 6 of 8 attended sessions; April had 1 session: too few to compare, so no change
        "Homework set (n=8)": ("75 %", ""),
        "Assignments set": ("8", "+7 vs before"),
        "Completion (n=6)": ("75 %", ""),  # (4 + ½) / 6
        "Reliably improved (n=2)": ("too few", ""),  # 1 of 2: under 5 clients
        "Needing attention": ("2", "no change"),
        # four clients are far from the 100 with 3+ scores an expected response needs
        "Active clients not on track": ("none judged yet", ""),
    }
    captions = [c.value for c in at.caption]
    assert (
        "completion of homework due in the period: 4 completed + 1 partial of 6 reviewed (7 due)"
        in captions
    )
    assert "homework-setting rate: set at 6 of 8 attended sessions" in captions
    assert (
        "1 of 2 clients with two or more PHQ-9/GAD-7 scores in the period "
        "(too few to show a rate: under 5 clients)" in captions
    )


def test_weekly_table_carries_the_reviewed_count_of_every_week(practice):
    weekly = open_overview(practice, "ada").dataframe[0].value
    assert weekly.to_dict("records") == [
        {
            "Week starting": f"{day(5, 11):%d %b %Y}",
            "Due": 4,
            "Reviewed": 4,
            "Completion": "too few (n=4)",
            "Overdue": 0,
        },
        {
            "Week starting": f"{day(5, 18):%d %b %Y}",
            "Due": 2,
            "Reviewed": 1,
            "Completion": "too few (n=1)",
            "Overdue": 1,
        },
        {
            "Week starting": f"{day(5, 25):%d %b %Y}",
            "Due": 1,
            "Reviewed": 1,
            "Completion": "too few (n=1)",
            "Overdue": 0,
        },
    ]


def test_active_clients_only_by_default_status(practice):
    figures = headline(open_overview(practice, "ada", status="active"))
    assert figures["Active clients"][0] == "3"  # C-0002 was discharged on 15 May
    assert figures["Completion (n=5)"][0] == "90 %"  # (4 + ½) / 5, no a5


def test_clinician_sees_their_own_caseload_only(practice):
    figures = headline(open_overview(practice, "ana"))
    assert figures["Active clients"] == ("2", "no change")  # C-0001, C-0002
    assert figures["Sessions attended"][0] == "4"
    assert figures["Homework set (n=4)"][0] == "too few"  # 3 of 4
    assert figures["Assignments set"][0] == "4"
    assert figures["Completion (n=3)"][0] == "too few"
    assert figures["Needing attention"][0] == "1"  # C-0001's no-shows
    assert not at_has_clinician_filter(open_overview(practice, "ana"))


def test_supervisor_sees_own_and_supervisees_clients(practice):
    at = open_overview(practice, "sam")
    figures = headline(at)
    assert figures["Active clients"][0] == "3"  # Ana's two and Sam's C-0003, not Ben's
    assert figures["Sessions attended"][0] == "6"
    assert figures["Homework set (n=6)"][0] == "67 %"  # 4 of 6
    assert figures["Assignments set"][0] == "5"
    assert figures["Needing attention"][0] == "1"
    assert at_has_clinician_filter(at)


def at_has_clinician_filter(at: AppTest) -> bool:
    return any(m.label == "Clinician" for m in at.sidebar.multiselect)


def test_empty_database_shows_deliberate_empty_states(sqlite_engine, monkeypatch):
    from tests.builders import Practice

    monkeypatch.setenv("DATABASE_URL", str(sqlite_engine.url))
    p = Practice(sqlite_engine)
    at = AppTest.from_file(PAGE, default_timeout=60)
    sign_in_as(at, p.viewer(p.clinician("Ada Admin", role="admin")))
    at.run()
    assert not at.exception
    figures = headline(at)
    assert figures["Completion (n=0)"][0] == "too few"
    assert figures["Sessions attended"][0] == "0"


PERIOD = f"&from={day(5, 4).isoformat()}&to={day(5, 31).isoformat()}"


def listed(at: AppTest) -> list[list[str]]:
    """The client list's rows (client link, clinician, detail), read from its markdown table."""
    table = next(m.value for m in at.markdown if m.value.startswith("| Client |"))
    rows = [line.strip("| ").split(" | ") for line in table.splitlines()[2:]]
    return [[cell.replace("\\", "") for cell in row] for row in rows]


def test_needing_attention_opens_exactly_the_flagged_clients(practice):
    at = open_overview(practice, "ada")
    at.button(key="list_attention").click().run()
    assert not at.exception
    assert at.query_params["list"] == "attention"  # the list is in the link
    assert "Needing attention: 2 clients" in [h.value for h in at.subheader]
    # the same two clients as the caseload's needs-attention list, each opening this period
    assert listed(at) == [
        [f"[C-0001](client?client=C-0001{PERIOD})", "Ana Alder", "Repeated no-shows"],
        [f"[C-0004](client?client=C-0004{PERIOD})", "Ben Birch", "Reliable deterioration"],
    ]


def test_completion_list_adds_up_to_the_headline(practice):
    at = open_overview(practice, "ada")
    at.button(key="list_completion").click().run()
    details = [row[2] for row in listed(at)]
    # 7 due, 6 reviewed in the period (the headline's n), spread over the clients listed
    due = sum(int(text.split(" of ")[-1].split()[0]) for text in details)
    reviewed = sum(int(text.split("n=")[1].split(")")[0]) for text in details)
    assert (due, reviewed) == (7, 6)
