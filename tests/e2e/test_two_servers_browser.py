"""Two app processes on one PostgreSQL behind nginx (deploy/nginx/between-sessions.conf), in
Chromium: sign in through the proxy on process A, be routed to process B and stay signed in,
save homework on A and see it on B at the next page view, although B had the client's page
cached from before the write.

Which process served each step is read twice: from the `X-Upstream` header nginx adds to
every page, and from nginx's access log, which names the process of each websocket (where the
sign-in, the save and the reads run) beside the routing cookie it was sent with.
"""

from __future__ import annotations

import datetime as dt
import http.client
import re
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bench.app_server import AppServer
from data_access.demo import build_demo
from data_access.store.engine import new_engine
from data_access.store.schema import Assignment, Client, Clinician
from tests.e2e.conftest import SLOW_MACHINE_MS, assert_no_exception, sign_in, wait_for_app
from tests.e2e.nginx_proxy import NGINX, ROUTE_COOKIE, NginxProxy, nginx_installed
from tests.scratch_postgres import missing, scratch_postgres

pytestmark = pytest.mark.e2e
CLINICIAN = "clinician@demo.example"
SCORE_OF_AN_UNKNOWN_MEASURE = "client_code,measure,score,recorded_on\n{code},BDI,9,{today}\n"


@pytest.fixture(scope="module")
def practice_url() -> Iterator[str]:
    """A scratch PostgreSQL database on TEST_DATABASE_URL's server with a small demo practice."""
    unset = "TEST_DATABASE_URL is not set: two servers need one PostgreSQL"
    with scratch_postgres("bs_proxy", unset) as url:
        engine = new_engine(url)
        build_demo(engine, clinicians=4, clients=20, weeks=8, seed=11, progress=False)
        engine.dispose()
        yield url


@pytest.fixture(scope="module")
def deployment(request, tmp_path_factory):  # noqa: ANN001, ANN201 - fixtures
    """Two app processes sharing the database and cookie secret, behind nginx with TLS."""
    if not nginx_installed():
        missing(f"no nginx at {NGINX} (apt-get install nginx)")
    practice_url = request.getfixturevalue("practice_url")  # only once nginx is known to be here
    folder = tmp_path_factory.mktemp("two_servers")
    shared = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
    with ThreadPoolExecutor(2) as pool:  # the two start at once, which halves the wait
        starting = [
            pool.submit(AppServer, practice_url, folder / f"app_{n}.log", shared) for n in "ab"
        ]
        apps = [s.result() for s in starting]
    try:
        proxy = NginxProxy([f"127.0.0.1:{app.port}" for app in apps], folder)
        try:
            yield proxy, apps
        finally:
            proxy.stop()
    finally:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(AppServer.stop, apps))


def routes_to(proxy: NginxProxy, apps: list[AppServer]) -> list[str]:
    """For each app process, a routing cookie value that nginx sends to it."""
    found: dict[str, str] = {}
    for n in range(200):
        found.setdefault(proxy.upstream_for(f"route-{n}"), f"route-{n}")
        if len(found) == len(apps):
            break
    return [found[f"127.0.0.1:{app.port}"] for app in apps]


def first_client(url: str) -> tuple[str, int]:
    """The clinician's first client code and how many assignments it has, from the database."""
    engine = new_engine(url)
    with engine.connect() as conn:
        code, client_id = conn.execute(
            select(Client.code, Client.id)
            .join(Clinician, Clinician.id == Client.clinician_id)
            .where(Clinician.email == CLINICIAN)
            .order_by(Client.code)
            .limit(1)
        ).one()
        count = conn.execute(
            select(func.count()).where(Assignment.client_id == client_id)
        ).scalar_one()
    engine.dispose()
    return code, count


def test_two_processes_behind_nginx_share_sign_in_and_writes(deployment, practice_url, browser):  # noqa: ANN001
    proxy, apps = deployment
    address = [f"127.0.0.1:{app.port}" for app in apps]
    route = routes_to(proxy, apps)
    code, count = first_client(practice_url)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, ignore_https_errors=True)
    context.set_default_timeout(SLOW_MACHINE_MS)
    page = context.new_page()
    pages_from: list[str] = []  # X-Upstream of each page (HTML document) loaded

    def note_upstream(response) -> None:  # noqa: ANN001 - a Playwright Response
        if response.request.resource_type == "document":
            pages_from.append(response.headers["x-upstream"])

    page.on("response", note_upstream)

    def route_to(n: int) -> None:
        context.add_cookies([{"name": ROUTE_COOKIE, "value": route[n], "url": proxy.url("/")}])
        pages_from.clear()

    def open_client() -> None:
        page.goto(proxy.url(f"client?client={code}"))
        page.get_by_role("heading", name=f"Client {code}").wait_for()
        wait_for_app(page)

    def downloads(n: int) -> None:
        page.get_by_role("button", name=f"Download these {n} assignments (CSV)").wait_for()

    # 1. Sign in through the proxy on process A.
    route_to(0)
    sign_in(page, proxy, CLINICIAN)
    assert page.url.startswith(proxy.base)
    assert pages_from and set(pages_from) == {address[0]}
    cookies = {c["name"]: c for c in context.cookies(proxy.base)}
    assert {"bs_session", "bs_nonce", ROUTE_COOKIE, "_streamlit_xsrf"} <= set(cookies)
    assert all(c["secure"] for c in cookies.values()), cookies  # though TLS ends at nginx
    assert all(cookies[name]["httpOnly"] for name in ("bs_session", "bs_nonce", ROUTE_COOKIE))

    # 2. Routed to B: still signed in (no sign-in form); B caches this client's homework.
    route_to(1)
    open_client()
    assert page.get_by_label("Email", exact=True).count() == 0
    page.get_by_text("Signed in as").wait_for()
    downloads(count)
    mood_logs = page.get_by_text(re.compile(r"^Daily Mood Log — not reviewed yet"))
    before = mood_logs.count()
    assert set(pages_from) == {address[1]}

    # 3. Back on A: save a new homework for the client.
    route_to(0)
    open_client()
    page.get_by_label("Instructions").fill("Walk to the corner shop once, through the proxy")
    page.get_by_role("button", name="Save homework").click()
    page.get_by_text(f"Saved: Daily Mood Log for {code}").wait_for()
    assert set(pages_from) == {address[0]}
    assert first_client(practice_url)[1] == count + 1

    # 4. On B again: the next page view shows it, B's cache from step 2 notwithstanding.
    route_to(1)
    open_client()
    downloads(count + 1)
    assert mood_logs.count() == before + 1  # "Since the last session" lists the new one
    assert set(pages_from) == {address[1]}
    assert_no_exception(page)
    page.screenshot(path=proxy.folder / "client_on_b.png")
    context.close()

    # The websockets, logged by nginx as they close: each went where its routing cookie said.
    # A held three (the sign-in page, the page after sign-in, the save), B two (steps 2 and 4).
    for n, expected in ((0, 3), (1, 2)):
        streams = proxy.websockets(route[n], expected)
        assert len(streams) >= expected and set(streams) == {address[n]}, streams


def test_an_upload_through_the_proxy_reaches_the_process_of_its_page(
    deployment,  # noqa: ANN001
    practice_url,  # noqa: ANN001
    browser,  # noqa: ANN001
):
    """The upload is a separate HTTP request (with Streamlit's XSRF token and the app's sign-in
    check); the routing cookie sends it to the process that holds the page's session."""
    proxy, apps = deployment
    route = routes_to(proxy, apps)
    csv = SCORE_OF_AN_UNKNOWN_MEASURE.format(
        code=first_client(practice_url)[0], today=dt.date.today().isoformat()
    )
    context = browser.new_context(viewport={"width": 1400, "height": 900}, ignore_https_errors=True)
    context.set_default_timeout(SLOW_MACHINE_MS)
    context.add_cookies([{"name": ROUTE_COOKIE, "value": route[1], "url": proxy.url("/")}])
    page = context.new_page()
    uploads: list[tuple[int, str]] = []
    page.on(
        "response",
        lambda r: (
            "/_stcore/upload_file/" in r.url and uploads.append((r.status, r.headers["x-upstream"]))
        ),
    )
    sign_in(page, proxy, CLINICIAN)
    page.goto(proxy.url("data"))
    wait_for_app(page)
    page.get_by_role("tab", name="Import").click()
    page.locator('[data-testid="stSelectbox"]').filter(has_text="What the file holds").click()
    page.get_by_role("option", name="scores").click()
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "scores.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    page.get_by_text("Preview of scores.csv").wait_for()
    page.get_by_text("1 problem: nothing will be imported").wait_for()
    assert_no_exception(page)
    context.close()
    assert uploads == [(204, f"127.0.0.1:{apps[1].port}")]


def test_plain_http_only_redirects_to_https(deployment):  # noqa: ANN001
    proxy, _ = deployment
    connection = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=10)
    connection.request("GET", "/clients?x=1")
    response = connection.getresponse()
    connection.close()
    assert (response.status, response.headers["Location"]) == (301, "https://127.0.0.1/clients?x=1")
