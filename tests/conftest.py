"""Databases for the tests: every data-layer test runs on SQLite and on a real PostgreSQL.

PostgreSQL comes from TEST_DATABASE_URL (a server URL whose database we may create scratch
databases beside). Locally its absence skips those tests with the reason; under CI (CI=true)
it is a failure, because CI must prove both dialects.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from data_access.reads import expected
from data_access.store.engine import new_engine
from data_access.store.migrate import upgrade
from data_access.store.schema import Base
from tests.scratch_postgres import scratch_postgres

# Tables a test may fill; the catalogue rows the migration seeds (and the data version) are kept.
KEPT_TABLES = ("measures", "data_version")
DATA_TABLES = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name not in KEPT_TABLES]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the slow browser tests last, so the fast ones report first."""
    items.sort(key=lambda item: "/e2e/" in str(item.path))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A scratch PostgreSQL database, migrated to head, dropped after the session."""
    unset = "TEST_DATABASE_URL is not set, so PostgreSQL tests cannot run"
    with scratch_postgres("bs_test", unset) as url:
        engine = new_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = new_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _empty_postgres(url: str) -> Engine:
    engine = new_engine(url)
    with engine.begin() as conn:
        tables = ", ".join(f'"{t}"' for t in DATA_TABLES if t != "assignment_types")
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        conn.execute(text("DELETE FROM assignment_types WHERE id > 9"))
        # emptying is a write of data: caches keyed on the data version must not outlive it
        conn.execute(text("UPDATE data_version SET version = version + 1"))
    expected._FITS.clear()  # a new database under the same URL: no fit of the last one serves it
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """URL of an empty database at head (seeded catalogue only), once per dialect."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        _empty_postgres(url).dispose()
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on an empty database at head, on SQLite and then on PostgreSQL."""
    eng = new_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    """An engine on an empty SQLite database at head, for tests of dialect-free logic."""
    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    eng = new_engine(f"sqlite:///{path}")
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def demo_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small demo practice on SQLite, built once per test session (read-only for tests)."""
    from data_access.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    engine = new_engine(url)
    build_demo(engine, clinicians=6, clients=60, weeks=26, seed=11, progress=False)
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Callable[[], Engine]]:
    """A factory of empty databases at head, one per hypothesis example, on each dialect (the
    PostgreSQL one emptied again for each; the catalogue's nine types kept)."""
    engines: list[Engine] = []
    if request.param == "sqlite":

        def make() -> Engine:
            path = tmp_path / f"fresh{len(engines)}.db"
            shutil.copy(sqlite_template, path)
            engines.append(new_engine(f"sqlite:///{path}"))
            return engines[-1]

    else:
        url = request.getfixturevalue("postgres_url")

        def make() -> Engine:
            engines.append(new_engine(url))
            with engines[-1].begin() as conn:
                tables = ", ".join(f'"{t}"' for t in DATA_TABLES if t != "assignment_types")
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                conn.execute(text("DELETE FROM assignment_types WHERE id > 9"))
            expected._FITS.clear()  # as in _empty_postgres
            return engines[-1]

    yield make
    for engine in engines:
        engine.dispose()
