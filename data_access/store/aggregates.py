"""Maintained figures: homework counts kept equal to `assignments` inside every write.

Triggers (migrations 0010, 0017 and 0018) note each (clinician, due week, type) that a write
touches in `aggregates_stale`: an assignment inserted, changed or deleted, a client deleted, or
(for the counts by clinician alone) moved to another clinician, and (for the week counts alone)
discharged or readmitted. `refresh`,
called by `engine.write` before it commits, recomputes those keys of `homework_counts`, those
(week, type) pairs of `homework_mix_counts` and those (clinician, week) pairs of
`homework_week_counts` from the live tables and clears the marks, so the counts change in the
same transaction as the rows they count. Recomputing a key rather than adding and subtracting
keeps them right whatever the write did. docs/metrics.md says which figures are read from
these tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    case,
    delete,
    func,
    insert,
    select,
)

from data_access.store.days_allowed import days_bucket
from data_access.store.maintained_schema import (
    AggregateStale,
    HomeworkCount,
    HomeworkMixCount,
    HomeworkWeekCount,
)
from data_access.store.schema import Assignment, Client

# Up to this many touched keys (a form, a small import) each is recomputed by seeking its
# clinician's clients over that week's due dates; beyond it, the touched weeks are read whole.
SEEK_KEYS = 64
NOT_RATED = 0  # `homework_mix_counts.difficulty` for an assignment without a difficulty
# The type of a mark for `homework_week_counts` alone: a discharge or readmission changes which
# clients have a discharge date (migration 0017's trigger), not what the other counts hold.
WEEKS_ONLY = -1
# A client's move marks each (clinician, week, type) of theirs with the type MOVED - type_id
# (-3 and below; migration 0018's trigger): the counts by clinician change, the practice's mix,
# which has no clinician, does not (recounting its weeks whole cost a move 1.4–2.3 s of CPU).
MOVED = -2


def _key(clinician_id: int, week: dt.date, type_id: int) -> tuple[tuple[int, dt.date, int], bool]:
    """A mark's (clinician, week, type) key, and whether the practice's mix needs it too."""
    if type_id < MOVED:
        return (clinician_id, week, MOVED - type_id), False
    return (clinician_id, week, type_id), True


def _with_client(keys: tuple[ColumnElement, ...], conditions: tuple) -> Select:
    """Assignments joined to their clients, counted per `keys` where `conditions` hold."""
    return (
        select(*keys, func.count())
        .select_from(Assignment)
        .join(Client, Client.id == Assignment.client_id)
        .where(*conditions)
        .group_by(*keys)
    )


def _counts(*conditions: ColumnElement[bool]) -> Select:
    """Assignments per client's clinician × due week × type × status, where `conditions` hold."""
    keys = (Client.clinician_id, Assignment.due_week, Assignment.type_id, Assignment.status)
    return _with_client(keys, conditions)


def mix_keys(conn: Connection) -> dict[str, ColumnElement]:
    """`homework_mix_counts`' keys as SQL on `assignments`: a read that adds to or takes from
    those counts groups by the same expressions."""
    return {
        "due_week": Assignment.due_week,
        "type_id": Assignment.type_id,
        "difficulty": func.coalesce(Assignment.difficulty, NOT_RATED),
        "days_allowed": days_bucket(conn),
    }


def _mix(conn: Connection, *conditions: ColumnElement[bool]) -> Select:
    """Assignments per due week × type × difficulty × days-allowed bucket × status."""
    keys = (*mix_keys(conn).values(), Assignment.status)
    return select(*keys, func.count()).where(*conditions).group_by(*keys)


def _week_counts(*conditions: ColumnElement[bool]) -> Select:
    """Assignments per due week × client's clinician × whether the client has a discharge date
    × status, where `conditions` hold."""
    discharged = case((Client.discharged_on.is_(None), 0), else_=1)
    keys = (Assignment.due_week, Client.clinician_id, discharged, Assignment.status)
    return _with_client(keys, conditions)


_COUNT_COLUMNS = ["clinician_id", "due_week", "type_id", "status", "n"]
_MIX_COLUMNS = ["due_week", "type_id", "difficulty", "days_allowed", "status", "n"]
_WEEK_COLUMNS = ["due_week", "clinician_id", "discharged", "status", "n"]


def _fill(conn: Connection, counts: Select, mix: Select, weeks: Select) -> None:
    """Insert the rows `counts`, `mix` and `weeks` select into the three tables."""
    conn.execute(insert(HomeworkCount).from_select(_COUNT_COLUMNS, counts))
    conn.execute(insert(HomeworkMixCount).from_select(_MIX_COLUMNS, mix))
    conn.execute(insert(HomeworkWeekCount).from_select(_WEEK_COLUMNS, weeks))


def _recount(
    conn: Connection,
    table: type[HomeworkCount] | type[HomeworkWeekCount],
    counted: Callable[..., Select],
    columns: list[str],
    keys: Sequence[tuple],
) -> None:
    """Recompute `table`'s rows for the keys a write touched: (clinician, due week) and, where
    `table` is kept by type, the type. `counted` selects its rows where the conditions hold;
    over SEEK_KEYS keys, the touched clinicians' touched weeks are recounted whole."""
    names = ("clinician_id", "due_week", "type_id")[: len(keys[0])]
    live = {
        "clinician_id": Client.clinician_id,
        "due_week": Assignment.due_week,
        "type_id": Assignment.type_id,
    }
    if len(keys) <= SEEK_KEYS:
        for key in keys:
            named = list(zip(names, key, strict=True))
            conn.execute(delete(table).where(*(getattr(table, n) == v for n, v in named)))
            week = key[1]
            rows = counted(
                Assignment.due_on.between(week, week + dt.timedelta(days=6)),
                *(live[n] == v for n, v in named),
            )
            conn.execute(insert(table).from_select(columns, rows))
        return
    # Every touched clinician's every touched week, whole: a superset of the keys, read by
    # seeking those clinicians' clients. Asking the marks about each row instead (EXISTS) ran
    # for minutes on PostgreSQL, which misjudged the freshly written marks.
    weeks = sorted({key[1] for key in keys})
    clinicians = sorted({key[0] for key in keys})
    conn.execute(
        delete(table).where(table.due_week.in_(weeks), table.clinician_id.in_(clinicians))
    )
    rows = counted(Assignment.due_week.in_(weeks), Client.clinician_id.in_(clinicians))
    conn.execute(insert(table).from_select(columns, rows))


def _recount_mix(conn: Connection, pairs: Sequence[tuple[dt.date, int]]) -> None:
    """Recompute `homework_mix_counts` for the (due week, type) pairs a write touched: a
    form's one type reads a tenth of the week's assignments."""
    if len(pairs) <= SEEK_KEYS:
        for week, type_id in pairs:
            conn.execute(
                delete(HomeworkMixCount).where(
                    HomeworkMixCount.due_week == week, HomeworkMixCount.type_id == type_id
                )
            )
            mix = _mix(conn, Assignment.due_week == week, Assignment.type_id == type_id)
            conn.execute(insert(HomeworkMixCount).from_select(_MIX_COLUMNS, mix))
        return
    # A large write recounts its weeks whole: those weeks' assignments are read either way, and
    # asking the marks (indexed by clinician first) about each of them cost more than counting.
    weeks = sorted({week for week, _ in pairs})
    conn.execute(delete(HomeworkMixCount).where(HomeworkMixCount.due_week.in_(weeks)))
    mix = _mix(conn, Assignment.due_week.in_(weeks))
    conn.execute(insert(HomeworkMixCount).from_select(_MIX_COLUMNS, mix))


def refresh(conn: Connection) -> int:
    """Recompute the maintained counts a write touched, inside its transaction; returns the
    number of (clinician, due week, type) keys recomputed (0, one cheap read, for most writes)."""
    stale = select(
        AggregateStale.clinician_id, AggregateStale.due_week, AggregateStale.type_id
    ).distinct()
    marks = sorted((int(c), week, int(t)) for c, week, t in conn.execute(stale))
    if not marks:
        return 0
    decoded = [_key(*mark) for mark in marks if mark[2] != WEEKS_ONLY]
    keys = sorted({key for key, _ in decoded})
    if keys:
        _recount(conn, HomeworkCount, _counts, _COUNT_COLUMNS, keys)
    mix = sorted({(week, type_id) for (_, week, type_id), in_mix in decoded if in_mix})
    if mix:
        _recount_mix(conn, mix)
    pairs = sorted({(clinician_id, week) for clinician_id, week, _ in marks})
    _recount(conn, HomeworkWeekCount, _week_counts, _WEEK_COLUMNS, pairs)
    conn.execute(delete(AggregateStale))
    return len(marks)


def rebuild(conn: Connection) -> tuple[int, int, int]:
    """Recompute every maintained count from the live tables (the caller's transaction);
    returns the rows of `homework_counts`, `homework_mix_counts` and `homework_week_counts`."""
    for table in (HomeworkCount, HomeworkMixCount, HomeworkWeekCount, AggregateStale):
        conn.execute(delete(table))
    _fill(conn, _counts(), _mix(conn), _week_counts())
    return tuple(  # type: ignore[return-value]
        conn.execute(select(func.count()).select_from(table)).scalar_one()
        for table in (HomeworkCount, HomeworkMixCount, HomeworkWeekCount)
    )
