"""The caseload page in headless Chromium on the demo practice, as the demo supervisor."""

import re

from tests.e2e.conftest import assert_no_exception, sign_in, wait_for_app

FLAGGED_LINK = '[data-testid="stPageLink"] a'


def test_supervisor_follows_a_needs_attention_row_to_the_client_page(demo_app, page):
    sign_in(page, demo_app, "supervisor@demo.example", "demo")
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Caseload").click()
    wait_for_app(page)
    page.get_by_role("heading", name="Caseload").wait_for()
    assert "/caseload" in page.url and "from=" in page.url  # the filters are in the link
    page.get_by_role("heading", name=re.compile(r"Needing attention \(\d+\)")).wait_for()
    link = page.locator(FLAGGED_LINK).filter(has_text=re.compile(r"^C-\d+$")).first
    code = link.inner_text().strip()
    assert re.fullmatch(r"C-\d+", code)
    link.click()
    wait_for_app(page)
    page.get_by_role("heading", name=f"Client {code}").wait_for()
    assert "/client" in page.url and f"client={code}" in page.url
    assert_no_exception(page)
