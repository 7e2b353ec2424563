"""HTTP routes beside the Streamlit app that set and clear the HttpOnly session cookie.

A Streamlit script can read cookies (`st.context.cookies`) but cannot set one, let alone an
HttpOnly one. So after a successful sign-in the script makes a one-time code and sends the
browser to START_PATH; this route trades the code for a session, sets the cookie and redirects
to the page the person first asked for. END_PATH ends the session on the server and clears the
cookie. `dashboard/app.py` mounts these routes through `streamlit.starlette.App`.
"""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import urlencode, urlsplit

from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from data_access.config import database_url
from data_access.engine import get_engine
from data_access.web_sessions import MAX_SESSION_HOURS, end_session, exchange_code

COOKIE_NAME = "bs_session"
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


def _is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


async def start_session(request: Request) -> RedirectResponse:
    """Trade a one-time code for a session cookie, then go to `next` (or back to sign-in)."""
    code = request.query_params.get("code", "")
    next_path = safe_next(request.query_params.get("next"))
    engine = get_engine(database_url())
    try:
        token = await run_in_threadpool(exchange_code, engine, code) if code else None
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
    """Sign out: end the server session, clear the cookie, and (with SSO) Streamlit's too."""
    token = request.cookies.get(COOKIE_NAME)
    if token:
        # A database fault leaves the server session to expire by its idle timeout; the cookie
        # is cleared below all the same, so this browser is signed out.
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
