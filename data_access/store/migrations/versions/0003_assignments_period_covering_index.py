"""assignments: the period index also covers due_on and assigned_on

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 14:00:00

Period figures filter on due_on (the exact period) and group by days allowed (due_on -
assigned_on). Without those two columns in the (due_week, …) index, SQLite read the table row
for every assignment in the weeks; covered, the index alone answers.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OLD = ["due_week", "status", "type_id", "client_id", "difficulty"]
NEW = [*OLD, "due_on", "assigned_on"]


def upgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_due_week_status")
        batch_op.create_index("ix_assignments_due_week_status", NEW, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_due_week_status")
        batch_op.create_index("ix_assignments_due_week_status", OLD, unique=False)
