"""The sign-in page and the gate in dashboard/app.py, driven through AppTest.

AppTest cannot send cookies, so tests that need the session cookie stand in for the browser by
replacing `dashboard.auth_ui.session_cookie` (the one place the cookie is read).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine, insert, select
from streamlit.testing.v1 import AppTest

import dashboard.auth_ui as auth_ui
from data_access.access.accounts import FAILED_MESSAGE, LOCKED_MESSAGE
from data_access.access.web_sessions import (
    end_session,
    exchange_code,
    session_viewer,
    sign_out_token,
)
from data_access.store.schema import AuditEvent, Setting
from tests.builders import Practice
from tests.pagetest import APPTEST_NONCE

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture
def practice(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Practice:
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    practice = Practice(sqlite_engine)
    practice.cleo = practice.clinician("Cleo", email="cleo@example.org", password="correct horse")
    return practice


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def _submit(at: AppTest, email: str, password: str) -> AppTest:
    [email_box] = [t for t in at.text_input if t.label == "Email"]
    [password_box] = [t for t in at.text_input if t.label == "Password"]
    email_box.input(email)
    password_box.input(password)
    [button] = [b for b in at.button if b.label == "Sign in"]
    return button.click().run()


def _start_url(at: AppTest) -> str:
    """The /session/start URL the page sends the browser to after a successful sign-in."""
    html = " ".join(h.proto.body for h in at.get("html"))
    match = re.search(r'"(/session/start\?[^"]+)"', html)
    assert match, html
    return match.group(1)


def test_signed_out_the_app_shows_only_the_sign_in_form(practice: Practice) -> None:
    at = _app().run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Email", "Password"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert at.title[0].value == "Between Sessions"


def test_wrong_password_and_unknown_email_show_the_same_refusal(practice: Practice) -> None:
    at = _submit(_app().run(), "cleo@example.org", "wrong")
    assert [e.value for e in at.error] == [FAILED_MESSAGE]
    at = _submit(at, "nobody@example.org", "correct horse")
    assert [e.value for e in at.error] == [FAILED_MESSAGE]
    assert "viewer" not in at.session_state


def test_the_fifth_failure_locks_with_a_message_that_reveals_nothing(practice: Practice) -> None:
    at = _app().run()
    for _ in range(5):
        at = _submit(at, "cleo@example.org", "wrong")
    assert [e.value for e in at.error] == [LOCKED_MESSAGE]
    at = _submit(at, "cleo@example.org", "correct horse")
    assert [e.value for e in at.error] == [LOCKED_MESSAGE]


def test_success_hands_the_browser_a_one_time_code_for_its_cookie(
    practice: Practice, sqlite_engine: Engine
) -> None:
    at = _submit(_app().run(), "Cleo@Example.org", "correct horse")
    assert not at.exception and not at.error
    assert "Signed in as Cleo" in at.success[0].value
    query = parse_qs(urlsplit(_start_url(at)).query)
    assert query["next"] == ["/"]
    token = exchange_code(sqlite_engine, query["code"][0], APPTEST_NONCE)
    assert session_viewer(sqlite_engine, token).email == "cleo@example.org"
    # The script itself never signs the tab in: only the cookie's session does.
    assert "viewer" not in at.session_state


def test_a_deep_link_is_kept_through_sign_in(practice: Practice) -> None:
    at = _app()
    at.query_params["client"] = "C-0042"
    at = _submit(at.run(), "cleo@example.org", "correct horse")
    assert parse_qs(urlsplit(_start_url(at)).query)["next"] == ["/?client=C-0042"]


def test_an_empty_database_says_how_to_create_the_first_account(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    at = _app().run()
    assert "python -m data_access create-user" in at.warning[0].value


def test_a_demo_database_names_its_demo_accounts(practice: Practice, sqlite_engine: Engine) -> None:
    with sqlite_engine.begin() as conn:
        conn.execute(insert(Setting).values(key="demo", value="true"))
    at = _app().run()
    assert not at.warning
    assert "clinician@demo.example" in " ".join(c.value for c in at.caption)


def _live_token(practice: Practice, sqlite_engine: Engine) -> str:
    at = _submit(_app().run(), "cleo@example.org", "correct horse")
    code = parse_qs(urlsplit(_start_url(at)).query)["code"][0]
    return exchange_code(sqlite_engine, code, APPTEST_NONCE)


def test_the_cookie_signs_a_new_tab_in(
    practice: Practice, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _live_token(practice, sqlite_engine)
    monkeypatch.setattr(auth_ui, "session_cookie", lambda: token)
    at = _app().run()  # the default page itself belongs to another issue: not asserted here
    assert at.session_state["viewer"].email == "cleo@example.org"
    assert "Signed in as **Cleo** (clinician)" in " ".join(c.value for c in at.sidebar.caption)


def test_an_ended_session_overrules_the_viewer_in_session_state(
    practice: Practice, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _live_token(practice, sqlite_engine)
    monkeypatch.setattr(auth_ui, "session_cookie", lambda: token)
    at = _app().run()
    end_session(sqlite_engine, token)  # signed out in another tab, or idle too long
    at.run()
    assert [t.label for t in at.text_input] == ["Email", "Password"]
    assert "Your session has ended" in at.info[0].value
    assert "viewer" not in at.session_state


def test_sign_out_ends_the_server_session_and_clears_the_cookie(
    practice: Practice, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _live_token(practice, sqlite_engine)
    monkeypatch.setattr(auth_ui, "session_cookie", lambda: token)
    at = _app().run()
    [sign_out] = [b for b in at.sidebar.button if b.label == "Sign out"]
    at = sign_out.click().run()
    assert session_viewer(sqlite_engine, token) is None
    html = " ".join(h.proto.body for h in at.get("html"))
    assert f'"/session/end?t={sign_out_token(token)}"' in html
    with sqlite_engine.connect() as conn:
        actions = list(conn.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars())
    assert actions == ["sign_in", "sign_out"]


def test_single_sign_on_is_offered_only_when_configured(practice: Practice) -> None:
    at = _app().run()
    assert [b.label for b in at.button] == ["Sign in"]
    at = _app()
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "not-a-real-secret",
        "client_id": "between-sessions",
        "client_secret": "not-a-real-secret",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
    }
    at.run()
    assert [b.label for b in at.button] == ["Sign in", "Sign in with single sign-on"]


def test_a_browser_without_the_nonce_cookie_gets_no_code(
    practice: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth_ui, "browser_nonce", lambda: None)
    at = _submit(_app().run(), "cleo@example.org", "correct horse")
    assert at.error[0].value == (
        "This browser did not keep the sign-in cookie. Please reload the page."
    )
    assert "/session/start" not in " ".join(h.proto.body for h in at.get("html"))


def test_a_viewer_put_into_session_state_without_a_cookie_counts_for_nothing(
    practice: Practice,
) -> None:
    # What a reconnect without the cookie (or a raw websocket naming a live session) looks
    # like to the script: state from a signed-in past, no cookie now.
    at = _app()
    at.session_state["viewer"] = practice.viewer(practice.cleo)
    at.session_state["client_filter"] = "C-0001"
    at.run()
    assert [t.label for t in at.text_input] == ["Email", "Password"]
    assert "viewer" not in at.session_state and "client_filter" not in at.session_state
    assert "Your session has ended" in at.info[0].value
