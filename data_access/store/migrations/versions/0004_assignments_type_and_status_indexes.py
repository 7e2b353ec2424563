"""assignments: indexes ordered by type then client, by client then status; client index covers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 15:10:00

Homework by type counts distinct clients per type and averages engagement; without an index in
(type_id, client_id) order that covers engagement, SQLite sorted a year's assignments and read
every table row. Counts per clinician over all time group each client's assignments by status
first; in (client_id, status) order that streams without a sort. A supervisor's weekly figures,
the caseload's per-clinician counts and the low-completion flag walk each client's assignments
by due date (and id, the flag's tie-break): covering status, assigned_on, due week and type
there saves a table read per assignment. Homework per client over a year (and the outcomes
page's weekly completion per client) walks (client_id, assigned_on), covered likewise.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_assignments_type_id_client_id": [
        "type_id",
        "client_id",
        "assigned_on",
        "status",
        "engagement",
    ],
    "ix_assignments_client_id_status": ["client_id", "status", "due_on", "type_id"],
}

# Existing per-client indexes, widened to cover: (name, columns before, columns after)
WIDENED = [
    (
        "ix_assignments_client_id_due_on",
        ["client_id", "due_on"],
        ["client_id", "due_on", "id", "status", "assigned_on", "due_week", "type_id"],
    ),
    (
        "ix_assignments_client_id_assigned_on",
        ["client_id", "assigned_on"],
        ["client_id", "assigned_on", "status", "type_id", "due_week"],
    ),
]


def upgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        for name, _, columns in WIDENED:
            batch_op.drop_index(name)
            batch_op.create_index(name, columns, unique=False)
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
        for name, columns, _ in WIDENED:
            batch_op.drop_index(name)
            batch_op.create_index(name, columns, unique=False)
