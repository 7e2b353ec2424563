"""client_months: each client's homework due and attended sessions per calendar month, maintained

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 19:00:00

A row per client and calendar month (its first day) with homework due or an attended session in
it: the assignments due that month and of them the completed, partial and reviewed ones, and
the attended sessions held that month and of them those with homework set that day. A
per-client figure over a year (the Outcomes page) adds up a dozen rows per client for the whole
months and reads only the days at the period's edges from the assignments and sessions
(docs/metrics.md, "Where the figures are read from"). No triggers of its own:
`data_access.store.client_months.refresh` recomputes the clients that 0011's triggers mark in
`homework_days_stale`. The upgrade fills the table from what is there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# The fill: the rows `client_months.rebuild` makes (a test compares them); {month} is the
# dialect's first day of a date's month.
FILL = """
INSERT INTO client_months (client_id, month, due, completed, partial, reviewed, attended,
    with_homework)
SELECT client_id, month, sum(due), sum(completed), sum(partial), sum(reviewed), sum(attended),
    sum(with_homework)
FROM (
    SELECT {due_month} AS month, client_id, count(*) AS due,
        sum(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS completed,
        sum(CASE WHEN status = 'partial' THEN 1 ELSE 0 END) AS partial,
        sum(CASE WHEN status <> 'pending' THEN 1 ELSE 0 END) AS reviewed,
        0 AS attended, 0 AS with_homework
    FROM assignments GROUP BY {due_month}, client_id
    UNION ALL
    SELECT {held_month}, s.client_id, 0, 0, 0, 0, count(*),
        sum(CASE WHEN EXISTS (SELECT 1 FROM assignments a WHERE a.client_id = s.client_id
            AND a.assigned_on = s.held_on) THEN 1 ELSE 0 END)
    FROM therapy_sessions s WHERE s.attendance = 'attended' GROUP BY {held_month}, s.client_id
) parts
GROUP BY client_id, month
"""
MONTH = {
    "sqlite": "date({column}, 'start of month')",
    "postgresql": "CAST(date_trunc('month', {column}) AS DATE)",
}


def upgrade() -> None:
    op.create_table(
        "client_months",
        sa.Column("client_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("partial", sa.Integer(), nullable=False),
        sa.Column("reviewed", sa.Integer(), nullable=False),
        sa.Column("attended", sa.Integer(), nullable=False),
        sa.Column("with_homework", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "month", name=op.f("pk_client_months")),
        sqlite_with_rowid=False,  # a client's months kept together: one short range each
    )
    month = MONTH[op.get_bind().dialect.name]
    op.execute(
        FILL.format(
            due_month=month.format(column="due_on"), held_month=month.format(column="s.held_on")
        )
    )


def downgrade() -> None:
    op.drop_table("client_months")
