"""assignments: PostgreSQL statistics on how many (client, day set) pairs there are

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 03:30:00

The homework-setting rate asks, per attended session, whether the client has an assignment set
that day: a semi-join on (client_id, assigned_on). Without statistics on the pair, PostgreSQL
guesses a tenth of the rows (about a third of the true number of pairs) and plans to hash every
assignment in each parallel worker. With these statistics, and work_mem small enough that the
true number of pairs does not fit one hash (engine.POSTGRES_OPTIONS), it merges both (client,
day) indexes instead. SQLite
has no extended statistics and plans the rate as per-session index probes, so this is
PostgreSQL only.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

NAME = "st_assignments_client_id_assigned_on"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE STATISTICS {NAME} (ndistinct) ON client_id, assigned_on FROM assignments")
    op.execute("ANALYZE assignments")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP STATISTICS {NAME}")
