"""Create or upgrade a database to the newest schema with Alembic (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from data_access.store.engine import is_sqlite

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at our migrations and at `engine`'s database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # configparser treats % as interpolation; URL-escaped characters (%2F …) must be doubled.
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    cfg.set_main_option("sqlalchemy.url", url)
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision` (default: head); a no-op when it is already there.

    After upgrading an existing SQLite database, ANALYZE refreshes the planner's statistics: an
    index a migration adds has none until then, and SQLite may pass it over for a worse one.
    """
    before = current_revision(engine)
    command.upgrade(alembic_config(engine), revision)
    if is_sqlite(engine) and before is not None and current_revision(engine) != before:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
