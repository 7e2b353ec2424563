"""Helpers for the maintained tables' property tests: their settings, a table's rows, the rows a
rebuild would make, and reading a module's figures live instead of from its maintained table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType

from hypothesis import HealthCheck, settings
from sqlalchemy import Connection, Engine, Table, select

# Ten runs of random writes each: every run builds a practice on a fresh database.
RANDOM_WRITES = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def table_rows(engine: Engine, table: Table) -> list[tuple]:
    """Every row of `table`, sorted."""
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(table)).all())


def rebuilt_rows(
    engine: Engine, rebuild: Callable[[Connection], object], table: Table
) -> list[tuple]:
    """The rows of `table` that `rebuild` makes, rolled back afterwards."""
    with engine.connect() as conn:
        transaction = conn.begin()
        rebuild(conn)
        rows = sorted(tuple(r) for r in conn.execute(select(table)).all())
        transaction.rollback()
    return rows


@contextmanager
def read_live(module: ModuleType) -> Iterator[None]:
    """`module`'s figures read from the live tables (its READ_MAINTAINED off) inside the block."""
    module.READ_MAINTAINED = False
    try:
        yield
    finally:
        module.READ_MAINTAINED = True
