"""The maintained tables: figures kept equal to the live tables inside every write.

Each has a module that recomputes it (`aggregates.py`, `homework_days.py`, `score_spans.py`,
`flag_inputs.py` for the flag inputs and their steps, `client_months.py`, `lag_weeks.py`) and a
"stale" table of marks that triggers fill and the same write clears (the flag inputs, their
steps, the client months and the lag weeks read the marks of the homework days and the score
spans). docs/metrics.md
says which figures read which table; docs/operations.md how to rebuild them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from data_access.store.schema import Base


class HomeworkCount(Base):
    """Maintained: assignments per client's clinician × due week × type × status
    (`data_access/store/aggregates.py` keeps it equal to `assignments` in every write)."""

    __tablename__ = "homework_counts"
    __table_args__ = {"sqlite_with_rowid": False}  # rows stored in key order: a range reads them

    due_week: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    clinician_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class HomeworkWeekCount(Base):
    """Maintained: assignments per client's clinician × due week × whether the client has a
    discharge date × status, every type together. A caseload table or heatmap with no type
    chosen sums under a third of `homework_counts`' rows, and the active clients' figures need not
    take the discharged ones' off live (`aggregates.refresh` keeps it in every write)."""

    __tablename__ = "homework_week_counts"
    __table_args__ = {"sqlite_with_rowid": False}

    due_week: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    clinician_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    discharged: Mapped[int] = mapped_column(SmallInteger, primary_key=True)  # 1: has a date
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class HomeworkMixCount(Base):
    """Maintained, practice-wide: assignments per due week × type × difficulty (0 = not rated)
    × days-allowed bucket (its first day) × status."""

    __tablename__ = "homework_mix_counts"
    __table_args__ = {"sqlite_with_rowid": False}

    due_week: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    type_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    difficulty: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    days_allowed: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class AggregateStale(Base):
    """(clinician, due week, type) keys whose maintained counts a write has touched; triggers
    add them, the same transaction recomputes and clears them. Not unique: two writers marking
    the same key never wait for each other (one may hold the write lock the other needs)."""

    __tablename__ = "aggregates_stale"
    __table_args__ = (Index("ix_aggregates_stale_key", "clinician_id", "due_week", "type_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinician_id: Mapped[int] = mapped_column(Integer)
    due_week: Mapped[dt.date] = mapped_column(Date)
    type_id: Mapped[int] = mapped_column(Integer)


class HomeworkDay(Base):
    """Maintained: one client's homework set on one day, with what the Homework page's review
    figures need (`data_access/store/homework_days.py` keeps it equal to `assignments` and
    `therapy_sessions` in every write)."""

    __tablename__ = "homework_days"
    __table_args__ = (
        Index("ix_homework_days_client_id", "client_id"),
        {"sqlite_with_rowid": False},  # rows stored in day order: a period reads one range
    )

    assigned_on: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    client_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)  # assignments set that day
    pending: Mapped[int] = mapped_column(Integer)
    reviewed: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer)
    partial: Mapped[int] = mapped_column(Integer)
    last_review: Mapped[dt.date | None] = mapped_column(Date)  # the day's latest review date
    next_session: Mapped[dt.date | None] = mapped_column(Date)  # next attended, after that day
    on_time: Mapped[int] = mapped_column(Integer)  # reviewed on or before `next_session`
    previous_on: Mapped[dt.date | None] = mapped_column(Date)  # the client's homework day before
    # 1 when every assignment of `previous_on` had a status and a review date by this day
    previous_reviewed: Mapped[int] = mapped_column(SmallInteger)


class HomeworkDayStale(Base):
    """Clients whose `homework_days` a write has touched; triggers add them, the same
    transaction recomputes and clears them (not unique, as AggregateStale)."""

    __tablename__ = "homework_days_stale"
    __table_args__ = (Index("ix_homework_days_stale_client_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(Integer)


class ScoreSpan(Base):
    """Maintained: each client's first and last score on a measure (lowest and highest
    (recorded_on, id)) and how many (`data_access/store/score_spans.py`, migration 0012)."""

    __tablename__ = "score_spans"
    __table_args__ = (Index("ix_score_spans_last_on", "last_on"), {"sqlite_with_rowid": False})

    client_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure: Mapped[str] = mapped_column(String(20), primary_key=True)
    first_id: Mapped[int] = mapped_column(Integer)
    last_id: Mapped[int] = mapped_column(Integer)
    first_on: Mapped[dt.date] = mapped_column(Date)
    last_on: Mapped[dt.date] = mapped_column(Date)
    n: Mapped[int] = mapped_column(Integer)


class ScoreSpanStale(Base):
    """(client, measure) pairs a write touched, until it recomputes them; as aggregates_stale."""

    __tablename__ = "score_spans_stale"
    __table_args__ = (Index("ix_score_spans_stale_key", "client_id", "measure"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(Integer)
    measure: Mapped[str] = mapped_column(String(20))


class ClientFlagInput(Base):
    """Maintained: what each needs-attention flag of one client is decided on, as of their
    newest data (`data_access/store/flag_inputs.py`, migration 0013). A client with no reviewed
    homework, recorded session or score has no row."""

    __tablename__ = "client_flag_inputs"

    client_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # credit of the last LOW_COMPLETION_WINDOW reviewed assignments (None with fewer)
    completion_credit: Mapped[float | None] = mapped_column(Float)
    # of the last NO_HOMEWORK_SESSIONS attended sessions, how many had homework set that day
    sessions_with_homework: Mapped[int | None] = mapped_column(Integer)
    no_shows: Mapped[int | None] = mapped_column(Integer)  # of the last NO_SHOW_RUN sessions
    # the newest day each of those depends on: valid as of any day on or after all three
    last_reviewed_set_on: Mapped[dt.date | None] = mapped_column(Date)
    last_session_on: Mapped[dt.date | None] = mapped_column(Date)
    last_score_on: Mapped[dt.date | None] = mapped_column(Date)


class ClientFlagStep(Base):
    """Maintained: a client's flag inputs as of each day they change, so the flags as of any
    past day are one seek per client (`data_access/store/flag_inputs.py`, migration 0014).

    A row per day on which the client had homework set that is now reviewed or a recorded
    session: the inputs hold from that day until the client's next row. Before the first row
    the client has none (each rule needs a few reviewed assignments or sessions)."""

    __tablename__ = "client_flag_steps"
    __table_args__ = {"sqlite_with_rowid": False}  # a client's rows stored together, by day

    client_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    completion_credit: Mapped[float | None] = mapped_column(Float)
    sessions_with_homework: Mapped[int | None] = mapped_column(Integer)
    no_shows: Mapped[int | None] = mapped_column(Integer)


class ClientMonth(Base):
    """Maintained: one client's homework due and attended sessions in one calendar month
    (`data_access/store/client_months.py` keeps it equal to `assignments` and `therapy_sessions`
    in every write, migration 0015). A client with neither in a month has no row for it."""

    __tablename__ = "client_months"
    # A client's months stored together, in order: a period reads one short range per client.
    __table_args__ = {"sqlite_with_rowid": False}

    client_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)  # its first day
    # assignments (any type) due that month, and of them completed, partial and reviewed
    due: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer)
    partial: Mapped[int] = mapped_column(Integer)
    reviewed: Mapped[int] = mapped_column(Integer)
    # attended sessions held that month, and of them those with homework (any type) set that day
    attended: Mapped[int] = mapped_column(Integer)
    with_homework: Mapped[int] = mapped_column(Integer)


class ClientLagWeek(Base):
    """Maintained: one client's week w on one measure for the one-week lag
    (`data_access/store/lag_weeks.py` keeps it equal to `assignments` and `scores` in every
    write, migration 0016): whether the homework due in w was mostly done, and the mean score
    of week w + 1 minus that of w. Only weeks with reviewed homework due and scores in both."""

    __tablename__ = "client_lag_weeks"
    # A measure's clients stored together, each client's weeks in order: the lag view sums one
    # range per client without sorting.
    __table_args__ = {"sqlite_with_rowid": False}

    measure: Mapped[str] = mapped_column(String(20), primary_key=True)
    client_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    week: Mapped[dt.date] = mapped_column(Date, primary_key=True)  # its Monday
    done: Mapped[int] = mapped_column(SmallInteger)  # 1: completion rate >= DONE_WEEK
    change: Mapped[float] = mapped_column(Float)  # mean of week w + 1 minus mean of w, unsigned
