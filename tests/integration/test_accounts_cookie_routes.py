"""The two HTTP routes that set and clear the session cookie, called as Starlette would."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine, select
from starlette.requests import Request

from dashboard.session_routes import (
    COOKIE_NAME,
    NONCE_COOKIE,
    NonceCookie,
    end_session_route,
    start_session,
)
from data_access.access.web_sessions import issue_code, session_viewer, sign_out_token
from data_access.store.schema import UserAccount
from tests.builders import Practice

NONCE = "nonce-of-the-browser-that-signed-in"
BROWSER = {"Cookie": f"{NONCE_COOKIE}={NONCE}"}


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
    code = issue_code(sqlite_engine, account, NONCE)
    response = _get(
        start_session, "/session/start", {"code": code, "next": "/client?client=C-0042"}, BROWSER
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/client?client=C-0042"
    cookie = _set_cookie(response)
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP (a local run): a Secure cookie would be dropped
    assert session_viewer(sqlite_engine, _token(response)).email == "cleo@example.org"


def test_behind_an_https_proxy_the_cookie_is_secure(sqlite_engine: Engine, account: int) -> None:
    code = issue_code(sqlite_engine, account, NONCE)
    response = _get(
        start_session, "/session/start", {"code": code}, {"X-Forwarded-Proto": "https", **BROWSER}
    )
    assert "Secure" in _set_cookie(response)


def test_a_used_or_made_up_code_sets_no_cookie(sqlite_engine: Engine, account: int) -> None:
    code = issue_code(sqlite_engine, account, NONCE)
    _get(start_session, "/session/start", {"code": code}, BROWSER)
    for attempt in (code, "made-up", ""):
        response = _get(
            start_session, "/session/start", {"code": attempt, "next": "/caseload"}, BROWSER
        )
        assert response.status_code == 303 and response.headers["location"] == "/caseload"
        assert not _set_cookie(response)


def test_next_never_leaves_the_site(sqlite_engine: Engine, account: int) -> None:
    code = issue_code(sqlite_engine, account, NONCE)
    response = _get(
        start_session, "/session/start", {"code": code, "next": "//evil.example"}, BROWSER
    )
    assert response.headers["location"] == "/"


def test_a_code_works_only_in_the_browser_that_asked_for_it(
    sqlite_engine: Engine, account: int
) -> None:
    # An attacker's unused code, opened by a victim: the victim's browser has another nonce.
    code = issue_code(sqlite_engine, account, NONCE)
    for victim in ({"Cookie": f"{NONCE_COOKIE}=the-victims-own-nonce"}, {}):
        response = _get(start_session, "/session/start", {"code": code}, victim)
        assert response.status_code == 303 and not _set_cookie(response)
    assert _set_cookie(_get(start_session, "/session/start", {"code": code}, BROWSER))


def test_sign_out_needs_the_sessions_own_value(sqlite_engine: Engine, account: int) -> None:
    signed_in = _get(
        start_session,
        "/session/start",
        {"code": issue_code(sqlite_engine, account, NONCE)},
        BROWSER,
    )
    token = _token(signed_in)
    cookie = {"Cookie": f"{COOKIE_NAME}={token}"}
    # A link on another site: no value, or a made-up one. Nothing ends, no cookie is touched.
    for query in ({}, {"t": "guessed"}):
        response = _get(end_session_route, "/session/end", query, cookie)
        assert response.headers["location"] == "/" and not _set_cookie(response)
        assert session_viewer(sqlite_engine, token) is not None
    response = _get(end_session_route, "/session/end", {"t": sign_out_token(token)}, cookie)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert _set_cookie(response).startswith(f'{COOKIE_NAME}=""') or "Max-Age=0" in _set_cookie(
        response
    )
    assert session_viewer(sqlite_engine, token) is None
    again = _token(
        _get(
            start_session,
            "/session/start",
            {"code": issue_code(sqlite_engine, account, NONCE)},
            BROWSER,
        )
    )
    after_sso = _get(
        end_session_route,
        "/session/end",
        {"t": sign_out_token(again), "sso": "1"},
        {"Cookie": f"{COOKIE_NAME}={again}"},
    )
    assert after_sso.headers["location"] == "/auth/logout"


def _page_load(path: str, headers: dict[str, str]) -> list[str]:
    """The Set-Cookie headers NonceCookie adds to a GET of `path`."""
    sent: list[dict] = []

    async def page(scope, receive, send) -> None:  # noqa: ANN001
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"<html>"})

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "server": ("dashboard.example.org", 80),
        "path": path,
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, NonceCookie(page)(scope, None, send)).result()
    return [v.decode() for k, v in sent[0]["headers"] if k == b"set-cookie"]


def test_a_page_load_gives_the_browser_an_httponly_nonce_once() -> None:
    [cookie] = _page_load("/client", {})
    assert cookie.startswith(f"{NONCE_COOKIE}=") and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie and "Max-Age=7200" in cookie
    assert _page_load("/client", BROWSER) == []  # it keeps the one it has
    assert _page_load("/_stcore/health", {}) == []
