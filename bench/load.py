"""`make load`: many people opening pages at once against ONE app instance on a bench practice.

Half the people are clinicians (My clients, then two of their own clients), half supervisors and
admins (Overview, Caseload, Homework), each with a different period in the URL so that no one's
page data is already cached. For each crowd size N a fresh server starts (cold caches), is warmed
by one signed-out page view (libraries imported) and left to finish starting up (its CPU quiet:
the expected-response fit made, as on a server started before the day), and then N people
connect together through
`bench.st_client`. Printed per N: p50 / p95 / max seconds to a settled page, errors, and the
server's resident memory before, at peak and some seconds after every session has closed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, select

from bench.app_server import AppServer
from bench.databases import BENCH_TODAY, PracticeSpec, add_practice_arguments, sqlite_practice
from bench.st_client import Result, Visit, browse
from dashboard.session_routes import COOKIE_NAME
from data_access.access.accounts import create_user
from data_access.access.web_sessions import exchange_code, issue_code
from data_access.store.config import page_workers
from data_access.store.engine import new_engine
from data_access.store.schema import Client, Clinician, UserAccount

SUPERVISORS = ("supervisor@demo.example", "admin@demo.example")
PERIOD_WEEKS = 12
NONCE = "load-test"


@dataclass(frozen=True)
class Person:
    """A signed-in person: who (for the tables), their session cookie and the pages they open."""

    who: str
    cookie: str
    visits: list[Visit]


@dataclass(frozen=True)
class Level:
    """What one crowd of `n` people saw, and the server's memory around it."""

    n: int
    slots: int  # page computations at once (BETWEEN_SESSIONS_PAGE_WORKERS)
    results: list[Result]
    rss_before: float
    rss_peak: float
    rss_after: float
    anon: tuple[float, float, float]  # the server's own memory (RssAnon): before, peak, after
    wall: float
    cpu: float  # seconds of the server's CPU while the crowd browsed

    @property
    def errors(self) -> list[str]:
        return [f"{r.visit.page}: {r.error}" for r in self.results if r.error]

    def seconds(self) -> np.ndarray:
        return np.array([r.seconds for r in self.results if not r.error])


def session_cookie(engine: Engine, account_id: int) -> str:
    """A real signed-in web session for the account, as the sign-in form and cookie route make."""
    token = exchange_code(engine, issue_code(engine, account_id, NONCE), NONCE)
    assert token is not None, "the account could not start a session"
    return f"{COOKIE_NAME}={token}"


def account_id(engine: Engine, email: str) -> int | None:
    with engine.connect() as conn:
        return conn.execute(
            select(UserAccount.id).join(Clinician).where(Clinician.email == email)
        ).scalar()


def _clinicians(engine: Engine, count: int) -> list[tuple[str, str, str | None, list[str]]]:
    """The first `count` clinicians with at least two active clients: email, name, supervisor's
    email and two client codes."""
    supervisor = Clinician.__table__.alias("supervisor")
    with engine.connect() as conn:
        staff = conn.execute(
            select(Clinician.id, Clinician.email, Clinician.name, supervisor.c.email)
            .outerjoin(supervisor, supervisor.c.id == Clinician.supervisor_id)
            .where(Clinician.role == "clinician")
            .order_by(Clinician.id)
        ).all()
        chosen = []
        for clinician_id, email, name, supervisor_email in staff:
            codes = (
                conn.execute(
                    select(Client.code)
                    .where(Client.clinician_id == clinician_id, Client.discharged_on.is_(None))
                    .order_by(Client.code)
                    .limit(2)
                )
                .scalars()
                .all()
            )
            if len(codes) == 2:
                chosen.append((email, name, supervisor_email, list(codes)))
            if len(chosen) == count:
                break
    return chosen


def people(engine: Engine, n: int) -> list[Person]:
    """`n` signed-in people, alternately a clinician and a supervisor or admin. Clinicians
    without an account get one (single sign-on only, so no password is stored)."""
    clinicians = _clinicians(engine, (n + 1) // 2)
    crowd: list[Person] = []
    for i in range(n):
        if i % 2 == 0 and i // 2 < len(clinicians):
            email, name, supervisor_email, codes = clinicians[i // 2]
            account = account_id(engine, email) or create_user(
                engine,
                email=email,
                name=name,
                role="clinician",
                password=None,
                supervisor_email=supervisor_email,
            )
            visits = [Visit("clients")] + [Visit("client", f"client={code}") for code in codes]
        else:
            email = SUPERVISORS[(i // 2) % len(SUPERVISORS)]
            account = account_id(engine, email)
            assert account is not None, f"{email} has no account: not a demo practice"
            end = BENCH_TODAY - dt.timedelta(days=i)  # a period of one's own: nothing cached
            period = f"from={end - dt.timedelta(weeks=PERIOD_WEEKS)}&to={end}"
            visits = [Visit(page, period) for page in ("overview", "caseload", "homework")]
        crowd.append(Person(email, session_cookie(engine, account), visits))
    return crowd


def _memory(server: AppServer) -> np.ndarray:
    """The server's RSS and its own part of it (RssAnon), in MiB. The rest of the RSS is the
    SQLite file mapped by each open connection: counted once per connection, and the kernel's
    to drop, so RssAnon is what tells whether memory comes back."""
    return np.array([server.rss_mib(), server.anon_rss_mib()])


async def _crowd(server: AppServer, crowd: list[Person], timeout: float) -> tuple[list, np.ndarray]:
    """Everyone at once; returns every result and the highest memory sampled meanwhile."""
    peak = _memory(server)
    tasks = [asyncio.create_task(browse(server.base, p.cookie, p.visits, timeout)) for p in crowd]
    while not all(t.done() for t in tasks):
        peak = np.maximum(peak, _memory(server))
        await asyncio.wait(tasks, timeout=0.25)
    return [r for t in tasks for r in t.result()], peak


def run_level(
    url: str,
    crowd: list[Person],
    slots: int,
    settle: float,
    timeout: float,
    log_dir: Path,
    cached: bool = False,
) -> Level:
    """Start a fresh server on `url` with `slots` page computations at once, warm it with one
    signed-out view and let it finish starting up (as a server started before the day begins
    has), let `crowd` browse together, wait `settle` seconds after the last session closed,
    stop the server.

    `cached`: the crowd first browses once, unmeasured, so that every page's data is in the
    cache when it browses again: what serving the pages costs with no page data to compute."""
    server = AppServer(
        url,
        log_dir / f"streamlit_{len(crowd)}_{slots}.log",
        env={"BETWEEN_SESSIONS_PAGE_WORKERS": str(slots)},
    )
    try:
        asyncio.run(browse(server.base, "", [Visit("clients")], timeout))
        if cached:
            asyncio.run(_crowd(server, crowd, timeout))
        server.wait_idle()
        before = _memory(server)
        started, cpu = time.perf_counter(), server.cpu_seconds()
        results, peak = asyncio.run(_crowd(server, crowd, timeout))
        wall, cpu = time.perf_counter() - started, server.cpu_seconds() - cpu
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline:
            peak = np.maximum(peak, _memory(server))
            time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        after = _memory(server)
        peak = np.maximum(peak, after)
        anon = (float(before[1]), float(peak[1]), float(after[1]))
        return Level(
            len(crowd),
            slots,
            results,
            float(before[0]),
            float(peak[0]),
            float(after[0]),
            anon,
            wall,
            cpu,
        )
    finally:
        server.stop()


def run_load(
    url: str,
    sizes: Sequence[int],
    slots: Sequence[int],
    settle: float,
    timeout: float,
    log_dir: Path,
    cached: bool = False,
) -> list[Level]:
    """Each crowd size in turn, for each number of slots, against the practice at `url` (which
    gains accounts and sessions); `cached` as in `run_level`."""
    engine = new_engine(url)
    everyone = people(engine, max(sizes))
    engine.dispose()
    levels = []
    for n in sizes:
        for k in slots:
            levels.append(run_level(url, everyone[:n], k, settle, timeout, log_dir, cached))
            print(f"{_line(levels[-1])}\n{page_table(levels[-1:])}", flush=True)
    return levels


HEADER = (
    f"{'N':>3} {'slots':>5} {'pages':>5} {'errors':>6} {'p50 s':>7} {'p95 s':>7} {'max s':>7} "
    f"{'all done s':>10} {'server CPU s':>12} {'RSS before':>10} {'peak':>7} {'after':>7} "
    f"{'own before':>10} {'peak':>7} {'after':>7} MiB"
)


def _line(level: Level) -> str:
    s = level.seconds()
    p50, p95, top = np.percentile(s, [50, 95, 100]) if len(s) else (float("nan"),) * 3
    return (
        f"{level.n:>3} {level.slots:>5} {len(level.results):>5} {len(level.errors):>6} "
        f"{p50:>7.2f} {p95:>7.2f} {top:>7.2f} {level.wall:>10.1f} {level.cpu:>12.1f} "
        f"{level.rss_before:>10.0f} {level.rss_peak:>7.0f} {level.rss_after:>7.0f} "
        f"{level.anon[0]:>10.0f} {level.anon[1]:>7.0f} {level.anon[2]:>7.0f}"
    )


def page_table(levels: list[Level]) -> str:
    """Per crowd size and page: views, median and max seconds, median KiB received."""
    lines = [f"{'N':>3} {'slots':>5} {'page':<9} {'views':>5} {'p50 s':>7} {'max s':>7} {'KiB':>7}"]
    for level in levels:
        for page in sorted({r.visit.page for r in level.results}):
            ok = [r for r in level.results if r.visit.page == page and not r.error]
            if not ok:
                continue
            secs = [r.seconds for r in ok]
            kib = statistics.median(r.received for r in ok) / 1024
            lines.append(
                f"{level.n:>3} {level.slots:>5} {page:<9} {len(ok):>5} "
                f"{statistics.median(secs):>7.2f} {max(secs):>7.2f} {kib:>7.0f}"
            )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    add_practice_arguments(parser)
    parser.add_argument(
        "--sessions", type=int, nargs="+", default=[5, 10, 20], help="crowd sizes (5 10 20)"
    )
    parser.add_argument(
        "--settle", type=float, default=60, help="seconds to wait before the last RSS (60)"
    )
    parser.add_argument(
        "--slots",
        type=int,
        nargs="+",
        default=[page_workers()],
        help="page computations at once, each a run of its own (default: the server's, "
        "BETWEEN_SESSIONS_PAGE_WORKERS or the CPU count); e.g. --slots 2 1000 to compare "
        "with no limit in the same run",
    )
    parser.add_argument(
        "--cached",
        action="store_true",
        help="let each crowd browse once unmeasured first, so every page's data is cached: "
        "the cost of serving the pages alone, a floor for what faster page data can give",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    spec = PracticeSpec(clients=args.clients, weeks=args.weeks, seed=args.seed)
    practice = sqlite_practice(spec, args.cache_dir, rebuild=False, analyze=False)
    with tempfile.TemporaryDirectory(prefix="between-sessions-load-") as scratch:
        # the run adds accounts, sessions and audit rows: keep them out of the cached practice
        copy = Path(scratch) / "practice.db"
        shutil.copy(practice.removeprefix("sqlite:///"), copy)
        load = os.getloadavg()
        print(
            f"{args.clients:,} clients, SQLite, {os.cpu_count()} cores, "
            f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the start"
            + (
                "; every page's data cached before the crowd browses (--cached)"
                if args.cached
                else ""
            )
        )
        print(HEADER, flush=True)
        levels = run_load(
            f"sqlite:///{copy}",
            args.sessions,
            args.slots,
            args.settle,
            args.timeout,
            Path(scratch),
            args.cached,
        )
        load = os.getloadavg()
        print(f"\nload average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end")
        print(f"\n{HEADER}\n" + "\n".join(_line(level) for level in levels))
        print(f"\n{page_table(levels)}")
        for level in levels:
            for error in level.errors:
                print(f"N={level.n} slots={level.slots} error: {error}")
        failed = [(level.n, level.slots) for level in levels if level.errors]
        if failed:  # the pages show a redacted message: the server's log has the traceback
            kept = Path(args.cache_dir) / "load-logs"
            kept.mkdir(parents=True, exist_ok=True)
            for n, k in failed:
                log = f"streamlit_{n}_{k}.log"
                shutil.copy(Path(scratch) / log, kept / log)
            print(f"server logs of the crowds with errors: {kept}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
