"""Scratch PostgreSQL databases on TEST_DATABASE_URL's server, and the one rule for a missing
service: locally a skip with the reason, under CI (CI=true) a failure."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

UNDER_CI = os.environ.get("CI") == "true"


def missing(reason: str) -> None:
    if UNDER_CI:
        pytest.fail(f"{reason} (CI requires it and fails instead of skipping)")
    pytest.skip(reason)


@contextmanager
def scratch_postgres(prefix: str, unset: str) -> Iterator[str]:
    """A new, empty database named `prefix_…` on TEST_DATABASE_URL's server, dropped afterwards;
    skips (fails under CI) with `unset` or the connection error when there is no server."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        missing(unset)
    admin_url = make_url(server).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no PostgreSQL"
        admin.dispose()
        missing(f"PostgreSQL at TEST_DATABASE_URL is not reachable: {type(exc).__name__}")
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


