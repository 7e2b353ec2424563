"""homework_week_counts: assignments per clinician, due week and discharge, every type, maintained

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 03:00:00

A row per due week, client's clinician, whether the client has a discharge date, and status,
with the assignments of every type. The Caseload table and heatmap with no type chosen sum
under a third of the rows `homework_counts` holds for the same weeks, and for the clients active today
they leave out the discharged clients' rows instead of counting those clients' assignments to
take them off (docs/metrics.md, "Where the figures are read from").
`data_access.store.aggregates.refresh` recomputes the (clinician, week) pairs of the keys marked
in `aggregates_stale`; 0010's triggers mark them for assignments and a client's move, and a new
trigger marks the weeks of a client who is discharged or readmitted, for this table alone. The
upgrade fills the table from the assignments.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The fill: the rows `aggregates.rebuild` makes (a test compares them).
FILL = """
INSERT INTO homework_week_counts (due_week, clinician_id, discharged, status, n)
SELECT a.due_week, c.clinician_id, CASE WHEN c.discharged_on IS NULL THEN 0 ELSE 1 END,
    a.status, count(*)
FROM assignments a JOIN clients c ON c.id = a.client_id
GROUP BY a.due_week, c.clinician_id, CASE WHEN c.discharged_on IS NULL THEN 0 ELSE 1 END,
    a.status
"""
# A discharge date set or cleared marks each (clinician, week) of the client's assignments for
# the week counts alone (type -1, `aggregates.WEEKS_ONLY`): the other counts do not depend on it.
_MARK = (
    "INSERT INTO aggregates_stale (clinician_id, due_week, type_id) "
    "SELECT DISTINCT NEW.clinician_id, due_week, -1 FROM assignments WHERE client_id = NEW.id;"
)
SQLITE_TRIGGER = f"""
CREATE TRIGGER clients_discharged_stale
AFTER UPDATE OF discharged_on ON clients
WHEN (OLD.discharged_on IS NULL) <> (NEW.discharged_on IS NULL)
BEGIN {_MARK} END
"""
PG_FUNCTION = f"""
CREATE FUNCTION clients_discharged_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_MARK} RETURN NULL; END $$
"""
PG_TRIGGER = """
CREATE TRIGGER clients_discharged_stale
AFTER UPDATE OF discharged_on ON clients FOR EACH ROW
WHEN ((OLD.discharged_on IS NULL) IS DISTINCT FROM (NEW.discharged_on IS NULL))
EXECUTE FUNCTION clients_discharged_stale()
"""


def upgrade() -> None:
    op.create_table(
        "homework_week_counts",
        sa.Column("due_week", sa.Date(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("discharged", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "due_week",
            "clinician_id",
            "discharged",
            "status",
            name=op.f("pk_homework_week_counts"),
        ),
        sqlite_with_rowid=False,  # rows stored in key order: a range of weeks reads them
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_TRIGGER)
    else:
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    op.execute(FILL)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER clients_discharged_stale")
    else:
        op.execute("DROP TRIGGER clients_discharged_stale ON clients")
        op.execute("DROP FUNCTION clients_discharged_stale()")
    op.drop_table("homework_week_counts")
