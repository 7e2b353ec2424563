"""A light browser stand-in: one Streamlit websocket session that opens pages as the web page does.

It connects to `/_stcore/stream` with the sign-in cookie, sends the `rerunScript` BackMsg a
browser sends for a page (page name and query string from the URL, no cached messages, so every
element is sent in full), and counts a page as settled when a ForwardMsg `script_finished` ends
that run (a run ended early for a rerun is followed by the real one). No JavaScript, no drawing:
it measures the server's side of a page view, which is what queues when many people click at once.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

SETTLED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
SIGNED_OUT = "Please sign in"


@dataclass(frozen=True)
class Visit:
    """One page a simulated person opens: the URL path (`overview`) and its query string."""

    page: str
    query: str = ""


@dataclass(frozen=True)
class Result:
    """How one visit went: seconds to a settled page, bytes received, and an error or None."""

    visit: Visit
    seconds: float
    received: int
    error: str | None


def _rerun(base: str, visit: Visit) -> bytes:
    url = f"{base}/{visit.page}" + (f"?{visit.query}" if visit.query else "")
    state = ClientState(
        query_string=visit.query,
        page_name=visit.page,
        context_info=ContextInfo(url=url, timezone="UTC", timezone_offset=0, locale="en-GB"),
    )
    return BackMsg(rerun_script=state).SerializeToString()


def _problem(msg: ForwardMsg) -> str | None:
    """What a ForwardMsg says went wrong for a person, if anything."""
    kind = msg.WhichOneof("type")
    if kind == "page_not_found":
        return "page not found"
    if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        element = msg.delta.new_element
        if element.WhichOneof("type") == "exception":
            return f"exception: {element.exception.type} {element.exception.message[:120]}"
        if element.WhichOneof("type") == "text_input" and element.text_input.label == "Email":
            return "signed out"  # the sign-in form instead of the page
        if element.WhichOneof("type") == "alert" and SIGNED_OUT in element.alert.body:
            return "signed out"
        if element.WhichOneof("type") == "alert" and "retrying" in element.alert.body:
            return "database fault shown"
    return None


async def _open(ws: ClientConnection, base: str, visit: Visit, timeout: float) -> Result:
    """Ask for `visit` on an open session and read until its script run has finished."""
    started = time.perf_counter()
    received = 0
    error: str | None = None
    await ws.send(_rerun(base, visit))
    try:
        async with asyncio.timeout(timeout):
            while True:
                data = await ws.recv()
                received += len(data)
                msg = ForwardMsg()
                msg.ParseFromString(data)
                error = error or _problem(msg)
                if msg.WhichOneof("type") == "script_finished" and msg.script_finished in SETTLED:
                    break
    except TimeoutError:
        error = f"no settled page within {timeout:.0f} s"
    return Result(visit, time.perf_counter() - started, received, error)


async def browse(
    base: str, cookie: str, visits: list[Visit], timeout: float = 120.0
) -> list[Result]:
    """One person: connect with `cookie` (a `name=value` header), open `visits` in turn, each
    timed from its request (the first also from the connection) to its settled page."""
    stream = base.replace("http://", "ws://", 1) + "/_stcore/stream"
    started = time.perf_counter()
    results: list[Result] = []
    try:
        async with connect(
            stream,
            subprotocols=["streamlit"],
            additional_headers={"Cookie": cookie, "Origin": base},
            open_timeout=timeout,
            max_size=None,
            ping_interval=None,
        ) as ws:
            for visit in visits:
                result = await _open(ws, base, visit, timeout)
                if not results:  # the first page also waits for the connection, as a tab does
                    result = Result(
                        visit, time.perf_counter() - started, result.received, result.error
                    )
                results.append(result)
                if result.error and result.error.startswith("no settled page"):
                    break  # the run may still be going; the next request would only queue
    except (OSError, TimeoutError, WebSocketException) as exc:
        if len(results) < len(visits):  # the page being waited for is lost with the connection
            error = f"connection: {type(exc).__name__}"
            results.append(Result(visits[len(results)], time.perf_counter() - started, 0, error))
    return results
