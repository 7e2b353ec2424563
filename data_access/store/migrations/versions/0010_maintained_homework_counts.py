"""homework_counts, homework_mix_counts: homework counts maintained in every write

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 01:00:00

`homework_counts` holds assignments per client's clinician × due week × type × status;
`homework_mix_counts` the practice's assignments per due week × type × difficulty × days-allowed
bucket × status. Triggers note in `aggregates_stale` each (clinician, due week, type) that an
insert, update or delete of an assignment, or a client's move or deletion, touches;
`data_access.store.aggregates.refresh` (called by `engine.write`) recomputes those keys in the
same transaction. The upgrade fills the tables from the existing assignments.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# SQLite has row triggers only; each notes the keys of the row before and after, once. The
# marks have no unique key: on PostgreSQL a writer would wait on another's uncommitted mark
# while holding the write lock that one needs (an import takes it first).
_SQLITE_MARK = (
    "INSERT INTO aggregates_stale (clinician_id, due_week, type_id) "
    "SELECT c.clinician_id, {row}.due_week, {row}.type_id FROM clients c "
    "WHERE c.id = {row}.client_id AND NOT EXISTS (SELECT 1 FROM aggregates_stale s "
    "WHERE s.clinician_id = c.clinician_id AND s.due_week = {row}.due_week "
    "AND s.type_id = {row}.type_id);"
)
_SQLITE_CLIENT = (
    "INSERT INTO aggregates_stale (clinician_id, due_week, type_id) "
    "SELECT DISTINCT {row}.clinician_id, due_week, type_id FROM assignments "
    "WHERE client_id = {row}.id;"
)
SQLITE_TRIGGERS = {
    "assignments_inserted_stale": (
        "AFTER INSERT ON assignments",
        _SQLITE_MARK.format(row="NEW"),
    ),
    "assignments_updated_stale": (
        "AFTER UPDATE ON assignments",
        _SQLITE_MARK.format(row="OLD") + _SQLITE_MARK.format(row="NEW"),
    ),
    "assignments_deleted_stale": (
        "AFTER DELETE ON assignments",
        _SQLITE_MARK.format(row="OLD"),
    ),
    "clients_moved_stale": (
        "AFTER UPDATE OF clinician_id ON clients WHEN OLD.clinician_id IS NOT NEW.clinician_id",
        _SQLITE_CLIENT.format(row="OLD") + _SQLITE_CLIENT.format(row="NEW"),
    ),
    "clients_deleted_stale": ("BEFORE DELETE ON clients", _SQLITE_CLIENT.format(row="OLD")),
}

# PostgreSQL: statement triggers over the transition tables, so a COPY of a million rows
# notes its keys in one grouped insert.
_PG_MARK = (
    "INSERT INTO aggregates_stale (clinician_id, due_week, type_id) "
    "SELECT DISTINCT c.clinician_id, r.due_week, r.type_id "
    "FROM {rows} r JOIN clients c ON c.id = r.client_id;"
)
_PG_CLIENT = (
    "INSERT INTO aggregates_stale (clinician_id, due_week, type_id) "
    "SELECT DISTINCT {row}.clinician_id, due_week, type_id FROM assignments "
    "WHERE client_id = {row}.id;"
)
PG_FUNCTIONS = {
    "assignments_stale": f"""
        BEGIN
            IF TG_OP <> 'DELETE' THEN {_PG_MARK.format(rows="new_rows")} END IF;
            IF TG_OP <> 'INSERT' THEN {_PG_MARK.format(rows="old_rows")} END IF;
            RETURN NULL;
        END""",
    "clients_stale": f"""
        BEGIN
            {_PG_CLIENT.format(row="OLD")}
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            {_PG_CLIENT.format(row="NEW")}
            RETURN NULL;
        END""",
}
PG_TRIGGERS = {
    "assignments_inserted_stale": (
        "AFTER INSERT ON assignments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
        "assignments_stale",
    ),
    "assignments_updated_stale": (
        "AFTER UPDATE ON assignments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT",
        "assignments_stale",
    ),
    "assignments_deleted_stale": (
        "AFTER DELETE ON assignments REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT",
        "assignments_stale",
    ),
    "clients_moved_stale": (
        "AFTER UPDATE OF clinician_id ON clients FOR EACH ROW "
        "WHEN (OLD.clinician_id IS DISTINCT FROM NEW.clinician_id)",
        "clients_stale",
    ),
    "clients_deleted_stale": ("BEFORE DELETE ON clients FOR EACH ROW", "clients_stale"),
}

# The fill, as the first rebuild: days allowed bucketed by DAYS_ALLOWED_BUCKETS' first days.
_DAYS = {
    "sqlite": "CAST(julianday(due_on) - julianday(assigned_on) AS INTEGER)",
    "postgresql": "(due_on - assigned_on)",
}
FILL_COUNTS = (
    "INSERT INTO homework_counts (clinician_id, due_week, type_id, status, n) "
    "SELECT c.clinician_id, a.due_week, a.type_id, a.status, count(*) "
    "FROM assignments a JOIN clients c ON c.id = a.client_id "
    "GROUP BY c.clinician_id, a.due_week, a.type_id, a.status"
)
FILL_MIX = (
    "INSERT INTO homework_mix_counts (due_week, type_id, difficulty, days_allowed, status, n) "
    "SELECT due_week, type_id, coalesce(difficulty, 0), {bucket}, status, count(*) "
    "FROM assignments GROUP BY due_week, type_id, coalesce(difficulty, 0), {bucket}, status"
)


def _bucket(dialect: str) -> str:
    days = _DAYS[dialect]
    return (
        f"CASE WHEN {days} <= 3 THEN 0 WHEN {days} <= 7 THEN 4 WHEN {days} <= 14 THEN 8 ELSE 15 END"
    )


def upgrade() -> None:
    op.create_table(
        "homework_counts",
        sa.Column("due_week", sa.Date(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "due_week", "clinician_id", "type_id", "status", name=op.f("pk_homework_counts")
        ),
        sqlite_with_rowid=False,  # SQLite keeps rows in key order: a range of weeks reads them
    )
    op.create_table(
        "homework_mix_counts",
        sa.Column("due_week", sa.Date(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("difficulty", sa.SmallInteger(), nullable=False),
        sa.Column("days_allowed", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "due_week",
            "type_id",
            "difficulty",
            "days_allowed",
            "status",
            name=op.f("pk_homework_mix_counts"),
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "aggregates_stale",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("due_week", sa.Date(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aggregates_stale")),
    )
    op.create_index(
        "ix_aggregates_stale_key", "aggregates_stale", ["clinician_id", "due_week", "type_id"]
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name, (when, body) in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")
    else:
        for name, body in PG_FUNCTIONS.items():
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$")
        for name, (when, function) in PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {function}()")
    op.execute(FILL_COUNTS)
    op.execute(FILL_MIX.format(bucket=_bucket(dialect)))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name in SQLITE_TRIGGERS:
        table = name.split("_")[0]
        op.execute(
            f"DROP TRIGGER IF EXISTS {name}" + ("" if dialect == "sqlite" else f" ON {table}")
        )
    if dialect != "sqlite":
        for name in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("aggregates_stale")
    op.drop_table("homework_mix_counts")
    op.drop_table("homework_counts")
