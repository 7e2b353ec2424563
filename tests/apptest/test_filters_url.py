"""The shared filter sidebar and its URL: a link reproduces a view, and the view writes the link.

Runs a one-line page (filters in, `repr(Filters)` out) under AppTest, as a supervisor who sees
herself and one supervisee, but not a third clinician.
"""

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from tests.builders import Practice


def page() -> None:
    import streamlit as st

    from dashboard.db import engine
    from dashboard.filters import filter_sidebar

    with engine().connect() as conn:
        filters = filter_sidebar(conn, st.session_state["viewer"])
    st.text(repr(filters))


@pytest.fixture
def people(sqlite_engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(sqlite_engine.url))
    p = Practice(sqlite_engine)
    sup = p.clinician("Sam Super", role="supervisor")
    ana = p.clinician("Ana Alder", supervisor=sup)
    other = p.clinician("Oli Other")
    return p, sup, ana, other


def open_page(viewer, **params: str) -> AppTest:
    at = AppTest.from_function(page, default_timeout=60)
    at.session_state["viewer"] = viewer
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def shown(at: AppTest) -> str:
    return at.text[0].value


def test_a_link_seeds_every_filter(people):
    p, sup, ana, _ = people
    at = open_page(
        p.viewer(sup),
        **{"from": "2026-03-02", "to": "2026-03-29", "clinician": str(ana)},
        status="discharged",
        types="1,3",
    )
    assert shown(at) == repr_filters(
        (dt.date(2026, 3, 2), dt.date(2026, 3, 29)), (ana,), "discharged", (1, 3)
    )
    assert at.sidebar.date_input[0].value == (dt.date(2026, 3, 2), dt.date(2026, 3, 29))
    assert at.sidebar.multiselect(key="f_clinicians").value == [ana]
    assert at.sidebar.radio[0].value == "discharged"


def test_changing_a_widget_rewrites_the_link(people):
    p, sup, ana, _ = people
    at = open_page(p.viewer(sup), **{"from": "2026-03-02", "to": "2026-03-29"})
    at.sidebar.radio[0].set_value("all").run()
    at.sidebar.multiselect(key="f_types").set_value([2]).run()
    at.sidebar.multiselect(key="f_clinicians").set_value([ana]).run()
    assert dict(at.query_params) == {
        "from": "2026-03-02",
        "to": "2026-03-29",
        "clinician": str(ana),
        "status": "all",
        "types": "2",
    }
    assert "client_status='all'" in shown(at)


def test_defaults_and_out_of_scope_or_broken_values_are_dropped(people):
    p, sup, _, other = people
    at = open_page(p.viewer(sup), **{"from": "yesterday"}, clinician=str(other), status="x")
    today = dt.date.today()
    assert shown(at) == repr_filters((today - dt.timedelta(weeks=12), today), (), "active", ())
    assert "clinician" not in at.query_params  # Oli is not in Sam's scope
    assert at.query_params["from"] == (today - dt.timedelta(weeks=12)).isoformat()


def test_a_clinician_has_no_clinician_filter(people):
    p, _, ana, _ = people
    at = open_page(p.viewer(ana))
    assert [m.label for m in at.sidebar.multiselect] == ["Assignment types"]


def test_filters_follow_to_the_next_page_when_its_url_has_none(people, monkeypatch):
    """The menu clears the query string on a page switch; the last filters are kept."""
    p, sup, ana, _ = people
    at = open_page(p.viewer(sup), **{"from": "2026-03-02", "to": "2026-03-29"}, status="all")
    before = shown(at)
    monkeypatch.setattr("dashboard.filters._page_key", lambda: "http://host/caseload")
    for key in list(at.query_params):
        del at.query_params[key]
    at.run()
    assert at.session_state["_filters_seeded_for_page"] == "http://host/caseload"  # re-seeded
    assert shown(at) == before
    assert at.query_params["status"] == "all" and at.query_params["from"] == "2026-03-02"


def repr_filters(dates, clinicians, status, types) -> str:
    from data_access.reads.filters import Filters

    return repr(
        Filters(
            start=dates[0],
            end=dates[1],
            clinician_ids=clinicians,
            client_status=status,
            type_ids=types,
            today=dt.date.today(),
        )
    )
