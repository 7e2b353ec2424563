"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-26 11:45:33.424247
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignment_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_types")),
        sa.UniqueConstraint("name", name=op.f("uq_assignment_types_name")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_email", sa.String(length=254), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("client_code", sa.String(length=40), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_at", ["at"], unique=False)

    op.create_table(
        "clinicians",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "role IN ('clinician', 'supervisor', 'admin')", name=op.f("ck_clinicians_role")
        ),
        sa.CheckConstraint(
            "supervisor_id IS NULL OR supervisor_id <> id",
            name=op.f("ck_clinicians_not_own_supervisor"),
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_id"],
            ["clinicians.id"],
            name=op.f("fk_clinicians_supervisor_id_clinicians"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinicians")),
        sa.UniqueConstraint("email", name=op.f("uq_clinicians_email")),
    )
    with op.batch_alter_table("clinicians", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_clinicians_supervisor_id"), ["supervisor_id"], unique=False
        )

    op.create_table(
        "measures",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("min_value", sa.Integer(), nullable=False),
        sa.Column("max_value", sa.Integer(), nullable=False),
        sa.Column("higher_is_better", sa.Boolean(), nullable=False),
        sa.Column("caseness", sa.Integer(), nullable=True),
        sa.Column("reliable_change", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_measures")),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempts")),
    )
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_attempts_email_at", ["email", "at"], unique=False)

    op.create_table(
        "clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("intake_on", sa.Date(), nullable=False),
        sa.Column("discharged_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "discharged_on IS NULL OR discharged_on >= intake_on",
            name=op.f("ck_clients_discharge_after_intake"),
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["clinicians.id"], name=op.f("fk_clients_clinician_id_clinicians")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint("code", name=op.f("uq_clients_code")),
    )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.create_index(
            "ix_clients_clinician_id_code", ["clinician_id", "code"], unique=False
        )

    op.create_table(
        "user_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["clinicians.id"],
            name=op.f("fk_user_accounts_clinician_id_clinicians"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_accounts")),
        sa.UniqueConstraint("clinician_id", name=op.f("uq_user_accounts_clinician_id")),
    )
    op.create_table(
        "therapy_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("attendance", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "attendance IN ('attended', 'cancelled', 'no_show')",
            name=op.f("ck_therapy_sessions_attendance"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_therapy_sessions_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["clinicians.id"],
            name=op.f("fk_therapy_sessions_clinician_id_clinicians"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapy_sessions")),
        sa.UniqueConstraint(
            "client_id", "held_on", name=op.f("uq_therapy_sessions_client_id_held_on")
        ),
    )
    with op.batch_alter_table("therapy_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_therapy_sessions_clinician_id_held_on", ["clinician_id", "held_on"], unique=False
        )
        batch_op.create_index(
            "ix_therapy_sessions_held_on_attendance",
            ["held_on", "attendance", "client_id"],
            unique=False,
        )

    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["user_accounts.id"],
            name=op.f("fk_web_sessions_account_id_user_accounts"),
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_sessions")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_sessions_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("due_week", sa.Date(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("difficulty", sa.SmallInteger(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("engagement", sa.SmallInteger(), nullable=True),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'completed', 'partial', 'not_done')",
            name=op.f("ck_assignments_status"),
        ),
        sa.CheckConstraint(
            "difficulty IS NULL OR difficulty BETWEEN 1 AND 5",
            name=op.f("ck_assignments_difficulty"),
        ),
        sa.CheckConstraint("due_on >= assigned_on", name=op.f("ck_assignments_due_after_assigned")),
        sa.CheckConstraint(
            "engagement IS NULL OR engagement BETWEEN 0 AND 4",
            name=op.f("ck_assignments_engagement"),
        ),
        sa.CheckConstraint(
            "reviewed_on IS NULL OR reviewed_on >= assigned_on",
            name=op.f("ck_assignments_reviewed_after_assigned"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_assignments_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["clinicians.id"], name=op.f("fk_assignments_clinician_id_clinicians")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["therapy_sessions.id"],
            name=op.f("fk_assignments_session_id_therapy_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["assignment_types.id"],
            name=op.f("fk_assignments_type_id_assignment_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint("external_id", name=op.f("uq_assignments_external_id")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignments_client_id_assigned_on", ["client_id", "assigned_on"], unique=False
        )
        batch_op.create_index(
            "ix_assignments_clinician_id_due_on", ["clinician_id", "due_on"], unique=False
        )
        batch_op.create_index(
            "ix_assignments_due_week_status",
            ["due_week", "status", "type_id", "client_id", "difficulty"],
            unique=False,
        )
        batch_op.create_index(
            "ix_assignments_status_due_on", ["status", "due_on", "client_id"], unique=False
        )

    op.create_table(
        "scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(measure = 'PHQ-9' AND value BETWEEN 0 AND 27) OR (measure = 'GAD-7' AND value BETWEEN 0 AND 21) OR (measure = 'MOOD' AND value BETWEEN 0 AND 10)",
            name=op.f("ck_scores_value_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_scores_assignment_id_assignments")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_scores_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["measure"], ["measures.code"], name=op.f("fk_scores_measure_measures")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["therapy_sessions.id"],
            name=op.f("fk_scores_session_id_therapy_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scores")),
    )
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.create_index(
            "ix_scores_client_id_measure_recorded_on",
            ["client_id", "measure", "recorded_on"],
            unique=False,
        )
        batch_op.create_index(
            "ix_scores_measure_recorded_on", ["measure", "recorded_on", "client_id"], unique=False
        )

    # Built-in measures and the default homework catalogue, frozen as they were at this revision.
    measures = sa.table(
        "measures",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("min_value", sa.Integer),
        sa.column("max_value", sa.Integer),
        sa.column("higher_is_better", sa.Boolean),
        sa.column("caseness", sa.Integer),
        sa.column("reliable_change", sa.Integer),
    )
    op.bulk_insert(
        measures,
        [
            {
                "code": "PHQ-9",
                "name": "Patient Health Questionnaire (depression)",
                "min_value": 0,
                "max_value": 27,
                "higher_is_better": False,
                "caseness": 10,
                "reliable_change": 6,
            },
            {
                "code": "GAD-7",
                "name": "Generalised Anxiety Disorder scale",
                "min_value": 0,
                "max_value": 21,
                "higher_is_better": False,
                "caseness": 8,
                "reliable_change": 4,
            },
            {
                "code": "MOOD",
                "name": "Daily mood self-rating",
                "min_value": 0,
                "max_value": 10,
                "higher_is_better": True,
                "caseness": None,
                "reliable_change": 2,
            },
        ],
    )
    types = sa.table(
        "assignment_types", sa.column("name", sa.String), sa.column("category", sa.String)
    )
    op.bulk_insert(
        types,
        [
            {"name": name, "category": category}
            for name, category in (
                ("Daily Mood Log", "Self-monitoring"),
                ("Thought Record", "Cognitive"),
                ("Behavioural Experiment", "Behavioural"),
                ("Writing Assignment", "Cognitive"),
                ("Activity Scheduling", "Behavioural"),
                ("Exposure Practice", "Behavioural"),
                ("Relaxation / Mindfulness Practice", "Skills practice"),
                ("Reading / Psychoeducation", "Psychoeducation"),
                ("Other", "Other"),
            )
        ],
    )


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.drop_index("ix_scores_measure_recorded_on")
        batch_op.drop_index("ix_scores_client_id_measure_recorded_on")

    op.drop_table("scores")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_status_due_on")
        batch_op.drop_index("ix_assignments_due_week_status")
        batch_op.drop_index("ix_assignments_clinician_id_due_on")
        batch_op.drop_index("ix_assignments_client_id_assigned_on")

    op.drop_table("assignments")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_account_id"))

    op.drop_table("web_sessions")
    with op.batch_alter_table("therapy_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_therapy_sessions_held_on_attendance")
        batch_op.drop_index("ix_therapy_sessions_clinician_id_held_on")

    op.drop_table("therapy_sessions")
    op.drop_table("user_accounts")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index("ix_clients_clinician_id_code")

    op.drop_table("clients")
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_attempts_email_at")

    op.drop_table("sign_in_attempts")
    op.drop_table("settings")
    op.drop_table("measures")
    with op.batch_alter_table("clinicians", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clinicians_supervisor_id"))

    op.drop_table("clinicians")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_at")

    op.drop_table("audit_events")
    op.drop_table("assignment_types")
