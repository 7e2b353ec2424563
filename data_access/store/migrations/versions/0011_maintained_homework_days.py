"""homework_days: each client's homework-setting days, maintained in every write

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 07:30:00

One row per (client, day homework was set): how many assignments, how many still pending,
reviewed, completed and partial, the latest review date, the client's next attended session
after that day and how many of the day's assignments were reviewed by it, and the client's
previous homework day with whether all of its homework had been reviewed by this one. The
Homework page's "reviewed by the next session" and "completion after a review" add these rows
up instead of re-deriving them from every assignment and session (docs/metrics.md). Triggers
note in `homework_days_stale` each client whose assignments or sessions a write touches;
`data_access.store.homework_days.refresh` (called by `engine.write`) recomputes those
clients' rows in the same transaction. The upgrade fills the table from what is there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# SQLite: row triggers, each noting the client of the row before and after, once. The marks
# have no unique key, for the reason 0010 gives.
_SQLITE_MARK = (
    "INSERT INTO homework_days_stale (client_id) SELECT {row}.client_id "
    "WHERE NOT EXISTS (SELECT 1 FROM homework_days_stale s WHERE s.client_id = {row}.client_id);"
)
_TABLES = ("assignments", "therapy_sessions")
SQLITE_TRIGGERS = {
    f"{table}_{event}_days_stale": (f"AFTER {event.upper()} ON {table}", body)
    for table in _TABLES
    for event, body in (
        ("insert", _SQLITE_MARK.format(row="NEW")),
        ("update", _SQLITE_MARK.format(row="OLD") + _SQLITE_MARK.format(row="NEW")),
        ("delete", _SQLITE_MARK.format(row="OLD")),
    )
}

# PostgreSQL: statement triggers over the transition tables (a COPY marks its clients once).
_PG_MARK = "INSERT INTO homework_days_stale (client_id) SELECT DISTINCT client_id FROM {rows};"
PG_FUNCTION = f"""
    BEGIN
        IF TG_OP <> 'DELETE' THEN {_PG_MARK.format(rows="new_rows")} END IF;
        IF TG_OP <> 'INSERT' THEN {_PG_MARK.format(rows="old_rows")} END IF;
        RETURN NULL;
    END"""
_PG_REFERENCING = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
}
PG_TRIGGERS = {
    f"{table}_{event}_days_stale": (
        f"AFTER {event.upper()} ON {table} {referencing} FOR EACH STATEMENT"
    )
    for table in _TABLES
    for event, referencing in _PG_REFERENCING.items()
}

# The fill: the same rows `homework_days.rebuild` makes (a test compares them).
FILL = """
INSERT INTO homework_days (assigned_on, client_id, n, pending, reviewed, completed, partial,
    last_review, next_session, on_time, previous_on, previous_reviewed)
SELECT d.assigned_on, d.client_id, d.n, d.pending, d.reviewed, d.completed, d.partial,
    d.last_review, d.next_session,
    (SELECT count(*) FROM assignments a WHERE a.client_id = d.client_id
        AND a.assigned_on = d.assigned_on AND a.status <> 'pending'
        AND a.reviewed_on IS NOT NULL AND a.reviewed_on <= d.next_session),
    d.previous_on,
    CASE WHEN d.previous_pending = 0 AND d.previous_review <= d.assigned_on THEN 1 ELSE 0 END
FROM (
    SELECT g.*,
        (SELECT min(s.held_on) FROM therapy_sessions s WHERE s.client_id = g.client_id
            AND s.attendance = 'attended' AND s.held_on > g.assigned_on) AS next_session,
        lag(g.assigned_on) OVER w AS previous_on,
        lag(g.pending) OVER w AS previous_pending,
        lag(g.last_review) OVER w AS previous_review
    FROM (
        SELECT client_id, assigned_on, count(*) AS n,
            sum(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending,
            sum(CASE WHEN status <> 'pending' THEN 1 ELSE 0 END) AS reviewed,
            sum(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS completed,
            sum(CASE WHEN status = 'partial' THEN 1 ELSE 0 END) AS partial,
            max(reviewed_on) AS last_review
        FROM assignments GROUP BY client_id, assigned_on
    ) g
    WINDOW w AS (PARTITION BY g.client_id ORDER BY g.assigned_on)
) d
"""


def upgrade() -> None:
    op.create_table(
        "homework_days",
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.Column("reviewed", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("partial", sa.Integer(), nullable=False),
        sa.Column("last_review", sa.Date(), nullable=True),
        sa.Column("next_session", sa.Date(), nullable=True),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("previous_on", sa.Date(), nullable=True),
        sa.Column("previous_reviewed", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("assigned_on", "client_id", name=op.f("pk_homework_days")),
        sqlite_with_rowid=False,  # rows kept in day order: a period reads one range
    )
    op.create_index("ix_homework_days_client_id", "homework_days", ["client_id"])
    op.create_table(
        "homework_days_stale",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_homework_days_stale")),
    )
    op.create_index("ix_homework_days_stale_client_id", "homework_days_stale", ["client_id"])
    if op.get_bind().dialect.name == "sqlite":
        for name, (when, body) in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")
    else:
        op.execute(
            "CREATE FUNCTION homework_days_stale() RETURNS trigger LANGUAGE plpgsql "
            f"AS $${PG_FUNCTION}$$"
        )
        for name, when in PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION homework_days_stale()")
    op.execute(FILL)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name in SQLITE_TRIGGERS:
        table = "assignments" if name.startswith("assignments") else "therapy_sessions"
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + ("" if sqlite else f" ON {table}"))
    if not sqlite:
        op.execute("DROP FUNCTION IF EXISTS homework_days_stale()")
    op.drop_table("homework_days_stale")
    op.drop_table("homework_days")
