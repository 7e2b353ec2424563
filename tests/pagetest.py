"""Opening a page under Streamlit's AppTest as a given viewer, and reading what it shows."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import insert, select
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from data_access.access.viewer import Viewer
from data_access.access.web_sessions import exchange_code, issue_code
from data_access.store.config import database_url
from data_access.store.engine import get_engine
from data_access.store.schema import UserAccount

PAGES = Path(__file__).resolve().parents[1] / "pages"


def open_page(name: str, viewer: Viewer, query: dict[str, str] | None = None) -> AppTest:
    """Run `pages/<name>.py` signed in as `viewer`, with URL query parameters `query`."""
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)
    sign_in_as(at, viewer)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


TEST_COOKIE_KEY = "_cookie_under_test"
APPTEST_NONCE = "nonce-of-the-apptest-browser"


def cookie_under_test() -> str | None:
    """Stands in for `dashboard.auth_ui.session_cookie` under AppTest, which sends no cookies:
    the token `sign_in_as` put into this AppTest's session state."""
    return st.session_state.get(TEST_COOKIE_KEY)


def sign_in_as(at: AppTest, viewer: Viewer) -> AppTest:
    """Give `at` a real server-side session of `viewer` (an account is made if missing), as
    the cookie would name it; the page then checks it like any browser's."""
    engine = get_engine(database_url())
    with engine.begin() as conn:
        account = conn.execute(
            select(UserAccount.id).where(UserAccount.clinician_id == viewer.clinician_id)
        ).scalar()
        if account is None:
            account = conn.execute(
                insert(UserAccount).values(clinician_id=viewer.clinician_id, password_hash=None)
            ).inserted_primary_key[0]
    code = issue_code(engine, account, APPTEST_NONCE)
    at.session_state[TEST_COOKIE_KEY] = exchange_code(engine, code, APPTEST_NONCE)
    return at


def capture_downloads(monkeypatch: pytest.MonkeyPatch) -> list[Callable[[], object]]:
    """The callables that download buttons register for on-click files, in order: calling one
    is what pressing its button does (AppTest's click does not fetch the file)."""
    made: list[Callable[[], object]] = []
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        made.append(data_callable)
        return original(self, data_callable, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return made


def as_shown(markdown: str) -> str:
    """Markdown source as the reader sees it: backslash escapes (`dashboard.plain_text.md`)
    removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def metric_values(at: AppTest) -> dict[str, str]:
    """Each headline metric's label and the value shown."""
    return {m.label: m.value for m in at.metric}


def page_text(at: AppTest) -> str:
    """The tables, markdown and captions on the page, as one string to search."""
    parts = [str(df.value.to_dict()) for df in at.dataframe]
    parts += [e.value for e in at.markdown] + [e.value for e in at.caption]
    return " ".join(parts)
