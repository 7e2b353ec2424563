"""Page tests sign in through a real server-side session: the cookie reader is replaced by one
that returns the token `tests.pagetest.sign_in_as` created, and the browser's nonce cookie by a
fixed one (AppTest cannot send cookies)."""

from __future__ import annotations

import pytest

import dashboard.auth_ui as auth_ui
from tests.pagetest import APPTEST_NONCE, cookie_under_test


@pytest.fixture(autouse=True)
def _cookies_from_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth_ui, "session_cookie", cookie_under_test)
    monkeypatch.setattr(auth_ui, "browser_nonce", lambda: APPTEST_NONCE)
