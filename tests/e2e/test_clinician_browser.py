"""A clinician's day in headless Chromium on a demo practice of its own (the test writes):
sign-in lands on My clients, a code opens the client with "Since the last session" in the
first screen, and homework set there survives a reload while empty and repeated submits are
refused without writing anything.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from data_access.demo import build_demo
from data_access.store.engine import new_engine
from data_access.store.schema import Assignment
from tests.e2e.conftest import assert_no_exception, sign_in, wait_for_app

CODE_LINKS = '[data-testid="stPageLink-NavLink"]'


@pytest.fixture(scope="module")
def clinic(start_app, tmp_path_factory):  # noqa: ANN001, ANN201 - fixtures
    """A small demo practice built for today, and a server on it."""
    path = tmp_path_factory.mktemp("clinic") / "clinic.db"
    url = f"sqlite:///{path}"
    engine = new_engine(url)
    build_demo(engine, clinicians=6, clients=60, weeks=26, seed=11, progress=False)
    engine.dispose()
    return start_app(url), url


def assignments(url: str) -> int:
    engine = new_engine(url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(Assignment)).scalar_one()
    engine.dispose()
    return count


def open_first_client(page) -> str:  # noqa: ANN001 - a Playwright page
    link = page.locator(CODE_LINKS).filter(has_text="C-").first
    code = link.inner_text().strip()
    link.click()
    page.get_by_role("heading", name=f"Client {code}").wait_for()
    wait_for_app(page)
    return code


def test_sign_in_lands_on_my_clients_and_a_code_opens_the_client(clinic, page):  # noqa: ANN001
    server, _ = clinic
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, server, "clinician@demo.example")
    page.wait_for_function("() => location.pathname.endsWith('/clients')")
    page.get_by_role("heading", name="My clients").wait_for()
    wait_for_app(page)  # the rows are drawn before their text under load
    first_row = page.locator('[class*="st-key-clients_row_"]').first
    text = first_row.inner_text()
    for words in ("PHQ-9", "GAD-7", "days ago"):
        assert words in text, text
    assert any(w in text for w in ("today", "tomorrow", "none booked", " Dec", " Nov", " Jan"))
    page.get_by_text("This week", exact=True).click()
    wait_for_app(page)
    assert page.locator('[class*="st-key-clients_row_"]').count() >= 1  # a session this week
    code = open_first_client(page)
    assert f"client={code}" in page.url
    since = page.get_by_role("heading", name="Since the last session")
    box = since.bounding_box()
    assert box is not None and box["y"] + box["height"] < 900  # in the first screen
    assert page.get_by_text("Last session:").is_visible()
    assert_no_exception(page)


def test_homework_set_on_the_client_page_survives_a_reload_and_bad_submits_write_nothing(
    clinic,  # noqa: ANN001
    page,  # noqa: ANN001
):
    server, url = clinic
    sign_in(page, server, "clinician@demo.example")
    page.get_by_role("heading", name="My clients").wait_for()
    code = open_first_client(page)
    before = assignments(url)
    save = page.get_by_role("button", name="Save homework")
    save.click()
    page.get_by_text("instructions cannot be blank").wait_for()
    assert assignments(url) == before

    words = f"Walk to the corner shop once, {dt.date.today():%d %b}"
    page.get_by_label("Instructions").fill(words)
    save.click()
    page.get_by_text(f"Saved: Daily Mood Log for {code}").wait_for()
    assert assignments(url) == before + 1
    page.get_by_label("Instructions").fill(words)
    page.get_by_role("button", name="Save homework").click()
    page.get_by_text("identical homework is already stored").wait_for()
    assert assignments(url) == before + 1

    page.reload()
    wait_for_app(page)
    page.get_by_role("heading", name="Since the last session").wait_for()
    assert page.get_by_text("Daily Mood Log — not reviewed yet").count() >= 1
    page.goto(server.url("clients"))
    page.get_by_role("heading", name="My clients").wait_for()
    wait_for_app(page)
    row = page.locator('[class*="st-key-clients_row_"]').filter(has_text=code).first
    assert "not reviewed yet" in row.inner_text()
    assert_no_exception(page)


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (390, 844)])
def test_narrow_screens_keep_the_summary_readable(clinic, page, width, height):  # noqa: ANN001
    server, _ = clinic
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, server, "clinician@demo.example")
    page.get_by_role("heading", name="My clients").wait_for()
    open_first_client(page)
    since = page.get_by_role("heading", name="Since the last session")
    box = since.bounding_box()
    assert box is not None and box["y"] < height  # the summary starts in the first screen
    metric = page.locator('[data-testid="stMetricLabel"]', has_text="Completion").first
    metric.scroll_into_view_if_needed()
    values = page.locator('[data-testid="stMetricValue"]')
    for i in range(values.count()):  # no header value is cut off (no ellipsis)
        cut = values.nth(i).evaluate(
            "e => { const t = e.querySelector('div') || e;"
            " return t.scrollWidth > t.clientWidth + 1; }"
        )
        assert not cut, values.nth(i).inner_text()
    assert_no_exception(page)
