"""The middleware in front of Streamlit's upload and metrics routes, called as an ASGI server
would: uploads only with a live sign-in cookie, metrics only for admins."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, select

from dashboard.route_guard import RouteGuard, bind
from dashboard.session_routes import COOKIE_NAME
from data_access.access.web_sessions import end_session, exchange_code, issue_code
from data_access.store.schema import UserAccount
from tests.builders import Practice

UPLOAD = "/_stcore/upload_file/tab-of-cleo/file-1"
OTHER_TAB = "/_stcore/upload_file/tab-of-someone-else/file-1"


@pytest.fixture
def tokens(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A live session token for a clinician and one for an admin."""
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    p = Practice(sqlite_engine)
    p.clinician("Cleo", email="cleo@example.org", password="correct horse")
    p.clinician("Ada", role="admin", email="ada@example.org", password="correct horse")
    with sqlite_engine.connect() as conn:
        cleo, ada = conn.execute(select(UserAccount.id).order_by(UserAccount.id)).scalars()
    tokens = {
        who: exchange_code(sqlite_engine, issue_code(sqlite_engine, account, "n"), "n")
        for who, account in (("cleo", cleo), ("ada", ada))
    }
    bind("tab-of-cleo", tokens["cleo"])  # Cleo's signed-in script ran in this tab
    bind("tab-of-someone-else", tokens["ada"])
    return tokens


def _call(method: str, path: str, token: str | None = None) -> tuple[int, bool]:
    """(status, whether Streamlit's own route was reached) for one request."""
    reached = []

    async def streamlit(scope, receive, send) -> None:  # noqa: ANN001
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    headers = [(b"cookie", f"{COOKIE_NAME}={token}".encode())] if token else []
    scope = {"type": "http", "method": method, "path": path, "headers": headers}
    sent = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, RouteGuard(streamlit)(scope, receive, send)).result()
    return sent[0]["status"], bool(reached)


def test_an_upload_without_a_live_sign_in_never_reaches_streamlit(
    tokens: dict[str, str], sqlite_engine: Engine
) -> None:
    assert _call("PUT", UPLOAD) == (403, False)
    assert _call("PUT", UPLOAD, "made-up-token") == (403, False)
    assert _call("PUT", UPLOAD, tokens["cleo"]) == (204, True)
    assert _call("PUT", OTHER_TAB, tokens["cleo"]) == (403, False)  # a session id alone: nothing
    end_session(sqlite_engine, tokens["cleo"])  # signed out
    assert _call("PUT", UPLOAD, tokens["cleo"]) == (403, False)
    assert _call("DELETE", UPLOAD) == (403, False)


def test_metrics_are_for_admins_only(tokens: dict[str, str]) -> None:
    assert _call("GET", "/_stcore/metrics") == (404, False)
    assert _call("GET", "/_stcore/metrics", tokens["cleo"]) == (404, False)
    assert _call("GET", "/_stcore/metrics", tokens["ada"]) == (204, True)


def test_every_other_route_passes_untouched(tokens: dict[str, str]) -> None:
    assert _call("GET", "/_stcore/health") == (204, True)
    assert _call("GET", "/client") == (204, True)


def test_at_most_two_uploads_are_held_at_once(tokens: dict[str, str]) -> None:
    async def scenario() -> list[int]:
        release = asyncio.Event()
        statuses: list[int] = []

        async def slow_streamlit(scope, receive, send) -> None:  # noqa: ANN001
            await release.wait()  # an upload still arriving
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        guard = RouteGuard(slow_streamlit)
        cookie = [(b"cookie", f"{COOKIE_NAME}={tokens['cleo']}".encode())]

        async def upload() -> None:
            async def receive() -> dict:
                return {"type": "http.request", "body": b"", "more_body": False}

            async def send(message: dict) -> None:
                if message["type"] == "http.response.start":
                    statuses.append(message["status"])

            scope = {"type": "http", "method": "PUT", "path": UPLOAD, "headers": cookie}
            await guard(scope, receive, send)

        first = [asyncio.create_task(upload()) for _ in range(2)]
        while not guard.uploads.locked():
            await asyncio.sleep(0.01)
        await upload()  # a third while two are in flight
        release.set()
        await asyncio.gather(*first)
        return statuses

    with ThreadPoolExecutor(max_workers=1) as pool:
        statuses = pool.submit(asyncio.run, scenario()).result()
    assert statuses == [429, 204, 204]
