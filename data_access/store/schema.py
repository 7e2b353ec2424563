"""The database schema: typed SQLAlchemy 2 models with the constraints that protect the data.

Alembic migrations in `data_access/store/migrations` are the source of truth for existing databases;
these models describe head and must match it (a test compares them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("clinician", "supervisor", "admin")
SCHEDULED = "scheduled"  # a booked session, not yet recorded: no metric counts it
ATTENDANCE = ("attended", "cancelled", "no_show", SCHEDULED)
STATUSES = ("pending", "completed", "partial", "not_done")


@dataclass(frozen=True)
class MeasureSpec:
    """A scored instrument: its range, which way is better, caseness and reliable change."""

    code: str
    name: str
    min_value: int
    max_value: int
    higher_is_better: bool
    caseness: int | None
    reliable_change: int
    items: int = 0


MEASURES: dict[str, MeasureSpec] = {
    m.code: m
    for m in (
        MeasureSpec("PHQ-9", "Patient Health Questionnaire (depression)", 0, 27, False, 10, 6, 9),
        MeasureSpec("GAD-7", "Generalised Anxiety Disorder scale", 0, 21, False, 8, 4, 7),
        MeasureSpec("MOOD", "Daily mood self-rating", 0, 10, True, None, 2),
    )
}

DEFAULT_ASSIGNMENT_TYPES: tuple[tuple[str, str], ...] = (
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


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _score_in_range() -> str:
    """One CHECK over the built-in measures: a score must lie inside its measure's range."""
    parts = [
        f"(measure = '{m.code}' AND value BETWEEN {m.min_value} AND {m.max_value})"
        for m in MEASURES.values()
    ]
    return " OR ".join(parts)


ITEM_COLUMNS = tuple(f"item_{n}" for n in range(1, 10))
ITEM_MAX = 3


def _items_in_range() -> str:
    """Every item answer, when given, is 0-3 (not at all … nearly every day)."""
    return " AND ".join(f"({c} IS NULL OR {c} BETWEEN 0 AND {ITEM_MAX})" for c in ITEM_COLUMNS)


def _items_add_up() -> str:
    """Items are all absent, or the measure's items are all present and sum to the total.

    Items beyond a measure's count (GAD-7's 8 and 9, every MOOD item) are always absent.
    """
    parts = []
    for m in MEASURES.values():
        own, rest = ITEM_COLUMNS[: m.items], ITEM_COLUMNS[m.items :]
        condition = f"measure = '{m.code}'" + "".join(f" AND {c} IS NULL" for c in rest)
        if own:
            absent = " AND ".join(f"{c} IS NULL" for c in own)
            present = " AND ".join(f"{c} IS NOT NULL" for c in own)
            total = " + ".join(own)
            condition += f" AND (({absent}) OR ({present} AND {total} = value))"
        parts.append(f"({condition})")
    return " OR ".join(parts)


def monday_of(day: dt.date) -> dt.date:
    """The Monday that starts `day`'s week: the bucket every weekly figure uses."""
    return day - dt.timedelta(days=day.weekday())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Clinician(Base):
    """A member of staff: clinicians, supervisors and admins are all people in this table."""

    __tablename__ = "clinicians"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        CheckConstraint("supervisor_id IS NULL OR supervisor_id <> id", name="not_own_supervisor"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="clinician")
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("clinicians.id"), index=True)


class Client(Base):
    """A client under a pseudonymous code; the product never stores a name."""

    __tablename__ = "clients"
    __table_args__ = (
        CheckConstraint(
            "discharged_on IS NULL OR discharged_on >= intake_on", name="discharge_after_intake"
        ),
        Index("ix_clients_clinician_id_code", "clinician_id", "code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinicians.id"))
    intake_on: Mapped[dt.date] = mapped_column(Date)
    discharged_on: Mapped[dt.date | None] = mapped_column(Date)


class TherapySession(Base):
    """One session: booked ahead as `scheduled`, then recorded as attended, cancelled or no-show.

    Metrics count only recorded sessions; a scheduled one is neither attended nor missed.
    """

    __tablename__ = "therapy_sessions"
    __table_args__ = (
        CheckConstraint(_in("attendance", ATTENDANCE), name="attendance"),
        UniqueConstraint("client_id", "held_on"),
        Index("ix_therapy_sessions_clinician_id_held_on", "clinician_id", "held_on"),
        Index("ix_therapy_sessions_held_on_attendance", "held_on", "attendance", "client_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinicians.id"))
    held_on: Mapped[dt.date] = mapped_column(Date)
    attendance: Mapped[str] = mapped_column(String(20))


class AssignmentType(Base):
    """A kind of homework; the default catalogue is seeded by the first migration."""

    __tablename__ = "assignment_types"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    category: Mapped[str] = mapped_column(String(100))


class Assignment(Base):
    """One piece of homework: set, due, then reviewed with a status and an engagement rating.

    `due_week` (the Monday of `due_on`) is stored so weekly figures group over an index
    instead of formatting a date on every row.
    """

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint("difficulty IS NULL OR difficulty BETWEEN 1 AND 5", name="difficulty"),
        CheckConstraint("engagement IS NULL OR engagement BETWEEN 0 AND 4", name="engagement"),
        CheckConstraint("due_on >= assigned_on", name="due_after_assigned"),
        CheckConstraint(
            "reviewed_on IS NULL OR reviewed_on >= assigned_on", name="reviewed_after_assigned"
        ),
        Index(
            "ix_assignments_client_id_assigned_on",
            "client_id",
            "assigned_on",
            "status",
            "type_id",
            "due_week",
        ),
        Index(
            "ix_assignments_client_id_due_on",
            "client_id",
            "due_on",
            "id",
            "status",
            "assigned_on",
            "due_week",
            "type_id",
        ),
        Index("ix_assignments_clinician_id_due_on", "clinician_id", "due_on"),
        Index(
            "ix_assignments_due_week_status",
            "due_week",
            "status",
            "type_id",
            "client_id",
            "difficulty",
            "due_on",
            "assigned_on",
        ),
        Index("ix_assignments_status_due_on", "status", "due_on", "client_id"),
        Index(
            "ix_assignments_type_id_client_id",
            "type_id",
            "client_id",
            "assigned_on",
            "status",
            "engagement",
        ),
        Index("ix_assignments_client_id_status", "client_id", "status", "due_on", "type_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinicians.id"))
    type_id: Mapped[int] = mapped_column(ForeignKey("assignment_types.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("therapy_sessions.id"))
    assigned_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    due_week: Mapped[dt.date] = mapped_column(Date)
    instructions: Mapped[str] = mapped_column(Text, default="")
    difficulty: Mapped[int | None] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    engagement: Mapped[int | None] = mapped_column(SmallInteger)
    reviewed_on: Mapped[dt.date | None] = mapped_column(Date)


class Measure(Base):
    """A scored instrument (PHQ-9, GAD-7, MOOD); see MEASURES for the built-in values."""

    __tablename__ = "measures"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    min_value: Mapped[int] = mapped_column(Integer)
    max_value: Mapped[int] = mapped_column(Integer)
    higher_is_better: Mapped[bool] = mapped_column(Boolean)
    caseness: Mapped[int | None] = mapped_column(Integer)
    reliable_change: Mapped[int] = mapped_column(Integer)


class Score(Base):
    """One score on one measure for one client on one day (at most one: a unique index)."""

    __tablename__ = "scores"
    __table_args__ = (
        CheckConstraint(_score_in_range(), name="value_in_range"),
        CheckConstraint(_items_in_range(), name="items_in_range"),
        CheckConstraint(_items_add_up(), name="items_add_up"),
        Index(
            "uq_scores_client_id_measure_recorded_on",
            "client_id",
            "measure",
            "recorded_on",
            unique=True,
        ),
        Index("ix_scores_measure_recorded_on", "measure", "recorded_on", "client_id"),
        Index(
            "ix_scores_measure_client_id_recorded_on",
            "measure",
            "client_id",
            "recorded_on",
            "id",
            "value",
        ),
        Index("ix_scores_item_9_client_id", "item_9", "client_id", "recorded_on", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    measure: Mapped[str] = mapped_column(ForeignKey("measures.code"))
    value: Mapped[int] = mapped_column(SmallInteger)
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("therapy_sessions.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    item_1: Mapped[int | None] = mapped_column(SmallInteger)
    item_2: Mapped[int | None] = mapped_column(SmallInteger)
    item_3: Mapped[int | None] = mapped_column(SmallInteger)
    item_4: Mapped[int | None] = mapped_column(SmallInteger)
    item_5: Mapped[int | None] = mapped_column(SmallInteger)
    item_6: Mapped[int | None] = mapped_column(SmallInteger)
    item_7: Mapped[int | None] = mapped_column(SmallInteger)
    item_8: Mapped[int | None] = mapped_column(SmallInteger)
    item_9: Mapped[int | None] = mapped_column(SmallInteger)


class RiskReview(Base):
    """A clinician's record that they have seen and acted on one PHQ-9's risk item (item 9)."""

    __tablename__ = "risk_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("scores.id"), unique=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("clinicians.id"))
    reviewed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class UserAccount(Base):
    """Sign-in credentials for one clinician; the password is stored only as an argon2id hash."""

    __tablename__ = "user_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinicians.id"), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class SignInAttempt(Base):
    """A failed sign-in, kept to lock an account after repeated failures."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (Index("ix_sign_in_attempts_email_at", "email", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class WebSession(Base):
    """A signed-in browser: only the hash of the cookie's random id is stored."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("user_accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="session")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AuditEvent(Base):
    """Who did what to which client's data, when. The application only ever appends."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    client_code: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")


class Setting(Base):
    """Small facts about this database, e.g. whether it holds demo data."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class DataVersion(Base):
    """One row whose counter every write of data raises, so caches can tell they are stale."""

    __tablename__ = "data_version"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


CONSTRAINT_REASONS: dict[str, str] = {
    "ck_clinicians_role": f"role must be one of {', '.join(ROLES)}",
    "ck_clinicians_not_own_supervisor": "a clinician cannot supervise themselves",
    "uq_clinicians_email": "a clinician with this email already exists",
    "ck_clients_discharge_after_intake": "discharge date is before the intake date",
    "uq_clients_code": "a client with this code already exists",
    "ck_therapy_sessions_attendance": f"attendance must be one of {', '.join(ATTENDANCE)}",
    "uq_therapy_sessions_client_id_held_on": "this client already has a session on that date",
    "uq_assignment_types_name": "an assignment type with this name already exists",
    "ck_assignments_status": f"status must be one of {', '.join(STATUSES)}",
    "ck_assignments_difficulty": "difficulty must be between 1 and 5",
    "ck_assignments_engagement": "engagement must be between 0 and 4",
    "ck_assignments_due_after_assigned": "due date is before the assigned date",
    "ck_assignments_reviewed_after_assigned": "reviewed date is before the assigned date",
    "uq_assignments_external_id": "an assignment with this assignment_id already exists",
    "ck_scores_value_in_range": "score is outside its measure's range",
    "uq_scores_client_id_measure_recorded_on": (
        "this client already has a score on this measure for that day"
    ),
    "ck_scores_items_in_range": "each item answer must be 0, 1, 2 or 3",
    "ck_scores_items_add_up": "the items must all be given and add up to the total",
    "uq_risk_reviews_score_id": "this risk item has already been marked reviewed",
    "uq_user_accounts_clinician_id": "this clinician already has an account",
}
