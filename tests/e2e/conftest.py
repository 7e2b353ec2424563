"""Browser tests: a real `streamlit run` server driven by Playwright in the system Chromium.

Playwright cannot download its own browser here, so it launches /usr/bin/chromium (Debian's
package; `.ci/run` installs it). Locally a missing browser skips; under CI it fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.app_server import (  # one way to run the app and the browser, shared with the bench
    CHROMIUM,
    CHROMIUM_ARGS,
    AppServer,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def start_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], AppServer]]:
    """Factory: start a dashboard server on a database URL; all are stopped at session end."""
    servers: list[AppServer] = []

    def start(database_url: str) -> AppServer:
        log = tmp_path_factory.mktemp("streamlit") / "server.log"
        server = AppServer(database_url, log)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def demo_app(start_app: Callable[[str], AppServer], demo_db_url: str) -> AppServer:
    """One dashboard server on the session's demo practice, shared by read-only browser tests."""
    return start_app(demo_db_url)


@pytest.fixture(scope="session")
def browser():  # noqa: ANN201 - playwright's Browser
    """Headless system Chromium through Playwright."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; CI requires the browser tests")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# How long a step may take: a shared CI machine running the whole suite may take this long to
# rerun a page or build a download (20 s timed out once on a Data-page export).
SLOW_MACHINE_MS = 60_000


@pytest.fixture
def page(browser):  # noqa: ANN001, ANN201 - playwright objects
    """A fresh browser context (no cookies) and page per test, 1400×900."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(SLOW_MACHINE_MS)
    pg = context.new_page()
    yield pg
    context.close()


def assert_no_exception(page) -> None:  # noqa: ANN001 - playwright Page
    """Fail when the page shows a Streamlit exception box."""
    boxes = page.locator('[data-testid="stException"]')
    if boxes.count():
        pytest.fail(f"the page shows an exception: {boxes.first.inner_text()[:2000]}")


def sign_in(page, server: AppServer, email: str, password: str = "demo", path: str = "") -> None:  # noqa: ANN001
    """Open `path`, fill the sign-in form and wait until the app has rendered signed in."""
    page.goto(server.url(path))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email", exact=True).wait_for(state="detached")
    page.get_by_text("Signed in as").wait_for()
    wait_for_app(page)


def wait_for_app(page) -> None:  # noqa: ANN001
    """Wait until Streamlit has finished running the script for the current page."""
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    page.wait_for_timeout(300)
