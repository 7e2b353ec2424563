"""The overview in headless Chromium: a headline opens exactly the clients it counts."""

import datetime as dt
import re

from sqlalchemy import select

from data_access.access.viewer import Viewer
from data_access.reads.filters import Filters
from data_access.reads.flags import needs_attention
from data_access.store.engine import new_engine
from data_access.store.schema import Clinician
from tests.e2e.conftest import assert_no_exception, sign_in, wait_for_app

LIST_LINKS = '.st-key-client_list [data-testid="stMarkdownContainer"] table a'


def flagged_codes(db_url: str, email: str, start: dt.date, end: dt.date) -> set[str]:
    """The codes the needs-attention rule flags for this person's view, straight from the data."""
    engine = new_engine(db_url)
    with engine.connect() as conn:
        person = conn.execute(
            select(Clinician.id, Clinician.email, Clinician.name, Clinician.role).where(
                Clinician.email == email
            )
        ).one()
        filters = Filters(start=start, end=end, client_status="active")
        codes = set(needs_attention(conn, Viewer(*person), filters)["client_code"])
    engine.dispose()
    return codes


def test_needing_attention_lands_on_exactly_those_clients(demo_app, demo_db_url, page):
    sign_in(page, demo_app, "supervisor@demo.example", path="overview")
    page.get_by_role("heading", name="Practice overview").wait_for()
    card = page.locator('[data-testid="stMetric"]').filter(has_text="Needing attention")
    count = int(card.locator('[data-testid="stMetricValue"]').inner_text())
    page.locator(".st-key-list_attention button").first.click()
    wait_for_app(page)
    page.get_by_role("heading", name=f"Needing attention: {count} clients").wait_for()
    assert "list=attention" in page.url  # the list is in the link, with the filters
    start, end = (
        dt.date.fromisoformat(re.search(f"{p}=([0-9-]+)", page.url)[1]) for p in ("from", "to")
    )
    links = page.locator(LIST_LINKS)
    shown = [links.nth(i).inner_text() for i in range(links.count())]
    assert len(shown) == count and set(shown) == flagged_codes(
        demo_db_url, "supervisor@demo.example", start, end
    )
    assert all(f"from={start}" in links.nth(i).get_attribute("href") for i in range(len(shown)))
    assert_no_exception(page)
