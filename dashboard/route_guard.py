"""ASGI middleware in front of two of Streamlit's own routes that need only a live Streamlit
session (which the sign-in page gives anyone) or nothing at all:

- `PUT/DELETE /_stcore/upload_file/<streamlit session>/…`: only for a browser whose cookie
  names a live sign-in session, and only into the Streamlit session that this same sign-in
  session last ran in (`bind`, called on every signed-in script run), so knowing another
  tab's Streamlit session id is worth nothing; at most MAX_UPLOADS_IN_FLIGHT uploads at a time
  (Streamlit caps each one at `server.maxUploadSize` and holds it in memory).
- `/_stcore/metrics`: only for a signed-in admin (it names caches and counts their use).

Everything else passes through untouched.
"""

from __future__ import annotations

import asyncio

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from dashboard.session_routes import COOKIE_NAME
from data_access.access.viewer import Viewer
from data_access.access.web_sessions import session_viewer, token_hash
from data_access.store.config import database_url
from data_access.store.engine import get_engine

UPLOAD_PREFIX = "/_stcore/upload_file/"
METRICS_PATH = "/_stcore/metrics"
MAX_UPLOADS_IN_FLIGHT = 2

_signed_in_runs: dict[str, str] = {}  # Streamlit session id -> hash of its sign-in cookie


def bind(streamlit_session_id: str, token: str) -> None:
    """Record that this Streamlit session runs for the sign-in session `token` names."""
    _signed_in_runs[streamlit_session_id] = token_hash(token)


async def _viewer(scope: Scope, streamlit_session_id: str | None = None) -> Viewer | None:
    """The viewer of the live session this request's cookie names (not counted as activity);
    with `streamlit_session_id`, only when that Streamlit session runs for this cookie."""
    token = HTTPConnection(scope).cookies.get(COOKIE_NAME)
    if not token:
        return None
    if streamlit_session_id is not None and (
        _signed_in_runs.get(streamlit_session_id) != token_hash(token)
    ):
        return None
    engine = get_engine(database_url())
    return await run_in_threadpool(session_viewer, engine, token, None, None, False)


class RouteGuard:
    """Refuse uploads from browsers not signed in, and metrics to everyone but admins."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.uploads = asyncio.Semaphore(MAX_UPLOADS_IN_FLIGHT)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith(UPLOAD_PREFIX) and scope.get("method") != "OPTIONS":
            streamlit_session_id = path.removeprefix(UPLOAD_PREFIX).split("/")[0]
            if await _viewer(scope, streamlit_session_id) is None:
                await PlainTextResponse("Please sign in first.", 403)(scope, receive, send)
                return
            if self.uploads.locked():
                await PlainTextResponse("Too many uploads at once.", 429)(scope, receive, send)
                return
            async with self.uploads:
                await self.app(scope, receive, send)
            return
        if path.rstrip("/") == METRICS_PATH:
            viewer = await _viewer(scope)
            if viewer is None or not viewer.is_admin:
                await PlainTextResponse("Not found.", 404)(scope, receive, send)
                return
        await self.app(scope, receive, send)
