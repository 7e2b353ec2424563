"""assignments: index (client_id, due_on)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 13:35:00

Completion is counted over assignments *due* in a period, and the low-completion flag takes
each client's last 4 by due date. With only (client_id, assigned_on) the database read every
assignment a client ever had for each of them; (client_id, due_on) reads just the period, and
the newest four, per client.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignments_client_id_due_on", ["client_id", "due_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_client_id_due_on")
