"""The browser case of `make bench`: each practice page in headless Chromium, as the admin sees it.

One app instance on the bench practice; each page is opened in one signed-in browser cold (first
view since the server started: nothing cached), warm (a reload: the page's data cached, but the
browser loads and starts Streamlit's front end again and the server opens a new session) and, once
every page has been seen, moved to (its link in the sidebar clicked from the page before: the
same session, as a person goes from page to page). A page counts as
settled when the server's `script_finished` has arrived on the page's websocket and Streamlit's
running indicator is gone. Printed per page: seconds to settle, the server's CPU seconds for the
view (which a busy neighbour does not inflate, unlike the wall time), bytes received on the
websocket (decompressed: what the browser has to parse and draw), and the server's RSS afterwards
with its anonymous part (the rest is the SQLite file mapped into memory, which the kernel can drop).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.app_server import CHROMIUM, CHROMIUM_ARGS, AppServer
from bench.databases import PracticeSpec, add_practice_arguments, sqlite_practice
from bench.load import account_id, session_cookie
from data_access.store.engine import new_engine

PAGES = ("overview", "caseload", "homework", "outcomes", "clients")
READ_SECONDS = 1.0  # between a page settling and the click that moves to the next


class Wire:
    """Counts what the page's websockets deliver and notices a finished script run."""

    def __init__(self) -> None:
        self.received = 0
        self.finished = False

    def frame(self, payload: str | bytes) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode()
        self.received += len(data)
        msg = ForwardMsg()
        msg.ParseFromString(data)
        if (
            msg.WhichOneof("type") == "script_finished"
            and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
        ):
            self.finished = True


def time_page(page, wire: Wire, url: str, timeout: float) -> float:  # noqa: ANN001 - playwright
    """Seconds from asking for `url` to a settled page."""
    return _settle(page, wire, lambda: page.goto(url), timeout)


def time_move(page, wire: Wire, path: str, timeout: float) -> float:  # noqa: ANN001 - playwright
    """Seconds from clicking the sidebar link to `path` to a settled page: no reload. The click
    comes a second after the page before settled, as a person reads before moving on, so the
    browser is not still drawing that page's charts when the timing starts."""
    page.wait_for_timeout(READ_SECONDS * 1000)
    link = page.locator(f'[data-testid="stSidebarNavLink"][href$="/{path}"]')
    return _settle(page, wire, link.click, timeout)


def _settle(page, wire: Wire, go: Callable[[], object], timeout: float) -> float:  # noqa: ANN001 - playwright
    """Seconds from `go()` to the server's finished script run and no running indicator."""
    wire.received, wire.finished = 0, False
    started = time.perf_counter()
    go()
    deadline = started + timeout
    while not wire.finished:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{page.url} did not settle within {timeout:.0f} s")
        page.wait_for_timeout(50)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=timeout * 1000,
    )
    return time.perf_counter() - started


Row = tuple[str, str, float, float, int, float, float]


def run(url: str, email: str, timeout: float, log_dir: Path) -> list[Row]:
    """(page, cold/warm, seconds, server CPU seconds, bytes received, server RSS and anonymous
    RSS in MiB) for every practice page."""
    from playwright.sync_api import sync_playwright

    engine = new_engine(url)
    account = account_id(engine, email)
    assert account is not None, f"{email} has no account: not a demo practice"
    name, token = session_cookie(engine, account).split("=", 1)
    engine.dispose()
    server = AppServer(url, log_dir / "streamlit_browser.log")
    rows = []
    try:
        server.wait_idle()  # started up, as before the day begins: nothing of a page cached
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.add_cookies([{"name": name, "value": token, "url": server.base}])
            context.set_default_timeout(timeout * 1000)
            page = context.new_page()
            wire = Wire()
            page.on("websocket", lambda ws: ws.on("framereceived", wire.frame))
            visits = [(path, state) for path in PAGES for state in ("cold", "warm")]
            visits += [(path, "moved") for path in (*PAGES[1:], PAGES[0])]
            for path, state in visits:
                cpu = server.cpu_seconds()
                if state == "moved":
                    seconds = time_move(page, wire, path, timeout)
                else:
                    seconds = time_page(page, wire, f"{server.base}/{path}", timeout)
                cpu = server.cpu_seconds() - cpu
                rss = (server.rss_mib(), server.anon_rss_mib())
                rows.append((path, state, seconds, cpu, wire.received, *rss))
                print(_line(rows[-1]), flush=True)
            browser.close()
    finally:
        server.stop()
    return rows


HEADER = (
    f"{'page':<9} {'cache':<5} {'settled s':>9} {'server CPU s':>12} {'KiB received':>12} "
    f"{'server RSS MiB':>14} {'of it anon MiB':>14}"
)


def _line(row: Row) -> str:
    path, state, seconds, cpu, received, rss, anon = row
    return (
        f"{path:<9} {state:<5} {seconds:>9.2f} {cpu:>12.2f} {received / 1024:>12.0f} {rss:>14.0f}"
        f" {anon:>14.0f}"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__)
    add_practice_arguments(parser)
    parser.add_argument("--email", default="admin@demo.example", help="who signs in (the admin)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        print(f"no Chromium at {CHROMIUM} (set CHROMIUM_PATH): browser case skipped")
        return 0
    spec = PracticeSpec(clients=args.clients, weeks=args.weeks, seed=args.seed)
    practice = sqlite_practice(spec, args.cache_dir, rebuild=False, analyze=False)
    with tempfile.TemporaryDirectory(prefix="between-sessions-browser-") as scratch:
        copy = Path(scratch) / "practice.db"  # the run adds a session and audit rows
        shutil.copy(practice.removeprefix("sqlite:///"), copy)
        load = os.getloadavg()
        print(
            f"{args.clients:,} clients, SQLite, {args.email}, headless Chromium, "
            f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n{HEADER}",
            flush=True,
        )
        rows = run(f"sqlite:///{copy}", args.email, args.timeout, Path(scratch))
    print(f"\n{HEADER}\n" + "\n".join(_line(row) for row in rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
