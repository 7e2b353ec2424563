"""Page cases: each practice-wide page rendered by AppTest as its viewer, cold and warm.

Issue #4's bar: at 10,000 clients on SQLite a page renders in under 2 s with empty caches
(cold) and under 0.3 s when its data is cached (warm). Cold clears `st.cache_data` and runs
a fresh AppTest every time; warm re-runs the app the cold case left behind. The page reads
the database from DATABASE_URL, set here to the bench's own database.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st
import streamlit.logger
from sqlalchemy import Connection
from streamlit.testing.v1 import AppTest

from bench.cases import Call, Case, Context

PAGES = ("overview", "caseload", "homework", "outcomes")
COLD_SECONDS, WARM_SECONDS = 2.0, 0.3
PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
TIMEOUT_SECONDS = 600
_rendered: dict[tuple[str, str, int], AppTest] = {}

streamlit.logger.set_log_level("error")  # else AppTest warns of no runtime on every run


def _render(at: AppTest) -> int:
    """Run the page; fail on an exception shown on it. Returns the number of elements."""
    at.run()
    if at.exception:
        raise RuntimeError(f"{at.exception[0].message}")
    return len(list(at.main))


def _cold(page: str) -> Call:
    def call(conn: Connection, ctx: Context) -> int:
        url = conn.engine.url.render_as_string(hide_password=False)
        os.environ["DATABASE_URL"] = url
        st.cache_data.clear()
        at = AppTest.from_file(str(PAGES_DIR / f"{page}.py"), default_timeout=TIMEOUT_SECONDS)
        at.session_state["viewer"] = ctx.viewer
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
