"""client_lag_weeks: per client, measure and week, what the one-week lag compares, maintained

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 00:30:00

A row per client, measure (PHQ-9, GAD-7) and week (its Monday) with reviewed homework due that
week and scores in it and in the next: whether the homework was mostly done (completion rate
50 % or more) and the next week's mean score minus this week's. The Outcomes page's "one week
later" sums a year of them per client instead of grouping the assignments and scores by week
(docs/metrics.md). No triggers of its own: `data_access.store.lag_weeks.refresh` recomputes
the clients that 0011's and 0012's triggers mark. The upgrade fills the table from what is there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# The fill: the rows `lag_weeks.rebuild` makes (a test compares them); {week} is the dialect's
# Monday of a score's day, {next} the Monday a week after a week's.
MEANS = """SELECT client_id, measure, {week} AS week, avg(value * 1.0) AS score FROM scores
    WHERE measure IN ('PHQ-9', 'GAD-7') GROUP BY client_id, measure, {week}"""
FILL = """
INSERT INTO client_lag_weeks (measure, client_id, week, done, change)
SELECT t.measure, h.client_id, h.week, h.done, n.score - t.score
FROM (
    SELECT client_id, due_week AS week,
        CASE WHEN sum(CASE WHEN status = 'completed' THEN 1.0 WHEN status = 'partial' THEN 0.5
            ELSE 0 END) >= 0.5 * count(*) THEN 1 ELSE 0 END AS done
    FROM assignments WHERE status <> 'pending' GROUP BY client_id, due_week
) h
JOIN ({means}) t ON t.client_id = h.client_id AND t.week = h.week
JOIN ({means}) n ON n.client_id = t.client_id AND n.measure = t.measure AND n.week = {next}
"""
WEEK = {
    "sqlite": ("date(recorded_on, 'weekday 0', '-6 days')", "date(t.week, '+7 days')"),
    "postgresql": ("CAST(date_trunc('week', recorded_on) AS DATE)", "t.week + 7"),
}


def upgrade() -> None:
    op.create_table(
        "client_lag_weeks",
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("client_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("done", sa.SmallInteger(), nullable=False),
        sa.Column("change", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("measure", "client_id", "week", name=op.f("pk_client_lag_weeks")),
        sqlite_with_rowid=False,  # a measure's clients together, each one's weeks in order
    )
    week, following = WEEK[op.get_bind().dialect.name]
    op.execute(FILL.format(means=MEANS.format(week=week), next=following))


def downgrade() -> None:
    op.drop_table("client_lag_weeks")
