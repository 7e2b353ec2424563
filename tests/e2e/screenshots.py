"""Retake docs/screenshots: every page at 1440 px; My clients and the client page also at 1024 px,
on a 390 px phone and in dark mode.

`python -m tests.e2e.screenshots http://127.0.0.1:8501 C-0032` against a running dashboard on a
demo database, naming a client of the supervisor's with a risk item and a not-on-track flag.
Each shot is as tall as its page, so nothing below the fold is left unchecked.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, wait_for_app

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# (file stem, who signs in, URL path)
SHOTS = [
    ("clients", "clinician", "clients"),
    ("client", "supervisor", "client?client={client}"),
    ("overview", "supervisor", "overview?list=attention"),
    ("caseload", "supervisor", "caseload"),
    ("homework", "supervisor", "homework"),
    ("outcomes", "supervisor", "outcomes"),
    ("data", "supervisor", "data"),
    ("admin", "admin", "admin"),
]
LOOKS = [
    ("", 1440, 900, "light"),
    ("-1024", 1024, 768, "light"),
    ("-390", 390, 844, "light"),
    ("-dark", 1440, 900, "dark"),
]
EVERY_PAGE = ""  # the other looks cover the two pages a clinician reads before a session
CLINICIAN_PAGES = {"clients", "client"}
# Every plotly chart has drawn its SVG and no placeholder is left (under load they lag the run).
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
  .every(c => c.querySelector('.main-svg'))
  && !document.querySelector('[data-testid="stSkeleton"]')"""


def _sign_in(page: Page, base: str, who: str) -> None:
    page.goto(f"{base}/")
    page.get_by_label("Email", exact=True).fill(f"{who}@demo.example")
    page.get_by_label("Password", exact=True).fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()
    wait_for_app(page)


def _go(page: Page, url: str) -> None:
    """Open `url`, again after a pause while the sign-in's own reload is still under way."""
    for _ in range(4):
        try:
            page.goto(url)
            return
        except PlaywrightError:
            page.wait_for_timeout(3000)
    page.goto(url)


def _shoot(page: Page, path: Path, width: int, height: int, signed_in: bool = True) -> None:
    """Wait for the page's title and the end of its run, grow the window to the page's full
    height, then take the picture."""
    if signed_in:  # a reload shows the sign-in form until the session cookie is read
        try:
            page.get_by_text("Signed in as").wait_for(timeout=20_000)
        except PlaywrightTimeout:  # a busy server can miss the cookie once: load it again
            page.reload()
            page.get_by_text("Signed in as").wait_for()
    page.wait_for_selector('[data-testid="stMain"] h1')
    page.wait_for_timeout(1000)  # a run that is about to start shows its status widget
    wait_for_app(page)
    page.wait_for_timeout(1500)  # charts finish drawing
    tall = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"] *')]"
        ".map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": width, "height": max(height, min(int(tall) + 80, 9000))})
    page.wait_for_function(CHARTS_DRAWN)
    page.wait_for_timeout(800)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": height})


def main(base: str, client: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for suffix, width, height, scheme in LOOKS:
            signed_in: dict[str, Page] = {}
            for stem, who, path in SHOTS:
                if suffix != EVERY_PAGE and stem not in CLINICIAN_PAGES:
                    continue
                if who not in signed_in:
                    context = browser.new_context(
                        viewport={"width": width, "height": height}, color_scheme=scheme
                    )
                    context.set_default_timeout(180_000)
                    signed_in[who] = context.new_page()
                    _sign_in(signed_in[who], base, who)
                page = signed_in[who]
                _go(page, f"{base}/{path.format(client=client)}")
                _shoot(page, OUT / f"{stem}{suffix}.png", width, height)
            if suffix != EVERY_PAGE:
                continue
            signin = browser.new_context(
                viewport={"width": width, "height": height}, color_scheme=scheme
            ).new_page()
            signin.goto(f"{base}/")
            _shoot(signin, OUT / f"signin{suffix}.png", width, height, signed_in=False)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "C-0032")
