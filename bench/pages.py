"""Page cases: each practice-wide page rendered by AppTest as its viewer, cold and warm.

Issue #4's bar: at 10,000 clients on SQLite a page renders in under 2 s with empty caches
(cold) and under 0.3 s when its data is cached (warm). Cold clears `st.cache_data` and runs
a fresh AppTest every time; warm re-runs the app the cold case left behind. The page reads
the database from DATABASE_URL, set here to the bench's own database. Each AppTest is signed
in through a real server-side session of the viewer's demo account (AppTest sends no cookies,
so the page's cookie readers are pointed at that session while it runs), and a page that asks
to sign in fails the case rather than timing the sign-in form.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st
import streamlit.logger
from sqlalchemy import Connection, select
from streamlit.testing.v1 import AppTest

import dashboard.auth_ui as auth_ui
from bench.cases import Call, Case, Context
from data_access.access.viewer import Viewer
from data_access.access.web_sessions import exchange_code, issue_code
from data_access.store.schema import UserAccount

PAGES = ("overview", "caseload", "homework", "outcomes")
COLD_SECONDS, WARM_SECONDS = 2.0, 0.3
PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
TIMEOUT_SECONDS = 600
_rendered: dict[tuple[str, str, int], AppTest] = {}

streamlit.logger.set_log_level("error")  # else AppTest warns of no runtime on every run


TOKEN_KEY = "_bench_session_token"  # where this AppTest's session token is kept
NONCE = "nonce-of-the-bench-browser"


def _sign_in(at: AppTest, conn: Connection, viewer: Viewer) -> None:
    """Give `at` a server-side session of `viewer`'s account, as the cookie would name it."""
    account = conn.execute(
        select(UserAccount.id).where(UserAccount.clinician_id == viewer.clinician_id)
    ).scalar_one()
    token = exchange_code(conn.engine, issue_code(conn.engine, account, NONCE), NONCE)
    at.session_state[TOKEN_KEY] = token


@contextmanager
def _cookies_from_session_state() -> Iterator[None]:
    """While a page runs, its session cookie is the token `_sign_in` kept."""
    kept = auth_ui.session_cookie, auth_ui.browser_nonce
    auth_ui.session_cookie = lambda: st.session_state.get(TOKEN_KEY)
    auth_ui.browser_nonce = lambda: NONCE
    try:
        yield
    finally:
        auth_ui.session_cookie, auth_ui.browser_nonce = kept


def _render(at: AppTest) -> int:
    """Run the page; fail on an exception shown on it, or on being asked to sign in. Returns
    the number of elements."""
    with _cookies_from_session_state():
        at.run()
    if at.exception:
        raise RuntimeError(f"{at.exception[0].message}")
    if any("sign in" in str(w.value).lower() for w in at.warning):
        raise RuntimeError("the page asked to sign in: the case would time the sign-in form")
    return len(list(at.main))


def _cold(page: str) -> Call:
    def call(conn: Connection, ctx: Context) -> int:
        url = conn.engine.url.render_as_string(hide_password=False)
        os.environ["DATABASE_URL"] = url
        st.cache_data.clear()
        at = AppTest.from_file(str(PAGES_DIR / f"{page}.py"), default_timeout=TIMEOUT_SECONDS)
        _sign_in(at, conn, ctx.viewer)
        elements = _render(at)
        _rendered[(url, page, ctx.viewer.clinician_id)] = at
        return elements

    return call


def _warm(page: str) -> Call:
    cold = _cold(page)

    def call(conn: Connection, ctx: Context) -> int:
        url = conn.engine.url.render_as_string(hide_password=False)
        at = _rendered.get((url, page, ctx.viewer.clinician_id))
        if at is None:
            return cold(conn, ctx)
        os.environ["DATABASE_URL"] = url
        return _render(at)

    return call


PAGE_CASES: list[Case] = [
    case
    for page in PAGES
    for case in (
        Case(f"page {page}, cold (< 2 s)", _cold(page), None, "page", COLD_SECONDS),
        Case(f"page {page}, warm (< 0.3 s)", _warm(page), None, "page", WARM_SECONDS),
    )
]
