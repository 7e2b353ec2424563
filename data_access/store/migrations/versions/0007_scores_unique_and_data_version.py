"""scores: one per (client, measure, day), enforced; a data version that every write bumps

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 22:00:00

Two overlapping imports could both find a score "new" and insert it twice. The unique index
makes the database refuse the second copy, and imports upsert under it. Duplicates already
stored are removed first, keeping the newest row (highest id) of each (client, measure, day),
which is the one an import or form wrote last; the downgrade cannot bring them back.

`data_version` is a one-row counter raised in the same transaction as every write of data
(forms, imports, demo, account changes, restore), so each app process can key its cached
page data on it and see another process's or the command line's write on its next page view.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD_INDEX = "ix_scores_client_id_measure_recorded_on"
UNIQUE = "uq_scores_client_id_measure_recorded_on"
COLUMNS = ["client_id", "measure", "recorded_on"]


def upgrade() -> None:
    op.execute(
        "DELETE FROM scores WHERE id NOT IN "
        "(SELECT MAX(id) FROM scores GROUP BY client_id, measure, recorded_on)"
    )
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.drop_index(OLD_INDEX)
        batch_op.create_index(UNIQUE, COLUMNS, unique=True)
    version = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_data_version_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(version, [{"id": 1, "version": 1}])


def downgrade() -> None:
    op.drop_table("data_version")
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.drop_index(UNIQUE)
        batch_op.create_index(OLD_INDEX, COLUMNS, unique=False)
