"""client_flag_steps: each client's flag inputs as of every day they change, maintained

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 17:00:00

A row per client and day on which they had homework set that is now reviewed, or a recorded
session: the credit of their last 4 reviewed assignments set by that day, how many of their last
3 attended sessions by then had homework set that day, how many of their last 2 recorded
sessions by then were no-shows (each NULL with fewer). The inputs hold from the row's day until
the client's next row, so the flags as of a past day (the overview's count at the previous
period's end) read one row per client instead of a dozen seeks (docs/metrics.md, "Needs
attention"). No triggers of its own: `data_access.store.flag_inputs.refresh` recomputes the
clients that 0011's and 0012's triggers mark, as for `client_flag_inputs`. The upgrade fills
the table from what is there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# The fill: the rows `flag_inputs.rebuild` makes (a test compares them), with the rules'
# numbers as they stand today (metrics.LOW_COMPLETION_WINDOW, NO_HOMEWORK_SESSIONS,
# NO_SHOW_RUN, PARTIAL_CREDIT).
FILL = """
INSERT INTO client_flag_steps (client_id, day, completion_credit, sessions_with_homework,
    no_shows)
SELECT d.client_id, d.day,
    (SELECT sum(CASE WHEN r.status = 'completed' THEN 1.0
            WHEN r.status = 'partial' THEN 0.5 ELSE 0.0 END)
        FROM (SELECT a.status FROM assignments a
            WHERE a.client_id = d.client_id AND a.status <> 'pending' AND a.assigned_on <= d.day
            ORDER BY a.due_on DESC, a.id DESC LIMIT 4) r
        HAVING count(*) = 4),
    (SELECT sum(CASE WHEN EXISTS (SELECT 1 FROM assignments h
                WHERE h.client_id = d.client_id AND h.assigned_on = s.held_on) THEN 1 ELSE 0 END)
        FROM (SELECT t.held_on FROM therapy_sessions t
            WHERE t.client_id = d.client_id AND t.attendance = 'attended' AND t.held_on <= d.day
            ORDER BY t.held_on DESC LIMIT 3) s
        HAVING count(*) = 3),
    (SELECT sum(CASE WHEN s.attendance = 'no_show' THEN 1 ELSE 0 END)
        FROM (SELECT t.attendance FROM therapy_sessions t
            WHERE t.client_id = d.client_id AND t.attendance <> 'scheduled' AND t.held_on <= d.day
            ORDER BY t.held_on DESC LIMIT 2) s
        HAVING count(*) = 2)
FROM (SELECT client_id, assigned_on AS day FROM assignments WHERE status <> 'pending'
    UNION SELECT client_id, held_on FROM therapy_sessions WHERE attendance <> 'scheduled') d
"""


def upgrade() -> None:
    op.create_table(
        "client_flag_steps",
        sa.Column("client_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("completion_credit", sa.Float(), nullable=True),
        sa.Column("sessions_with_homework", sa.Integer(), nullable=True),
        sa.Column("no_shows", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("client_id", "day", name=op.f("pk_client_flag_steps")),
        sqlite_with_rowid=False,
    )
    op.execute(FILL)


def downgrade() -> None:
    op.drop_table("client_flag_steps")
