"""scores: an index by measure then client that covers each day's score

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 18:00:00

Baseline-to-latest change groups each client's PHQ-9 and GAD-7 scores and then looks up the
score on the first and the last day. In (measure, client_id, recorded_on, id, value) order the
grouping reads one measure's clients in order and each lookup is answered from the index, with
the tie-break by id, without reading the table (PostgreSQL gains; SQLite groups over it at the
same speed).
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NAME = "ix_scores_measure_client_id_recorded_on"
COLUMNS = ["measure", "client_id", "recorded_on", "id", "value"]


def upgrade() -> None:
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.create_index(NAME, COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.drop_index(NAME)
