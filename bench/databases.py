"""The demo practices the bench times: built once, cached, reused until `--rebuild`.

SQLite files live in a cache folder, named by size, seed and a hash of the demo generator and
the migrations (so a changed generator or schema builds afresh). PostgreSQL practices go into a
scratch database on the server of TEST_DATABASE_URL, dropped afterwards unless `--keep`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from data_access.demo import build_demo
from data_access.store.engine import new_engine
from data_access.store.schema import Setting

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BENCH_TODAY = dt.date(2026, 11, 23)  # fixed, so a cached practice and its queries agree on today
CLIENTS_PER_CLINICIAN = 25
MOST_CLINICIANS = 400  # the demo's staff names run out a little above this


@dataclass(frozen=True)
class PracticeSpec:
    """Which demo practice to build."""

    clients: int
    weeks: int = 52
    seed: int = 7

    @property
    def clinicians(self) -> int:
        return min(MOST_CLINICIANS, max(12, self.clients // CLIENTS_PER_CLINICIAN))

    @property
    def key(self) -> str:
        """Size, seed and a fingerprint of the code that builds the practice."""
        digest = hashlib.sha256()
        store = PROJECT / "data_access" / "store"
        sources = sorted(PROJECT.glob("data_access/demo*.py"))
        sources += sorted(PROJECT.glob("data_access/demo/*.py"))
        sources += [store / "schema.py", *sorted((store / "migrations" / "versions").glob("*.py"))]
        for path in sources:
            digest.update(path.read_bytes())
        return f"{self.clients}c_{self.weeks}w_s{self.seed}_{digest.hexdigest()[:8]}"


def _build(engine: Engine, spec: PracticeSpec) -> None:
    summary = build_demo(
        engine,
        clinicians=spec.clinicians,
        clients=spec.clients,
        weeks=spec.weeks,
        seed=spec.seed,
        today=BENCH_TODAY,
        progress=True,
    )
    print(f"  built: {summary}", flush=True)


def add_practice_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that name one cached bench practice and a per-page timeout, shared by the
    commands that drive a running app (`bench.browser`, `bench.load`)."""
    parser.add_argument("--clients", type=int, default=10_000, help="practice size (10,000)")
    parser.add_argument("--weeks", type=int, default=52, help="weeks of history (52)")
    parser.add_argument("--seed", type=int, default=7, help="demo seed (7)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per page (300)")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path("/tmp/between-sessions-bench"),
        help="where bench practices are cached (/tmp/between-sessions-bench)",
    )


def sqlite_practice(spec: PracticeSpec, cache_dir: Path, rebuild: bool, analyze: bool) -> str:
    """URL of a cached SQLite file holding `spec`'s practice, building it when needed.

    With `analyze`, a copy that has planner statistics (ANALYZE) is used instead: SQLite never
    gathers them by itself, so the plain file is what an installation gets.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"bench_{spec.key}.db"
    if not path.exists() or rebuild:
        _build_sqlite(spec, path, cache_dir)
    else:
        print(f"SQLite: reusing {path}", flush=True)
    if not analyze:
        return f"sqlite:///{path}"
    analyzed = path.with_name(f"{path.stem}_analyzed.db")
    if not analyzed.exists() or rebuild:
        shutil.copy(path, analyzed)
        with sqlite3.connect(analyzed) as conn:
            conn.execute("ANALYZE")
        conn.close()
    print(f"SQLite: with planner statistics, {analyzed}", flush=True)
    return f"sqlite:///{analyzed}"


def _build_sqlite(spec: PracticeSpec, path: Path, cache_dir: Path) -> None:
    """Build under a temporary name and rename at the end: a broken build is never reused."""
    partial = path.with_suffix(".building")
    for stale in (path, partial, *cache_dir.glob(f"{partial.name}-*")):
        stale.unlink(missing_ok=True)
    print(f"SQLite: building {spec.clients:,} clients into {path}", flush=True)
    engine = new_engine(f"sqlite:///{partial}")
    _build(engine, spec)
    with engine.connect() as conn:  # fold the WAL back in so the file alone holds everything
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    partial.rename(path)


def server_url() -> str:
    """The PostgreSQL server to create scratch databases on."""
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_SERVER


def _holds_demo(url: str) -> bool:
    """True when the database at `url` finished a demo build (the demo setting is written last)."""
    engine = new_engine(url)
    try:
        with engine.connect() as conn:
            return (
                conn.execute(select(Setting.value).where(Setting.key == "demo")).scalar() == "true"
            )
    except DBAPIError:
        return False
    finally:
        engine.dispose()


@contextmanager
def postgres_practice(spec: PracticeSpec, rebuild: bool, keep: bool) -> Iterator[str]:
    """URL of a scratch PostgreSQL database holding `spec`'s practice, dropped unless `keep`.

    A database kept by an earlier `--keep` run is reused unless `rebuild`.
    """
    admin_url = make_url(server_url()).set(drivername="postgresql+psycopg")
    name = f"bench_{spec.key}"
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    ready = False  # a failed build is dropped even with `keep`, so it is never reused
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
            if exists and not (rebuild or _holds_demo(url)):
                rebuild = True  # an interrupted build: start again
            if exists and rebuild:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            if not exists or rebuild:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        if exists and not rebuild:
            print(f"PostgreSQL: reusing database {name}", flush=True)
        else:
            print(f"PostgreSQL: building {spec.clients:,} clients into {name}", flush=True)
            engine = new_engine(url)
            _build(engine, spec)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")  # what autovacuum does soon after a load
            engine.dispose()
        ready = True
        yield url
    finally:
        if not (keep and ready):
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            print(f"PostgreSQL: dropped {name}", flush=True)
        admin.dispose()
