"""The two HTTP routes that set and clear the session cookie, called as Starlette would."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine, select
from starlette.requests import Request

from dashboard.session_routes import COOKIE_NAME, end_session_route, start_session
from data_access.schema import UserAccount
from data_access.web_sessions import issue_code, session_viewer
from tests.builders import Practice


@pytest.fixture
def account(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    Practice(sqlite_engine).clinician("Cleo", email="cleo@example.org", password="correct horse")
    with sqlite_engine.connect() as conn:
        return conn.execute(select(UserAccount.id)).scalar_one()


def _get(handler, path: str, query: dict, headers: dict | None = None):  # noqa: ANN001, ANN202
    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "server": ("dashboard.example.org", 80),
        "path": path,
        "query_string": urlencode(query).encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
    }
    # A thread of its own: Playwright's event loop may be running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, handler(Request(scope))).result()


def _set_cookie(response) -> str:  # noqa: ANN001
    return response.headers.get("set-cookie", "")


def _token(response) -> str:  # noqa: ANN001
    return _set_cookie(response).split(";")[0].split("=", 1)[1]


def test_a_code_becomes_an_httponly_samesite_cookie_and_lands_on_next(
    sqlite_engine: Engine, account: int
) -> None:
    code = issue_code(sqlite_engine, account)
    response = _get(
        start_session, "/session/start", {"code": code, "next": "/client?client=C-0042"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/client?client=C-0042"
    cookie = _set_cookie(response)
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP (a local run): a Secure cookie would be dropped
    assert session_viewer(sqlite_engine, _token(response)).email == "cleo@example.org"


def test_behind_an_https_proxy_the_cookie_is_secure(sqlite_engine: Engine, account: int) -> None:
    code = issue_code(sqlite_engine, account)
    response = _get(start_session, "/session/start", {"code": code}, {"X-Forwarded-Proto": "https"})
    assert "Secure" in _set_cookie(response)


def test_a_used_or_made_up_code_sets_no_cookie(sqlite_engine: Engine, account: int) -> None:
    code = issue_code(sqlite_engine, account)
    _get(start_session, "/session/start", {"code": code})
    for attempt in (code, "made-up", ""):
        response = _get(start_session, "/session/start", {"code": attempt, "next": "/caseload"})
        assert response.status_code == 303 and response.headers["location"] == "/caseload"
        assert not _set_cookie(response)


def test_next_never_leaves_the_site(sqlite_engine: Engine, account: int) -> None:
    code = issue_code(sqlite_engine, account)
    response = _get(start_session, "/session/start", {"code": code, "next": "//evil.example"})
    assert response.headers["location"] == "/"


def test_sign_out_ends_the_session_and_deletes_the_cookie(
    sqlite_engine: Engine, account: int
) -> None:
    signed_in = _get(start_session, "/session/start", {"code": issue_code(sqlite_engine, account)})
    token = _token(signed_in)
    response = _get(end_session_route, "/session/end", {}, {"Cookie": f"{COOKIE_NAME}={token}"})
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert _set_cookie(response).startswith(f'{COOKIE_NAME}=""') or "Max-Age=0" in _set_cookie(
        response
    )
    assert session_viewer(sqlite_engine, token) is None
    after_sso = _get(end_session_route, "/session/end", {"sso": "1"})
    assert after_sso.headers["location"] == "/auth/logout"
