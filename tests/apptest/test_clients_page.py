"""The My clients page in Streamlit's AppTest: what a clinician reads at the start of the day.

Dates are relative to the real today, because the page asks the clock what day it is.
Dana treats C-0001 (attended a week ago, Thought Record due today, booked today) and C-0002
(booked in ten days, nothing attended yet); Sam supervises Dana and treats nobody.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.builders import Practice
from tests.pagetest import open_page

TODAY = dt.date.today()


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


@pytest.fixture
def practice(sqlite_engine, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    p = Practice(sqlite_engine)
    p.sam = p.clinician("Sam Boss", role="supervisor")
    p.dana = p.clinician("Dana Doc", supervisor=p.sam)
    one = p.client(p.dana, intake=day(-60), code="C-0001")
    p.session(one, day(-7))
    p.assignment(one, day(-7), due=TODAY, instructions="One record")
    p.session(one, TODAY, attendance="scheduled")
    p.score(one, "PHQ-9", 16, day(-60))
    p.score(one, "PHQ-9", 11, day(-7))
    two = p.client(p.dana, intake=day(-3), code="C-0002")
    p.session(two, day(10), attendance="scheduled")
    return p


def texts(at) -> str:  # noqa: ANN001
    return "\n".join(m.value for m in at.markdown)


def test_each_client_reads_in_words_with_today_first(practice):  # noqa: ANN001
    at = open_page("clients", practice.viewer(practice.dana))
    assert at.title[0].value == "My clients"
    shown = texts(at)
    assert shown.index("[C-0001]") < shown.index("[C-0002]")  # booked today comes first
    assert "**today**" in shown
    assert f"{day(-7):%a} {day(-7).day} {day(-7):%b}, attended" in shown
    assert "**7 days ago**" in shown
    assert f"Thought Record — not reviewed yet, due {TODAY.day} {TODAY:%b}" in shown
    assert "PHQ-9 **11** moderate · 5 better" in shown
    assert "no session yet" in shown and "no session attended yet" in shown
    assert at.caption[0].value.startswith("2 of 2 active clients")


def test_session_today_and_the_code_search_filter_the_rows(practice):  # noqa: ANN001
    at = open_page("clients", practice.viewer(practice.dana))
    at.segmented_control[0].set_value("Session today").run()
    assert at.caption[0].value.startswith("1 of 2 active clients")
    assert "[C-0002]" not in texts(at)
    at.segmented_control[0].set_value("All").run()
    at.text_input[0].input("0002").run()
    assert at.caption[0].value.startswith("1 of 2 active clients")
    assert "[C-0001]" not in texts(at)


def test_an_empty_caseload_says_what_to_do_and_a_supervisor_can_see_the_team(practice):  # noqa: ANN001
    at = open_page("clients", practice.viewer(practice.sam))
    assert at.info[0].value.startswith("You have no active clients yet.")
    at.toggle[0].set_value(True).run()
    assert at.caption[0].value.startswith("2 of 2 active clients")


def test_a_caseload_of_55_sends_50_rows_and_the_next_page_the_other_5(practice):  # noqa: ANN001
    """Dana gets 53 more clients (C-0003 … C-0055, none booked): 55 rows in the page's order,
    the first 50 on page 1 and 5 on page 2, with the count in words."""
    for n in range(3, 56):
        practice.client(practice.dana, intake=day(-30), code=f"C-{n:04d}")
    at = open_page("clients", practice.viewer(practice.dana))
    assert at.caption[0].value.startswith("55 of 55 active clients")
    assert at.caption[1].value == "Showing 1–50 of 55 clients, in this order."
    first = texts(at).count("](client?client=C-")
    at.number_input(key="clients_page").set_value(2).run()
    assert at.caption[1].value == "Showing 51–55 of 55 clients, in this order."
    assert (first, texts(at).count("](client?client=C-")) == (50, 5)
