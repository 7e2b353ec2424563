"""The client page in headless Chromium on the demo practice: signed in, charts drawn."""

import re

from sqlalchemy import select

from data_access.store.engine import new_engine
from data_access.store.schema import Client, Clinician, Score
from tests.e2e.conftest import assert_no_exception, sign_in, wait_for_app

CHARTS = '[data-testid="stPlotlyChart"] .js-plotly-plot'


def a_client_of(db_url: str, email: str) -> str:
    """The code of one of `email`'s clients with scores, straight from the demo database."""
    engine = new_engine(db_url)
    with engine.connect() as conn:
        code = conn.execute(
            select(Client.code)
            .join(Clinician, Clinician.id == Client.clinician_id)
            .where(Clinician.email == email, Client.id.in_(select(Score.client_id)))
            .order_by(Client.code)
            .limit(1)
        ).scalar_one()
    engine.dispose()
    return code


def test_a_clinician_opens_a_client_by_link_and_sees_the_charts(demo_app, demo_db_url, page):
    code = a_client_of(demo_db_url, "clinician@demo.example")
    sign_in(page, demo_app, "clinician@demo.example", "demo", f"client?client={code}")
    heading = page.get_by_role("heading", name=f"Client {code}")
    if not heading.count():
        # The sign-in form runs before navigation, so it may land on the default page:
        # open the link again inside the signed-in session, through the menu and the picker.
        page.get_by_role("link", name="Client", exact=True).click()
        wait_for_app(page)
        page.locator('[data-testid="stSelectbox"]').first.click()
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        wait_for_app(page)
    heading.wait_for()
    assert f"client={code}" in page.url
    # three trends, then the homework timeline, weekly, type-mix and together charts
    page.locator(CHARTS).nth(3).wait_for(timeout=60_000)
    assert page.locator(CHARTS).count() >= 4
    assert page.get_by_text(re.compile(r"^Completion \(n=\d+\)$")).count() == 1
    assert_no_exception(page)
