"""client_flag_inputs: what each client's needs-attention flags are decided on, maintained

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 12:30:00

One row per client with any reviewed homework, recorded session or score: the credit of their
last 4 reviewed assignments, how many of their last 3 attended sessions had homework set that
day, how many of their last 2 recorded sessions were no-shows (each NULL with fewer), and the
newest day each depends on (docs/metrics.md, "Needs attention"). The flags as of today read
these rows instead of a dozen seeks per client. No triggers of its own: a client's row depends
on their assignments, sessions and scores, which 0011's and 0012's triggers already mark, and
`data_access.store.flag_inputs.refresh` (called by `engine.write` before those marks are
cleared) recomputes the marked clients. The upgrade fills the table from what is there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The fill: the rows `flag_inputs.rebuild` makes (a test compares them), with the rules'
# numbers as they stand today (metrics.LOW_COMPLETION_WINDOW, NO_HOMEWORK_SESSIONS,
# NO_SHOW_RUN, PARTIAL_CREDIT).
FILL = """
INSERT INTO client_flag_inputs (client_id, completion_credit, sessions_with_homework, no_shows,
    last_reviewed_set_on, last_session_on, last_score_on)
SELECT f.client_id, f.completion_credit, f.sessions_with_homework, f.no_shows,
    f.last_reviewed_set_on, f.last_session_on, f.last_score_on
FROM (
    SELECT c.id AS client_id,
        (SELECT sum(CASE WHEN r.status = 'completed' THEN 1.0
                WHEN r.status = 'partial' THEN 0.5 ELSE 0.0 END)
            FROM (SELECT a.status FROM assignments a
                WHERE a.client_id = c.id AND a.status <> 'pending'
                ORDER BY a.due_on DESC, a.id DESC LIMIT 4) r
            HAVING count(*) = 4) AS completion_credit,
        (SELECT sum(CASE WHEN EXISTS (SELECT 1 FROM assignments h
                    WHERE h.client_id = c.id AND h.assigned_on = s.held_on) THEN 1 ELSE 0 END)
            FROM (SELECT t.held_on FROM therapy_sessions t
                WHERE t.client_id = c.id AND t.attendance = 'attended'
                ORDER BY t.held_on DESC LIMIT 3) s
            HAVING count(*) = 3) AS sessions_with_homework,
        (SELECT sum(CASE WHEN s.attendance = 'no_show' THEN 1 ELSE 0 END)
            FROM (SELECT t.attendance FROM therapy_sessions t
                WHERE t.client_id = c.id AND t.attendance <> 'scheduled'
                ORDER BY t.held_on DESC LIMIT 2) s
            HAVING count(*) = 2) AS no_shows,
        (SELECT max(a.assigned_on) FROM assignments a
            WHERE a.client_id = c.id AND a.status <> 'pending') AS last_reviewed_set_on,
        (SELECT max(t.held_on) FROM therapy_sessions t
            WHERE t.client_id = c.id AND t.attendance <> 'scheduled') AS last_session_on,
        (SELECT max(x.recorded_on) FROM scores x WHERE x.client_id = c.id) AS last_score_on
    FROM clients c
) f
WHERE f.last_reviewed_set_on IS NOT NULL OR f.last_session_on IS NOT NULL
    OR f.last_score_on IS NOT NULL
"""


def upgrade() -> None:
    op.create_table(
        "client_flag_inputs",
        sa.Column("client_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("completion_credit", sa.Float(), nullable=True),
        sa.Column("sessions_with_homework", sa.Integer(), nullable=True),
        sa.Column("no_shows", sa.Integer(), nullable=True),
        sa.Column("last_reviewed_set_on", sa.Date(), nullable=True),
        sa.Column("last_session_on", sa.Date(), nullable=True),
        sa.Column("last_score_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_flag_inputs")),
    )
    op.execute(FILL)


def downgrade() -> None:
    op.drop_table("client_flag_inputs")
