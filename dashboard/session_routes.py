"""HTTP routes beside the Streamlit app that set and clear the HttpOnly session cookie.

A Streamlit script can read cookies (`st.context.cookies`) but cannot set one, let alone an
HttpOnly one. So after a successful sign-in the script makes a one-time code and sends the
browser to START_PATH; this route trades the code for a session, sets the cookie and redirects
to the page the person first asked for. END_PATH ends the session on the server and clears the
cookie. `dashboard/app.py` mounts these routes through `streamlit.starlette.App`.

The code is bound to the browser that signed in: `NonceCookie` gives every browser that loads
a page a short-lived HttpOnly nonce cookie, the script (which sees it in the websocket's
cookies) binds the code to it, and START_PATH accepts the code only with the same nonce. A
sign-out link carries a value derived from the session id (`sign_out_token`), so a link on
another site signs nobody out.
"""

from __future__ import annotations

import secrets
from contextlib import suppress
from urllib.parse import urlencode, urlsplit

from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from data_access.access.web_sessions import (
    MAX_SESSION_HOURS,
    end_session,
    exchange_code,
    sign_out_token,
)
from data_access.store.config import database_url
from data_access.store.engine import get_engine

COOKIE_NAME = "bs_session"
NONCE_COOKIE = "bs_nonce"
NONCE_SECONDS = 2 * 3600  # a sign-in page left open longer asks for a reload
START_PATH = "/session/start"
END_PATH = "/session/end"
SSO_LOGOUT_PATH = "/auth/logout"  # Streamlit's own route; clears its identity cookie


def safe_next(target: str | None) -> str:
    """`target` when it is a path on this site, else "/": sign-in never redirects elsewhere."""
    if not target or any(ch in target for ch in "\\\r\n\t") or not target.startswith("/"):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return "/"
    return target


def start_url(code: str, next_path: str) -> str:
    """Where the script sends the browser after sign-in: the code and the page to land on."""
    return f"{START_PATH}?{urlencode({'code': code, 'next': safe_next(next_path)})}"


def end_url(token: str, sso: bool) -> str:
    """Where the script sends the browser to sign out: with the session's sign-out value."""
    query = {"t": sign_out_token(token)} | ({"sso": "1"} if sso else {})
    return f"{END_PATH}?{urlencode(query)}"


def _forwarded_https(scope: Scope) -> bool:
    forwarded = HTTPConnection(scope).headers.get("x-forwarded-proto", "")
    return forwarded.split(",")[0].strip().lower() == "https"


def _is_https(request: Request) -> bool:
    return request.url.scheme == "https" or _forwarded_https(request.scope)


async def start_session(request: Request) -> RedirectResponse:
    """Trade a one-time code for a session cookie, then go to `next` (or back to sign-in)."""
    code = request.query_params.get("code", "")
    nonce = request.cookies.get(NONCE_COOKIE, "")
    next_path = safe_next(request.query_params.get("next"))
    engine = get_engine(database_url())
    try:
        token = (
            await run_in_threadpool(exchange_code, engine, code, nonce) if code and nonce else None
        )
    except DBAPIError:  # a database fault: back to the page, which says so in words
        token = None
    if token is None:
        return RedirectResponse(next_path, status_code=303)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=MAX_SESSION_HOURS * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_is_https(request),
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


async def end_session_route(request: Request) -> RedirectResponse:
    """Sign out: end the server session, clear the cookie, and (with SSO) Streamlit's too;
    only with the session's own sign-out value (`t`), else nothing happens."""
    token = request.cookies.get(COOKIE_NAME)
    if not token or not secrets.compare_digest(
        request.query_params.get("t", ""), sign_out_token(token)
    ):
        return RedirectResponse("/", status_code=303)
    # A database fault leaves the server session to expire by its idle timeout; the cookie is
    # cleared below all the same, so this browser is signed out.
    with suppress(DBAPIError):
        await run_in_threadpool(end_session, get_engine(database_url()), token)
    target = SSO_LOGOUT_PATH if request.query_params.get("sso") == "1" else "/"
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax")
    response.headers["Cache-Control"] = "no-store"
    return response


def session_routes() -> list[Route]:
    """The two cookie routes, for `App(..., routes=session_routes())`."""
    return [
        Route(START_PATH, start_session, methods=["GET"]),
        Route(END_PATH, end_session_route, methods=["GET"]),
    ]


class NonceCookie:
    """Give a browser that loads a page without one a random HttpOnly nonce cookie, which the
    sign-in code is bound to (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") != "GET"
            or scope.get("path", "").startswith(("/_stcore/", "/static/", "/component/"))
            or HTTPConnection(scope).cookies.get(NONCE_COOKIE)
        ):
            await self.app(scope, receive, send)
            return

        async def with_nonce(message: Message) -> None:
            if message["type"] == "http.response.start":
                secure = HTTPConnection(scope).url.scheme == "https" or (_forwarded_https(scope))
                cookie = (
                    f"{NONCE_COOKIE}={secrets.token_urlsafe(24)}; Max-Age={NONCE_SECONDS}; "
                    "Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
                )
                MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, with_nonce)
