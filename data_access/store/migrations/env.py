"""Alembic environment: runs migrations on the engine handed over by `data_access.store.migrate`."""

from __future__ import annotations

from alembic import context

from data_access.store.engine import new_engine
from data_access.store.schema import Base

config = context.config
engine = config.attributes.get("engine") or new_engine(config.get_main_option("sqlalchemy.url"))

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
