"""Page tests sign in through a real server-side session: the cookie reader is replaced by one
that returns the token `tests.pagetest.sign_in_as` created (AppTest cannot send cookies)."""

from __future__ import annotations

import pytest

import dashboard.auth_ui as auth_ui
from tests.pagetest import cookie_under_test


@pytest.fixture(autouse=True)
def _cookie_from_test_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth_ui, "session_cookie", cookie_under_test)
