"""therapy_sessions: attendance may be 'scheduled', a booked session not yet held or recorded

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 22:00:00

Widens the CHECK constraint on `attendance`. PostgreSQL drops and re-adds it. SQLite cannot
alter a constraint, and rebuilding the table (batch mode's copy, drop, rename) trips the foreign
keys that assignments and scores hold on session rows, inside the migration's transaction.
So on SQLite the table's stored definition is edited in place, as SQLite's documentation
describes for loosening a CHECK (https://sqlite.org/lang_altertable.html#otheralter): no row
is rewritten, and every stored row already meets the new rule in either direction.
Downgrading refuses while any scheduled session is stored, rather than deleting bookings.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NAME = "ck_therapy_sessions_attendance"
WIDE = "attendance IN ('attended', 'cancelled', 'no_show', 'scheduled')"
NARROW = "attendance IN ('attended', 'cancelled', 'no_show')"


def _sqlite_replace(old: str, new: str) -> None:
    """Swap the CHECK's text in SQLite's stored CREATE TABLE and bump the schema version."""
    bind = op.get_bind()
    stored = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'therapy_sessions'"
    ).scalar_one()
    if stored.count(f"CHECK ({old})") != 1:
        raise RuntimeError(f"therapy_sessions has no CHECK ({old}) to replace")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.execute(
        sa.text(
            "UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'therapy_sessions'"
        ),
        {"sql": stored.replace(f"CHECK ({old})", f"CHECK ({new})")},
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _replace_check(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_replace(old, new)
        return
    op.drop_constraint(op.f(NAME), "therapy_sessions", type_="check")
    op.create_check_constraint(op.f(NAME), "therapy_sessions", sa.text(new))


def upgrade() -> None:
    _replace_check(NARROW, WIDE)


def downgrade() -> None:
    scheduled = op.get_bind().execute(
        sa.text("SELECT count(*) FROM therapy_sessions WHERE attendance = 'scheduled'")
    )
    if scheduled.scalar_one():
        raise RuntimeError(
            "therapy_sessions holds scheduled sessions: record or delete them before downgrading"
        )
    _replace_check(WIDE, NARROW)
