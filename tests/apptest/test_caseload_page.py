"""The caseload page for each role, on the hand-built practice of tests/practice_example.py.

Ben also gets three extra reviewed assignments due in the period (set 20 and 21 May: completed,
not done, completed), so his completion is (1 + 1 + 1 + 0 + 1) / 5 = 80 % over 5 reviewed,
enough to show a rate; every other clinician has fewer than 5 and reads "too few".
"""

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_access.store.schema import AuditEvent, monday_of
from tests.pagetest import capture_downloads, sign_in_as
from tests.practice_example import TODAY, build_practice

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "caseload.py")
SHIFT = monday_of(dt.date.today()) - TODAY


def day(month: int, dom: int) -> dt.date:
    return dt.date(2026, month, dom) + SHIFT


@pytest.fixture
def practice(sqlite_engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(sqlite_engine.url))
    p = build_practice(sqlite_engine, SHIFT)
    ben_client = p.clients["C-0004"]
    p.assignment(ben_client, day(5, 20), "completed")
    p.assignment(ben_client, day(5, 20), "not_done")
    p.assignment(ben_client, day(5, 21), "completed")
    return p


def open_caseload(practice, who: str, **params: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    sign_in_as(at, practice.viewer(practice.ids[who]))
    at.query_params["from"] = day(5, 4).isoformat()
    at.query_params["to"] = day(5, 31).isoformat()
    at.query_params["status"] = "all"
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


TABLE_COLUMNS = {"caseload_table": "Active clients", "drill_table": "Outcome in the period"}
PERIOD = f"&from={day(5, 4).isoformat()}&to={day(5, 31).isoformat()}"


def table(at: AppTest, name: str):
    """The caseload table or the drill-down table, told apart by a column only it has."""
    return next(d.value for d in at.dataframe if TABLE_COLUMNS[name] in d.value.columns)


def links(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if "](client?client=" in m.value]


ANA = {
    "Clinician": "Ana Alder",
    "Active clients": 2,
    "Sessions attended": 4,
    "Homework set": "too few (n=4)",  # 3 of 4 attended sessions
    "Completion": "too few (n=3)",  # a1 completed, a2 partial, a5 not done
    "Overdue": 1,  # a4, due 20 May, still pending
    "Needing attention": 1,  # C-0001: two no-shows in a row
    "Reliably improved": "too few (n=1)",  # C-0001, PHQ-9 16 -> 9
}
BEN = {
    "Clinician": "Ben Birch",
    "Active clients": 1,
    "Sessions attended": 2,
    "Homework set": "too few (n=2)",
    "Completion": "80 % (n=5)",
    "Overdue": 0,
    "Needing attention": 1,  # C-0004: GAD-7 8 -> 13
    "Reliably improved": "too few (n=1)",
}
SAM = {
    "Clinician": "Sam Super",
    "Active clients": 1,
    "Sessions attended": 2,
    "Homework set": "too few (n=2)",
    "Completion": "too few (n=1)",
    "Overdue": 0,
    "Needing attention": 0,
    "Reliably improved": "too few (n=0)",
}


def test_admin_sees_every_clinician_and_every_flagged_client(practice):
    at = open_caseload(practice, "ada")
    assert table(at, "caseload_table").to_dict("records") == [ANA, BEN, SAM]
    assert [h.value for h in at.subheader][0] == "Needing attention (2)"
    # the most urgent flag first (flags.SEVERITY): deterioration before repeated no-shows
    assert links(at) == [
        f"[C-0004](client?client=C-0004{PERIOD})",
        f"[C-0001](client?client=C-0001{PERIOD})",
    ]
    texts = [m.value for m in at.markdown]
    assert "Repeated no-shows" in texts and "Reliable deterioration" in texts
    # what raises each flag, in words built from the thresholds
    assert (
        "**Low homework completion**: Completion rate under 25 % over the last 4 reviewed "
        "assignments." in texts
    )
    assert "Active clients not on track: none judged yet." in [c.value for c in at.caption]
    assert f"{day(5, 28):%d %b %Y} (no-show)" in texts  # C-0001's last session
    assert f"GAD-7 13 on {day(5, 27):%d %b %Y}" in texts  # C-0004's last score
    buttons = at.get("download_button")  # caseload table and needs-attention list
    assert len(buttons) == 2
    assert all(b.proto.deferred_file_id and not b.proto.url for b in buttons)  # made on click


def test_supervisor_sees_own_and_supervisees_caseloads(practice):
    at = open_caseload(practice, "sam")
    assert table(at, "caseload_table").to_dict("records") == [ANA, SAM]
    # the client opens for the same period; Ben's C-0004 is out of scope
    assert links(at) == [f"[C-0001](client?client=C-0001{PERIOD})"]


def test_clinician_sees_only_their_caseload_and_their_clients(practice):
    at = open_caseload(practice, "ben")
    assert table(at, "caseload_table").to_dict("records") == [BEN]
    assert links(at) == [f"[C-0004](client?client=C-0004{PERIOD})"]
    assert not any(s.label == "Drill down to a clinician" for s in at.selectbox)
    assert table(at, "drill_table").to_dict("records") == [
        {
            "Client": f"client?client=C-0004{PERIOD}",  # a link, shown as the code
            "Status": "active",
            "Sessions attended": 2,
            "Completion": "80 % (n=5)",
            "PHQ-9 change": "3 worse",  # 12 -> 15
            "GAD-7 change": "5 worse",  # 8 -> 13
            "Outcome in the period": "reliably deteriorated",
            "Flags today (whole course)": "Reliable deterioration",
        }
    ]


def test_choosing_a_clinician_drills_down_and_the_comparison_keeps_every_clinician(practice):
    at = open_caseload(practice, "sam")
    at.selectbox(key="drill_clinician").set_value(practice.ids["ana"]).run()
    assert not at.exception
    assert at.query_params["drill"] == str(practice.ids["ana"])  # in the link
    assert "clinician" not in at.query_params  # the sidebar filter is left alone
    assert table(at, "caseload_table").to_dict("records") == [ANA, SAM]
    drill = table(at, "drill_table")
    assert list(drill["Client"]) == [
        f"client?client=C-0001{PERIOD}",
        f"client?client=C-0002{PERIOD}",
    ]
    assert list(drill["Completion"]) == ["too few (n=2)", "too few (n=1)"]
    assert list(drill["PHQ-9 change"]) == ["7 better", ""]  # C-0002 has no scores
    assert list(drill["Outcome in the period"]) == ["reliably improved", "too few scores"]
    assert list(drill["Status"]) == ["active", "discharged"]


def test_sorting_puts_too_few_last(practice):
    at = open_caseload(practice, "ada")
    at.selectbox(key="caseload_sort").set_value("Completion, lowest first").run()
    order = list(table(at, "caseload_table")["Clinician"])
    assert order == ["Ben Birch", "Ana Alder", "Sam Super"]
    at.selectbox(key="caseload_sort").set_value("Overdue, most first").run()
    assert list(table(at, "caseload_table")["Clinician"])[0] == "Ana Alder"


def test_a_link_with_a_clinician_filter_reproduces_the_drill_down(practice):
    at = open_caseload(practice, "ada", clinician=str(practice.ids["ben"]))
    assert table(at, "caseload_table").to_dict("records") == [BEN]
    assert list(table(at, "drill_table")["Client"]) == [f"client?client=C-0004{PERIOD}"]
    assert at.selectbox(key="drill_clinician").value == practice.ids["ben"]


def test_the_needs_attention_download_is_made_and_audited_only_on_click(
    practice, sqlite_engine, monkeypatch
):
    downloads = capture_downloads(monkeypatch)
    open_caseload(practice, "ada")
    with sqlite_engine.connect() as conn:
        exports = conn.execute(
            select(AuditEvent.detail).where(AuditEvent.action == "export")
        ).scalars()
        assert list(exports) == []
    csv = downloads[-1]().decode()  # the needs-attention button, pressed
    assert "C-0001" in csv and "C-0004" in csv
    with sqlite_engine.connect() as conn:
        exports = conn.execute(
            select(AuditEvent.detail).where(AuditEvent.action == "export")
        ).scalars()
        assert list(exports) == ["needs-attention list, 2 clients"]


def test_a_risk_item_heads_the_list_whatever_the_filters(practice):
    """C-0002 (Ana's, discharged 15 May) answers PHQ-9 item 9 with 1 in April, before the period's
    dates: it is listed in red above everything else, and first in the needs-attention list."""
    practice.score(practice.clients["C-0002"], "PHQ-9", 9, day(4, 6), items=[1] * 9)
    at = open_caseload(practice, "ada")
    assert at.error[0].value.startswith("**Risk items: 1 not reviewed, 0 reviewed.**")
    risks, first = links(at)[:2]  # red list (whatever the dates), then the period's list
    assert risks.splitlines()[2].startswith(r"| [C\-0002](client?client=C-0002) | :red[Ana Alder]")
    assert len(risks.splitlines()) == 3  # heading, rule, one risk item
    assert first == f"[C-0002](client?client=C-0002{PERIOD})"
    assert [h.value for h in at.subheader][0] == "Needing attention (3)"


def test_thirty_risk_items_are_all_listed_in_one_box_never_paged(practice):
    """30 of Ana's clients (R-001 … R-030, intake in March) answer item 9: 1 to 3 in turn, each a
    day later than the one before. All 30 rows are in the red table (it scrolls in a box, it
    does not page), unreviewed and the highest answer first, the newest first within one answer."""
    for n in range(1, 31):
        client = practice.client(practice.ids["ana"], intake=day(3, 2), code=f"R-{n:03d}")
        answer = n % 3 + 1
        practice.score(
            client,
            "PHQ-9",
            12,
            day(4, 1) + dt.timedelta(days=n),
            items=[3, 3, 3, 3 - answer, 0, 0, 0, 0, answer],
        )
    at = open_caseload(practice, "ada")
    assert at.error[0].value.startswith("**Risk items: 30 not reviewed, 0 reviewed.**")
    assert "all 30 in the box below (scroll)" in at.error[0].value
    rows = links(at)[0].splitlines()[2:]
    codes = [row.split("](")[0].removeprefix("| [").replace("\\", "") for row in rows]
    threes = [f"R-{n:03d}" for n in range(29, 0, -3)]  # n % 3 == 2: answer 3, newest first
    assert len(codes) == 30 and codes[:10] == threes
    assert r"\(3 of 3\)" in rows[0] and r"\(1 of 3\)" in rows[-1]
