"""Run the bench: build or reuse the practices, time every case for each viewer, print tables."""

from __future__ import annotations

import argparse
import gc
import os
import platform
import signal
import sqlite3
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, func, select

from bench.cases import CASES, Case, Context
from bench.databases import BENCH_TODAY, PracticeSpec, postgres_practice, sqlite_practice
from bench.pages import PAGE_CASES
from data_access.access.viewer import Viewer
from data_access.store.engine import new_engine
from data_access.store.schema import Client, Clinician, Score

TARGET_SECONDS = 0.5
TARGET_SPEEDUP = 20
VIEWER_EMAILS = {"admin": "admin@demo.example", "supervisor": "supervisor@demo.example"}
COMPARED = ("credit", "reviewed", "baseline", "latest", "n_scores")


@dataclass(frozen=True)
class Timing:
    first: float
    median: float
    cpu: float  # median CPU seconds of this process (SQLite work included; a server's is not)
    peak: int
    result: object


@dataclass(frozen=True)
class Row:
    dialect: str
    clients: int
    viewer: str
    case: Case
    ours: Timing
    naive: Timing | None

    @property
    def speedup(self) -> float | None:
        return self.naive.median / self.ours.median if self.naive else None

    @property
    def cpu_speedup(self) -> float | None:
        if not self.naive:
            return None
        return self.naive.cpu / max(self.ours.cpu, 1e-6)

    @property
    def verdict(self) -> str:
        """Whether a practice-wide query meets the targets (SQLite is where time is promised).

        On SQLite all the work runs in this process, so its CPU time is the time the query
        takes on an idle machine; wall time on a shared machine also measures the neighbours.
        PostgreSQL works in its own processes, so there wall time is judged. A page render is
        judged on wall time (what a user waits for; the overview sums two periods at once).
        """
        if self.case.limit is not None:
            return "ok" if self.ours.median < self.case.limit else "MISS slow"
        if not self.case.practice_wide:
            return ""
        on_sqlite = self.dialect == "sqlite"
        seconds = self.ours.cpu if on_sqlite else self.ours.median
        speedup = self.cpu_speedup if on_sqlite else self.speedup
        misses = []
        if on_sqlite and seconds >= TARGET_SECONDS:
            misses.append("slow")
        if speedup is not None and speedup < TARGET_SPEEDUP:
            misses.append(f"<{TARGET_SPEEDUP}x")
        return "MISS " + ",".join(misses) if misses else "ok"


def measure(call: Callable[[], object], runs: int) -> Timing:
    """First run, median of `runs` more (wall and CPU), then one run under tracemalloc.

    With `runs` 0 the first run is the only one timed.
    """
    gc.collect()
    times, cpu = [], []
    for _ in range(1 + runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = call()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    warm = slice(1, None) if runs else slice(None)
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return Timing(
        times[0], statistics.median(times[warm]), statistics.median(cpu[warm]), peak, result
    )


def agree(ours: object, theirs: object) -> str:
    """'yes' when both answers have the same rows and column totals (a check on the naive code)."""
    if isinstance(ours, int) and isinstance(theirs, int):
        return "yes" if ours == theirs else f"no ({ours} vs {theirs})"
    if not isinstance(ours, pd.DataFrame) or not isinstance(theirs, pd.DataFrame):
        return ""
    if len(ours) != len(theirs):
        return f"no ({len(ours)} vs {len(theirs)} rows)"
    for column in COMPARED:
        if column in ours and column in theirs:
            a, b = ours[column].astype(float).sum(), theirs[column].astype(float).sum()
            if abs(a - b) > 1e-6 * max(1.0, abs(a)):
                return f"no ({column})"
    return "yes"


def _viewer(conn: Connection, email: str) -> Viewer:
    row = conn.execute(
        select(Clinician.id, Clinician.email, Clinician.name, Clinician.role).where(
            Clinician.email == email
        )
    ).one()
    return Viewer(*row)


def _busiest_client(conn: Connection) -> tuple[int, str]:
    """clinician@demo.example's client with the most MOOD scores (a year of daily ratings)."""
    mine = select(Client.id).join(Clinician).where(Clinician.email == "clinician@demo.example")
    row = conn.execute(
        select(Score.client_id, Client.code)
        .join(Client, Client.id == Score.client_id)
        .where(Score.measure == "MOOD", Score.client_id.in_(mine))
        .group_by(Score.client_id, Client.code)
        .order_by(func.count().desc())
        .limit(1)
    ).one()
    return row[0], row[1]


def run_practice(
    engine: Engine, dialect: str, clients: int, cases: Sequence[Case], args: argparse.Namespace
) -> list[Row]:
    """Every case for the admin and the supervisor on one database."""
    rows = []
    with engine.connect() as conn:
        client_id, code = _busiest_client(conn)
        n_scores = conn.execute(
            select(func.count()).where(Score.client_id == client_id)
        ).scalar_one()
        print(f"  one-client cases open {code} ({n_scores} scores)", flush=True)
        for role, email in VIEWER_EMAILS.items():
            clinician = _viewer(conn, "clinician@demo.example")
            ctx = Context(_viewer(conn, email), BENCH_TODAY, client_id, code, clinician)
            for case in cases:
                ours = measure(lambda case=case, ctx=ctx: case.ours(conn, ctx), args.runs)
                theirs = None
                if case.naive and not args.no_naive:
                    theirs = measure(
                        lambda case=case, ctx=ctx: case.naive(conn, ctx), args.naive_runs - 1
                    )
                row = Row(dialect, clients, role, case, ours, theirs)
                rows.append(row)
                print(_line(row), flush=True)
    return rows


HEADER = (
    f"{'dialect':<10} {'clients':>7} {'viewer':<10} {'case':<36} {'first s':>8} {'median s':>8} "
    f"{'cpu s':>6} {'peak MiB':>8} {'naive s':>8} {'naive cpu':>9} {'naive MiB':>9} "
    f"{'speed-up':>8} {'cpu x':>6} {'same':>5}  target"
)


def _line(row: Row) -> str:
    naive_s = f"{row.naive.median:8.3f}" if row.naive else f"{'—':>8}"
    naive_cpu = f"{row.naive.cpu:9.3f}" if row.naive else f"{'—':>9}"
    naive_mib = f"{row.naive.peak / 2**20:9.1f}" if row.naive else f"{'—':>9}"
    speed = f"{row.speedup:7.0f}x" if row.speedup else f"{'—':>8}"
    cpu_speed = f"{row.cpu_speedup:5.0f}x" if row.cpu_speedup else f"{'—':>6}"
    same = agree(row.ours.result, row.naive.result) if row.naive else ""
    return (
        f"{row.dialect:<10} {row.clients:>7,} {row.viewer:<10} {row.case.name:<36} "
        f"{row.ours.first:8.3f} {row.ours.median:8.3f} {row.ours.cpu:6.3f} "
        f"{row.ours.peak / 2**20:8.2f} "
        f"{naive_s} {naive_cpu} {naive_mib} {speed} {cpu_speed} {same:>5}  {row.verdict}"
    )


def _result_rows(result: object) -> int:
    return len(result) if isinstance(result, pd.DataFrame) else 1


def memory_table(rows: list[Row]) -> str:
    """Peak memory and result rows of each case at each size, side by side.

    Our peaks should follow the rows a query returns (clients, for per-client lists), never the
    rows it reads; the naive peaks follow the table sizes.
    """
    sizes = sorted({r.clients for r in rows})
    if len(sizes) < 2:
        return ""
    by_case: dict[tuple[str, str, str], dict[int, Row]] = {}
    for r in rows:
        by_case.setdefault((r.dialect, r.viewer, r.case.name), {})[r.clients] = r

    def cells(by_size: dict[int, Row], cell: Callable[[Row], str], width: int) -> str:
        return " ".join(cell(by_size[n]) if n in by_size else " " * width for n in sizes)

    head = " ".join(f"{f'MiB @{n:,}':>11}" for n in sizes)
    rows_head = " ".join(f"{f'rows @{n:,}':>12}" for n in sizes)
    naive_head = " ".join(f"{f'naive @{n:,}':>13}" for n in sizes)
    lines = [f"{'dialect':<10} {'viewer':<10} {'case':<36} {head} {rows_head}  {naive_head}"]
    for (dialect, viewer, case), by_size in by_case.items():
        ours = cells(by_size, lambda r: f"{r.ours.peak / 2**20:11.2f}", 11)
        result_rows = cells(by_size, lambda r: f"{_result_rows(r.ours.result):12,}", 12)
        naive = cells(
            by_size,
            lambda r: f"{r.naive.peak / 2**20:13.1f}" if r.naive else f"{'—':>13}",
            13,
        )
        lines.append(f"{dialect:<10} {viewer:<10} {case:<36} {ours} {result_rows}  {naive}")
    return "\n".join(lines)


@contextmanager
def _database(dialect: str, spec: PracticeSpec, args: argparse.Namespace) -> Iterator[str]:
    if dialect == "sqlite":
        with nullcontext(sqlite_practice(spec, args.cache_dir, args.rebuild, args.analyze)) as url:
            yield url
    else:
        with postgres_practice(spec, args.rebuild, args.keep) as url:
            yield url


def _environment() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {os.cpu_count()} CPUs · "
        f"load average {load} · Python {platform.python_version()} · "
        f"SQLite {sqlite3.sqlite_version} · pandas {pd.__version__}"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--clients", type=int, nargs="+", default=[2_500, 10_000], help="practice sizes"
    )
    parser.add_argument("--weeks", type=int, default=52, help="weeks of history (52)")
    parser.add_argument("--seed", type=int, default=7, help="demo seed (7)")
    parser.add_argument(
        "--dialect", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--runs", type=int, default=5, help="warm runs per case (5)")
    parser.add_argument("--naive-runs", type=int, default=1, help="runs of each naive case (1)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive pandas timings")
    parser.add_argument(
        "--only", nargs="+", help="run only cases whose name contains one of these texts"
    )
    parser.add_argument("--rebuild", action="store_true", help="build the practices afresh")
    parser.add_argument(
        "--analyze", action="store_true", help="SQLite: time a copy with ANALYZE statistics"
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path("/tmp/between-sessions-bench"),
        help="where SQLite practices are cached (/tmp/between-sessions-bench)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # a terminated run still drops its scratch PostgreSQL database (the finally blocks run)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    cases = [
        c for c in (*CASES, *PAGE_CASES) if not args.only or any(t in c.name for t in args.only)
    ]
    print(_environment(), flush=True)
    rows: list[Row] = []
    for dialect in args.dialect:
        for clients in args.clients:
            spec = PracticeSpec(clients=clients, weeks=args.weeks, seed=args.seed)
            with _database(dialect, spec, args) as url:
                engine = new_engine(url)
                print(HEADER, flush=True)
                rows += run_practice(engine, dialect, clients, cases, args)
                engine.dispose()
    print(f"\nAll cases ({_environment()})\n{HEADER}")
    print("\n".join(_line(r) for r in rows))
    memory = memory_table(rows)
    if memory:
        print(f"\nPeak Python memory (tracemalloc) by practice size\n{memory}")
    misses = [r for r in rows if r.case.practice_wide and r.verdict.startswith("MISS")]
    print(
        f"\n{len(misses)} of {sum(r.case.practice_wide for r in rows)} practice-wide timings "
        f"miss a target (under {TARGET_SECONDS} s on SQLite, at least {TARGET_SPEEDUP}x naive; "
        "SQLite judged on CPU time, PostgreSQL on wall time)"
    )
    pages = [r for r in rows if r.case.limit is not None]
    slow = [r for r in pages if r.verdict.startswith("MISS")]
    print(
        f"{len(slow)} of {len(pages)} page renders miss their target (wall time, median); "
        '"page data" rows are a page\'s queries together, for reading, and are not judged'
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
