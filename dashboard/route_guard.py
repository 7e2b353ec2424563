"""ASGI middleware in front of two of Streamlit's own routes that need only a live Streamlit
session (which the sign-in page gives anyone) or nothing at all:

- `PUT/DELETE /_stcore/upload_file/…`: only for a browser whose cookie names a live sign-in
  session, and at most MAX_UPLOADS_IN_FLIGHT uploads at a time (Streamlit caps each one at
  `server.maxUploadSize` and holds it in memory).
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
from data_access.config import database_url
from data_access.engine import get_engine
from data_access.viewer import Viewer
from data_access.web_sessions import session_viewer

UPLOAD_PREFIX = "/_stcore/upload_file/"
METRICS_PATH = "/_stcore/metrics"
MAX_UPLOADS_IN_FLIGHT = 2


async def _viewer(scope: Scope) -> Viewer | None:
    """The viewer of the live session this request's cookie names (not counted as activity)."""
    token = HTTPConnection(scope).cookies.get(COOKIE_NAME)
    if not token:
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
            if await _viewer(scope) is None:
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
