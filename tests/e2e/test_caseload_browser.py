"""The caseload page in headless Chromium on the demo practice, as the demo supervisor."""

import re
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select

from data_access.store.engine import new_engine
from data_access.store.schema import AuditEvent
from tests.e2e.conftest import assert_no_exception, sign_in, wait_for_app

FLAGGED_LINK = '[data-testid="stPageLink"] a'


def exports_by(db_url: str, email: str) -> list[str]:
    """Details of the `export` audit events of one person, oldest first."""
    engine = new_engine(db_url)
    with engine.connect() as conn:
        details = conn.execute(
            select(AuditEvent.detail)
            .where(AuditEvent.action == "export", AuditEvent.actor_email == email)
            .order_by(AuditEvent.id)
        ).scalars()
        found = list(details)
    engine.dispose()
    return found


def test_supervisor_follows_a_needs_attention_row_to_the_client_page(demo_app, demo_db_url, page):
    sign_in(page, demo_app, "supervisor@demo.example", "demo")
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Caseload").click()
    wait_for_app(page)
    page.get_by_role("heading", name="Caseload").wait_for()
    assert "/caseload" in page.url and "from=" in page.url  # the filters are in the link
    period = parse_qs(urlparse(page.url).query)
    page.get_by_role("heading", name=re.compile(r"Needing attention \(\d+\)")).wait_for()
    flagged = int(re.search(r"\((\d+)\)", page.get_by_text("Needing attention (").inner_text())[1])
    before = exports_by(demo_db_url, "supervisor@demo.example")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the needs-attention list (CSV)").click()
    assert download.value.suggested_filename.startswith("needs_attention_")
    for _ in range(20):  # the click's callback writes the event as the app reruns
        exported = exports_by(demo_db_url, "supervisor@demo.example")[len(before) :]
        if exported:
            break
        page.wait_for_timeout(500)
    assert exported == [f"needs-attention list, {flagged} clients"]  # the client-level export
    link = page.locator(FLAGGED_LINK).filter(has_text=re.compile(r"^C-\d+$")).first
    code = link.inner_text().strip()
    assert re.fullmatch(r"C-\d+", code)
    link.click()
    wait_for_app(page)
    page.get_by_role("heading", name=f"Client {code}").wait_for()
    assert "/client" in page.url and f"client={code}" in page.url
    assert_no_exception(page)
    # back by the menu: the client page draws no filters, so Streamlit dropped their widgets'
    # state; Caseload takes the filters last used again (it raised a KeyError here)
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Caseload").click()
    wait_for_app(page)
    page.get_by_role("heading", name="Caseload").wait_for()
    assert_no_exception(page)
    assert "/caseload" in page.url and f"from={period['from'][0]}" in page.url
    assert f"to={period['to'][0]}" in page.url
    page.get_by_role("heading", name=f"Needing attention ({flagged})").wait_for()
