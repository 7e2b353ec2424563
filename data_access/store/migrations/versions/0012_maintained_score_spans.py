"""score_spans: each client's first and last score per measure, maintained in every write

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 07:30:00

`score_spans` holds, per (client, measure), the first and the last score (lowest and highest
(recorded_on, id)) and how many there are: `scores.baseline_latest`'s rule over the whole
history (docs/metrics.md). Triggers note in `score_spans_stale` the (client, measure) of each
score inserted, changed or deleted (before and after); `data_access.store.score_spans.refresh`
(called by `engine.write`) recomputes those pairs in the same transaction. The upgrade fills the
table from the existing scores.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# SQLite: row triggers, each noting its pair once. The marks have no unique key, for 0010's
# reason: a writer must never wait on another's uncommitted mark while holding the write lock.
_SQLITE_MARK = (
    "INSERT INTO score_spans_stale (client_id, measure) SELECT {row}.client_id, {row}.measure "
    "WHERE NOT EXISTS (SELECT 1 FROM score_spans_stale s "
    "WHERE s.client_id = {row}.client_id AND s.measure = {row}.measure);"
)
SQLITE_TRIGGERS = {
    "scores_inserted_stale": ("AFTER INSERT ON scores", _SQLITE_MARK.format(row="NEW")),
    "scores_updated_stale": (
        "AFTER UPDATE ON scores",
        _SQLITE_MARK.format(row="OLD") + _SQLITE_MARK.format(row="NEW"),
    ),
    "scores_deleted_stale": ("AFTER DELETE ON scores", _SQLITE_MARK.format(row="OLD")),
}

# PostgreSQL: statement triggers over the transition tables, one grouped insert per statement.
_PG_MARK = (
    "INSERT INTO score_spans_stale (client_id, measure) "
    "SELECT DISTINCT client_id, measure FROM {rows};"
)
PG_FUNCTION = "scores_stale"
PG_BODY = f"""
    BEGIN
        IF TG_OP <> 'DELETE' THEN {_PG_MARK.format(rows="new_rows")} END IF;
        IF TG_OP <> 'INSERT' THEN {_PG_MARK.format(rows="old_rows")} END IF;
        RETURN NULL;
    END"""
PG_TRIGGERS = {
    "scores_inserted_stale": (
        "AFTER INSERT ON scores REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
    ),
    "scores_updated_stale": (
        "AFTER UPDATE ON scores REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT"
    ),
    "scores_deleted_stale": (
        "AFTER DELETE ON scores REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"
    ),
}

# The fill, as the first rebuild: one score per client, measure and day (the unique index of
# 0007), so the first and last day's scores are the first and last by (recorded_on, id).
FILL_SPANS = (
    "INSERT INTO score_spans (client_id, measure, first_id, last_id, first_on, last_on, n) "
    "SELECT g.client_id, g.measure, f.id, l.id, g.first_on, g.last_on, g.n FROM ("
    "SELECT client_id, measure, min(recorded_on) AS first_on, max(recorded_on) AS last_on, "
    "count(*) AS n FROM scores GROUP BY client_id, measure) g "
    "JOIN scores f ON f.client_id = g.client_id AND f.measure = g.measure "
    "AND f.recorded_on = g.first_on "
    "JOIN scores l ON l.client_id = g.client_id AND l.measure = g.measure "
    "AND l.recorded_on = g.last_on"
)


def upgrade() -> None:
    op.create_table(
        "score_spans",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("first_on", sa.Date(), nullable=False),
        sa.Column("last_on", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "measure", name=op.f("pk_score_spans")),
        sqlite_with_rowid=False,  # rows in key order: a client's pairs sit together
    )
    # "is any pair scored after this day?" (an as-of day in the past) is one seek
    op.create_index("ix_score_spans_last_on", "score_spans", ["last_on"])
    op.create_table(
        "score_spans_stale",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_spans_stale")),
    )
    op.create_index("ix_score_spans_stale_key", "score_spans_stale", ["client_id", "measure"])
    if op.get_bind().dialect.name == "sqlite":
        for name, (when, body) in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")
    else:
        op.execute(
            f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $${PG_BODY}$$"
        )
        for name, when in PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {PG_FUNCTION}()")
    op.execute(FILL_SPANS)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + ("" if sqlite else " ON scores"))
    if not sqlite:
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    op.drop_table("score_spans_stale")
    op.drop_table("score_spans")
