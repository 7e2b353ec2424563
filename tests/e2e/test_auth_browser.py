"""Sign-in in a real browser: the session cookie survives a reload and a new tab, deep links
lead through sign-in, roles see their pages only, and sign-out makes the old cookie useless."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from data_access.store.engine import new_engine
from data_access.store.migrate import upgrade
from tests.builders import Practice
from tests.e2e.conftest import AppServer, assert_no_exception, sign_in, wait_for_app

CLINICIAN_PAGES = ["My clients", "Overview", "Caseload", "Client", "Homework", "Outcomes", "Data"]


@pytest.fixture(scope="module")
def server(
    start_app: Callable[[str], AppServer], tmp_path_factory: pytest.TempPathFactory
) -> AppServer:
    """A dashboard on a small hand-built practice with one account per role."""
    path: Path = tmp_path_factory.mktemp("auth") / "auth.db"
    engine = new_engine(f"sqlite:///{path}")
    upgrade(engine)
    practice = Practice(engine)
    practice.clinician("Ada Admin", role="admin", email="ada@example.org", password="pw-admin-1")
    sam = practice.clinician(
        "Sam Super", role="supervisor", email="sam@example.org", password="pw-super-1"
    )
    cleo = practice.clinician(
        "Cleo Clin", supervisor=sam, email="cleo@example.org", password="pw-clin-1"
    )
    practice.client(cleo, code="C-0042")
    practice.client(cleo, code="C-0043")
    engine.dispose()
    return start_app(f"sqlite:///{path}")


def _signed_in_as(page, name: str) -> None:  # noqa: ANN001 - playwright Page
    page.get_by_text(f"Signed in as {name}").wait_for()


def _menu(page) -> list[str]:  # noqa: ANN001
    links = page.locator('[data-testid="stSidebarNav"] a')
    return [t.split("\n")[-1].strip() for t in links.all_inner_texts()]  # drop the icon name


def _show_sign_in_form(page) -> None:  # noqa: ANN001
    page.get_by_label("Email", exact=True).wait_for()
    assert page.get_by_role("button", name="Sign in", exact=True).is_visible()


def test_a_clinicians_session_from_deep_link_to_sign_out(server: AppServer, page) -> None:  # noqa: ANN001
    # A signed-out deep link shows the sign-in form, then lands on the page asked for.
    sign_in(page, server, "cleo@example.org", "pw-clin-1", path="client?client=C-0042")
    _signed_in_as(page, "Cleo Clin")
    assert page.url == server.url("client?client=C-0042")
    assert _menu(page) == CLINICIAN_PAGES
    [cookie] = [c for c in page.context.cookies() if c["name"] == "bs_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert "bs_session" not in page.evaluate("document.cookie")

    # A reload keeps the session.
    page.reload()
    wait_for_app(page)
    _signed_in_as(page, "Cleo Clin")
    assert page.url == server.url("client?client=C-0042")

    # So does a new tab opened on another deep link.
    tab = page.context.new_page()
    tab.goto(server.url("client?client=C-0043"))
    wait_for_app(tab)
    _signed_in_as(tab, "Cleo Clin")
    assert tab.url == server.url("client?client=C-0043")

    # An admin URL is refused, with nothing of the page shown.
    tab.goto(server.url("admin"))
    wait_for_app(tab)
    tab.get_by_text("This page is only for admins.").wait_for()
    assert tab.get_by_role("tab", name="Accounts").count() == 0
    assert "Admin" not in _menu(tab)
    tab.close()

    # Sign out: back to the form, and the old cookie is refused in a fresh browser.
    page.get_by_role("button", name="Sign out").click()
    _show_sign_in_form(page)
    assert not [c for c in page.context.cookies() if c["name"] == "bs_session"]
    replay = page.context.browser.new_context()
    try:
        replay.add_cookies([cookie])
        stale = replay.new_page()
        stale.goto(server.url("client?client=C-0042"))
        wait_for_app(stale)
        _show_sign_in_form(stale)
        assert stale.get_by_text("Signed in as").count() == 0
    finally:
        replay.close()


def test_an_admin_sees_the_admin_page_in_the_menu(server: AppServer, page) -> None:  # noqa: ANN001
    sign_in(page, server, "ada@example.org", "pw-admin-1", path="admin")
    _signed_in_as(page, "Ada Admin")
    assert _menu(page) == [*CLINICIAN_PAGES, "Admin"]
    page.get_by_role("tab", name="Accounts").wait_for()
    page.get_by_text("Create an account").wait_for()


def test_a_wrong_password_keeps_the_browser_signed_out(server: AppServer, page) -> None:  # noqa: ANN001
    page.goto(server.url())
    page.get_by_label("Email", exact=True).fill("sam@example.org")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("That email and password do not match an active account.").wait_for()
    assert not [c for c in page.context.cookies() if c["name"] == "bs_session"]


def test_the_site_root_and_every_stable_path_open_their_page(server: AppServer, page) -> None:  # noqa: ANN001
    sign_in(page, server, "ada@example.org", "pw-admin-1")
    # The root opens the role's first page (a same-document navigation, hence the poll).
    page.wait_for_function("() => location.pathname.endsWith('/clients')")
    for path, heading in (("overview", "Practice overview"), ("caseload", "Caseload")):
        page.goto(server.url(path))
        wait_for_app(page)
        page.get_by_role("heading", name=heading).first.wait_for()
        assert page.get_by_text("Page not found").count() == 0
        assert_no_exception(page)
