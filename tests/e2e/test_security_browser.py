"""Findings of the security review, replayed in Chromium and over a raw websocket: a tab that
reconnects after signing out elsewhere shows the sign-in page, a websocket without the cookie
gets nothing of a live session, and hostile names and codes stay text that links nowhere."""

from __future__ import annotations

import datetime as dt
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

from data_access.records.importer import import_file
from data_access.store.engine import new_engine
from data_access.store.migrate import upgrade
from data_access.store.schema import Client
from tests.builders import Practice
from tests.e2e.conftest import AppServer, assert_no_exception, sign_in, wait_for_app

TODAY = dt.date.today()
OUTSIDE = "outside.invalid"
HOSTILE_NAME = (
    f"Mal [link](http://{OUTSIDE}/a) ![img](http://{OUTSIDE}/i.png) "
    f"<a href='http://{OUTSIDE}/b'>b</a> <img src='http://{OUTSIDE}/j.png'> www.{OUTSIDE}"
)
HOSTILE_CODES = [f"[X](http://{OUTSIDE}/x)", f"![Y](http://{OUTSIDE}/y.png)", "<b>Z</b>"]
LEGACY_CODE = f"[C-9](http://{OUTSIDE}/c)"  # written straight to the database, as before the rule


def _history(p: Practice, client: int) -> None:
    for weeks in range(1, 7):
        day = TODAY - dt.timedelta(weeks=weeks)
        p.session(client, day, "attended")
        p.assignment(client, day, "completed", reviewed=day + dt.timedelta(days=7))
        p.score(client, "PHQ-9", 10 + weeks, day)


@pytest.fixture(scope="module")
def server(
    start_app: Callable[[str], AppServer], tmp_path_factory: pytest.TempPathFactory
) -> AppServer:
    """Cleo (supervised by Sam) treats C-0042 and a client with a legacy hostile code; Mal, a
    supervisee whose imported name is full of markup, treats M-1. Hostile codes are refused."""
    path: Path = tmp_path_factory.mktemp("security") / "security.db"
    url = f"sqlite:///{path}"
    engine = new_engine(url)
    upgrade(engine)
    p = Practice(engine)
    p.clinician("Ada Admin", role="admin", email="ada@example.org", password="pw-admin-1")
    sam = p.clinician(
        "Sam Super", role="supervisor", email="sam@example.org", password="pw-super-1"
    )
    cleo = p.clinician("Cleo Clin", supervisor=sam, email="cleo@example.org", password="pw-clin-1")
    intake = TODAY - dt.timedelta(days=60)
    for code in ("C-0042", LEGACY_CODE):
        _history(p, p.client(cleo, code=code, intake=intake))
    staff = (
        "email,name,role,supervisor_email\n"
        f'mal@example.org,"{HOSTILE_NAME}",clinician,sam@example.org\n'
    )
    assert import_file(engine, "clinicians", staff.encode(), viewer=None).written
    lines = [f'"{code}",mal@example.org,{intake},' for code in HOSTILE_CODES]
    clients = "client_code,clinician_email,intake_on,discharged_on\n" + "\n".join(lines) + "\n"
    refused = import_file(engine, "clients", clients.encode(), viewer=None)
    assert [p.column for p in refused.problems] == ["client_code"] * 3 and not refused.written
    ok = import_file(
        engine,
        "clients",
        f"client_code,clinician_email,intake_on,discharged_on\nM-1,mal@example.org,{intake},\n".encode(),
        viewer=None,
    )
    assert ok.written
    with engine.connect() as conn:
        _history(p, conn.execute(select(Client.id).where(Client.code == "M-1")).scalar_one())
    engine.dispose()
    return start_app(url)


def _session_id(page) -> list[str]:  # noqa: ANN001 - playwright Page
    """Collects the Streamlit session id the server hands this page (from its websocket)."""
    found: list[str] = []

    def frame(payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg()
            msg.ParseFromString(payload)
            if msg.HasField("new_session") and msg.new_session.initialize.session_id:
                found.append(msg.new_session.initialize.session_id)

    page.on("websocket", lambda ws: ws.on("framereceived", frame))
    return found


def test_a_tab_that_reconnects_after_sign_out_elsewhere_shows_the_sign_in_page(
    server: AppServer,
    page,  # noqa: ANN001
) -> None:
    sockets = []

    def keep(ws) -> None:  # noqa: ANN001 - playwright WebSocketRoute
        ws.connect_to_server()
        sockets.append(ws)

    page.context.set_default_timeout(60_000)  # a loaded machine draws the client page slowly
    page.route_web_socket("**/_stcore/stream", keep)
    sign_in(page, server, "cleo@example.org", "pw-clin-1", path="client?client=C-0042")
    page.get_by_text("Client C-0042").first.wait_for()

    other = page.context.new_page()  # tab B: same browser, same cookie
    other.bring_to_front()
    other.goto(server.url("client?client=C-0042"))
    wait_for_app(other)
    other.get_by_role("button", name="Sign out").click()
    other.get_by_label("Email", exact=True).wait_for()

    page.bring_to_front()
    sockets[-1].close()  # tab A's connection drops; Streamlit reconnects to the same session
    page.get_by_label("Email", exact=True).wait_for(timeout=30_000)
    wait_for_app(page)  # the run that draws the form clears the last run's elements as it ends
    assert page.get_by_text("Your session has ended").is_visible()
    assert page.get_by_text("Client C-0042").count() == 0
    assert page.get_by_text("Signed in as").count() == 0


def test_a_websocket_without_the_cookie_gets_nothing_of_a_live_session(
    server: AppServer,
    page,  # noqa: ANN001
) -> None:
    page.context.set_default_timeout(60_000)
    ids = _session_id(page)
    sign_in(page, server, "cleo@example.org", "pw-clin-1", path="client?client=C-0042")
    page.get_by_text("Client C-0042").first.wait_for()
    wait_for_app(page)
    assert ids, "the page's session id was not seen"

    seen: list[str] = []
    uri = server.url("_stcore/stream").replace("http://", "ws://")
    with connect(uri, subprotocols=["streamlit", "no-xsrf", ids[-1]], origin=server.base) as ws:
        rerun = BackMsg()
        rerun.rerun_script.query_string = "client=C-0042"
        ws.send(rerun.SerializeToString())
        deadline, started = time.monotonic() + 60, False
        while time.monotonic() < deadline:
            msg = ForwardMsg()
            msg.ParseFromString(ws.recv(timeout=20))
            seen.append(str(msg))
            started = started or msg.HasField("new_session")  # the run our rerun asked for
            if started and msg.HasField("script_finished"):
                break
    # Nor can anyone without the cookie upload into it, or read the server's metrics.
    for method, path in (("PUT", f"_stcore/upload_file/{ids[-1]}/f1"), ("GET", "_stcore/metrics")):
        request = urllib.request.Request(server.url(path), data=b"x" * 1024, method=method)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code in (403, 404)
    shown = "\n".join(seen)
    assert f'session_id: "{ids[-1]}"' in shown  # it did take over the live session…
    assert 'label: "Email"' in shown  # …and got the sign-in form, nothing else
    for secret in ("Cleo Clin", "Client C-0042", "PHQ-9", "Signed in as"):
        assert secret not in shown


def _off_site(url: str, server: AppServer) -> bool:
    """A request that leaves the site, other than Streamlit's own icon font."""
    own = (server.base, "data:", "blob:", "https://fonts.gstatic.com/s/i/")
    return not url.startswith(own)


@pytest.mark.parametrize(
    ("email", "password", "paths"),
    [
        ("sam@example.org", "pw-super-1", ["overview", "caseload", "homework", "outcomes"]),
        ("cleo@example.org", "pw-clin-1", ["client?client=C-0042", "data", "caseload"]),
        ("ada@example.org", "pw-admin-1", ["admin", "caseload"]),
    ],
)
def test_hostile_names_and_codes_make_no_outside_request_and_no_outside_link(
    server: AppServer,
    page,
    email: str,
    password: str,
    paths: list[str],  # noqa: ANN001
) -> None:
    page.context.set_default_timeout(60_000)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if _off_site(r.url, server) else None)
    sign_in(page, server, email, password)
    for path in paths:
        page.goto(server.url(path))
        wait_for_app(page)
        page.wait_for_timeout(1500)  # charts draw after the script
        assert_no_exception(page)
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        leaving = [h for h in hrefs if not h.startswith(server.base) and OUTSIDE in h]
        assert leaving == [], (path, leaving)
        assert OUTSIDE not in page.eval_on_selector_all(
            "img[src]", "images => images.map(i => i.src).join(' ')"
        )
    # Streamlit itself fetches its Material icons from Google Fonts; nothing else leaves.
    assert outside == [], outside
