"""scores: PHQ-9 and GAD-7 item answers; risk_reviews: who reviewed a PHQ-9 risk item, when

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 22:00:00

Item answers (0-3 each) are optional: rows without them keep working. When a score has items,
a CHECK makes them complete and equal to the total, so a half-entered questionnaire cannot be
stored. Item 9 of the PHQ-9 (thoughts of being better off dead or of self-harm) raises the Risk
item flag; `risk_reviews` keeps the clinician's review of it (one per score).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ITEMS = [f"item_{n}" for n in range(1, 10)]
INDEX = "ix_scores_item_9_client_id"  # open risk items: seek item 9 >= 1, then newer ones
COUNTS = {"PHQ-9": 9, "GAD-7": 7, "MOOD": 0}


def _items_in_range() -> str:
    return " AND ".join(f"({c} IS NULL OR {c} BETWEEN 0 AND 3)" for c in ITEMS)


def _items_add_up() -> str:
    parts = []
    for code, count in COUNTS.items():
        own, rest = ITEMS[:count], ITEMS[count:]
        condition = f"measure = '{code}'" + "".join(f" AND {c} IS NULL" for c in rest)
        if own:
            absent = " AND ".join(f"{c} IS NULL" for c in own)
            present = " AND ".join(f"{c} IS NOT NULL" for c in own)
            condition += f" AND (({absent}) OR ({present} AND {' + '.join(own)} = value))"
        parts.append(f"({condition})")
    return " OR ".join(parts)


def upgrade() -> None:
    with op.batch_alter_table("scores", schema=None) as batch_op:
        for column in ITEMS:
            batch_op.add_column(sa.Column(column, sa.SmallInteger(), nullable=True))
        batch_op.create_check_constraint("items_in_range", _items_in_range())
        batch_op.create_check_constraint("items_add_up", _items_add_up())
        batch_op.create_index(INDEX, ["item_9", "client_id", "recorded_on", "id"], unique=False)
    op.create_table(
        "risk_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("score_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["clinicians.id"], name=op.f("fk_risk_reviews_reviewer_id_clinicians")
        ),
        sa.ForeignKeyConstraint(
            ["score_id"], ["scores.id"], name=op.f("fk_risk_reviews_score_id_scores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_reviews")),
        sa.UniqueConstraint("score_id", name=op.f("uq_risk_reviews_score_id")),
    )


def downgrade() -> None:
    op.drop_table("risk_reviews")
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.drop_constraint("items_add_up", type_="check")
        batch_op.drop_constraint("items_in_range", type_="check")
        for column in reversed(ITEMS):
            batch_op.drop_column(column)
