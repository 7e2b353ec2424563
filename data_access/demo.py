"""Realistic, deterministic demo data: clinicians, clients, sessions, homework and scores.

The demo covers `weeks` weeks up to `today`. Four in five clients were already in treatment
when that window opens (their intake predates it; their earlier history is not in the demo), the
rest start during it. Courses run 20–52 weekly sessions, longer for clients carried over, so many
clients are active at both ends of the window. At most attended sessions the clinician sets two to
four small tasks, a Daily Mood Log and one to three skills tasks; one clinician rarely sets any.

Every value comes from numpy Generators seeded from one seed, so a seed and a `today` give
identical rows. Clients are generated in chunks (vectorised arrays per chunk) and written with the
driver's bulk path: sqlite3 executemany of tuples, or PostgreSQL COPY. That keeps memory flat and
builds 10,000 clients over a year (about a million assignments) in well under two minutes.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields

import numpy as np
from sqlalchemy import Connection, Engine, Table, func, select, text
from sqlalchemy.schema import AddConstraint, DropConstraint
from tqdm import tqdm

from data_access.access.passwords import hash_password
from data_access.store.engine import write
from data_access.store.errors import DataError
from data_access.store.migrate import upgrade
from data_access.store.schema import (
    ATTENDANCE,
    DEFAULT_ASSIGNMENT_TYPES,
    ITEM_COLUMNS,
    STATUSES,
    Assignment,
    AssignmentType,
    Client,
    Clinician,
    Score,
    Setting,
    TherapySession,
    UserAccount,
    monday_of,
)

Columns = dict[str, np.ndarray]
Writer = Callable[[Table, Columns], None]
BULK_TABLES = (TherapySession.__table__, Assignment.__table__, Score.__table__)

CHUNK_CLIENTS = 500  # clients generated and written together; bounds memory at any scale
BATCH_ROWS = 50_000  # rows per executemany call on SQLite
SQLITE_CACHE_KB = 131_072  # SQLite page cache while building, so index builds sort in memory
CARRIED_OVER = 0.8  # share of clients already in treatment when the window opens
DEMO_PASSWORD = "demo"
ADMIN, SUPERVISOR, CLINICIAN = 0, 1, 2  # the three people with accounts, by clinician index
ACCOUNT_HOLDERS = (
    ("Sam Patel", "admin@demo.example", "admin"),
    ("Dr Alex Morgan", "supervisor@demo.example", "supervisor"),
    ("Dr Jordan Lee", "clinician@demo.example", "clinician"),
)
SECOND_SUPERVISOR_FROM = 8  # practices with this many staff or more get a second supervisor
# In practices of this many staff or more, clinician@ carries six times the usual caseload
# (about 100 active clients at 10,000 clients and 400 staff): the bench times "My clients"
# for a full caseload.
FULL_CASELOAD_FROM, FULL_CASELOAD_SHARE = 100, 6.0
FIRST_NAMES = (
    "Amara", "Ben", "Chloe", "Daniel", "Eleni", "Farah", "George", "Hannah", "Isaac", "Jasmine",
    "Kofi", "Laura", "Mateo", "Nadia", "Owen", "Priya", "Rafael", "Sofia", "Tom", "Una",
    "Victor", "Wen", "Yusuf", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Ahmed", "Brennan", "Castillo", "Dawson", "Evans", "Fischer", "Gupta", "Hughes", "Ito",
    "Jensen", "Kowalski", "Lindqvist", "Mensah", "Novak", "Okafor", "Price", "Quinn", "Rossi",
    "Schmidt", "Tanaka", "Usman", "Varga", "Walsh", "Young",
)  # fmt: skip

TYPE_NAMES = tuple(name for name, _ in DEFAULT_ASSIGNMENT_TYPES)
MOOD_LOG = TYPE_NAMES.index("Daily Mood Log")
READING = TYPE_NAMES.index("Reading / Psychoeducation")
# How often each skills task is chosen across the practice, in TYPE_NAMES order (the Daily Mood
# Log is not a skills task: it is set on its own, see _Staff.log_rate).
SKILLS_MIX = np.array([0.0, 0.22, 0.12, 0.08, 0.16, 0.10, 0.15, 0.13, 0.04])
INSTRUCTIONS: dict[str, tuple[str, ...]] = {
    "Daily Mood Log": (
        "Rate your mood each evening and note one event that affected it.",
        "Log your mood morning, afternoon and evening for the week.",
        "Use the mood log whenever your mood drops and note the situation.",
    ),
    "Thought Record": (
        "Complete a thought record when you notice a strong negative emotion.",
        "Write down two automatic thoughts and the evidence for and against each.",
        "Fill in the first three columns of the thought record after a hard moment.",
    ),
    "Behavioural Experiment": (
        "Test the prediction that colleagues will be annoyed if you ask for help.",
        "Speak up once in a meeting and record what actually happened.",
        "Leave one task imperfect on purpose and note how others respond.",
    ),
    "Writing Assignment": (
        "Write a letter to yourself from a compassionate friend's point of view.",
        "Write half a page on what you want the next six months to look like.",
        "Write down three things you handled well this week, and how.",
    ),
    "Activity Scheduling": (
        "Plan one pleasant activity each day and rate mastery and pleasure.",
        "Schedule a 20-minute walk on three days this week.",
        "Fill in the activity diary each day, hour by hour.",
    ),
    "Exposure Practice": (
        "Practise the next step on your exposure ladder three times.",
        "Stay in the supermarket queue until your anxiety drops by half.",
        "Take the bus for two stops and stay with the discomfort.",
    ),
    "Relaxation / Mindfulness Practice": (
        "Practise the 10-minute breathing exercise once a day.",
        "Do the body-scan recording before bed on four nights.",
        "Try progressive muscle relaxation twice and rate tension before and after.",
    ),
    "Reading / Psychoeducation": (
        "Read the leaflet on the cycle of anxiety and note two points that fit you.",
        "Read the chapter on unhelpful thinking styles and mark the ones you recognise.",
        "Read the sleep hygiene handout and pick one change to try.",
    ),
    "Other": (
        "Bring a list of questions you want to cover next session.",
        "Book the medication review with your GP.",
        "Complete the values questionnaire.",
    ),
}

ATTENDED, CANCELLED, NO_SHOW, SCHEDULED = (
    ATTENDANCE.index(a) for a in ("attended", "cancelled", "no_show", "scheduled")
)
PENDING, COMPLETED, PARTIAL, NOT_DONE = (
    STATUSES.index(s) for s in ("pending", "completed", "partial", "not_done")
)
NONE = -(10**6)  # "no day" in integer day-offset arrays (real offsets may be negative)


@dataclass(frozen=True)
class DemoSummary:
    """What a demo build wrote, and how long it took (the CLI prints it)."""

    clinicians: int
    clients: int
    sessions: int
    assignments: int
    scores: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.clinicians:,} clinicians, {self.clients:,} clients, "
            f"{self.sessions:,} sessions, {self.assignments:,} assignments, "
            f"{self.scores:,} scores in {self.seconds:.1f} s"
        )


@dataclass(frozen=True)
class _Window:
    """The weeks the data spans: day offsets count from `start`, a Monday; `today` is an offset."""

    start: dt.date
    today: int

    def iso(self, offsets: np.ndarray) -> np.ndarray:
        """Day offsets as 'YYYY-MM-DD' strings, None for NONE: the form both drivers load as-is
        (SQLAlchemy stores Date as this text on SQLite; PostgreSQL's COPY parses it)."""
        missing = offsets == NONE
        days = np.datetime64(self.start, "D") + np.where(missing, 0, offsets)
        text_dates = np.datetime_as_string(days, unit="D").astype(object)
        text_dates[missing] = None
        return text_dates


@dataclass(frozen=True)
class _Staff:
    """Clinician rows and each clinician's habits."""

    rows: Columns
    set_rate: np.ndarray  # probability of setting homework at an attended session
    review_rate: np.ndarray  # probability of reviewing the last homework at the next session
    log_rate: np.ndarray  # probability that what they set includes a Daily Mood Log
    skills: np.ndarray  # (clinicians, 3) probability of setting 1, 2 or 3 skills tasks
    mix: np.ndarray  # (clinicians, types) preferred mix of skills tasks
    difficulty: np.ndarray  # typical difficulty of what they set
    caseload: np.ndarray  # relative number of clients


@dataclass(frozen=True)
class _Clients:
    """Client-level traits and the planned course of treatment, one entry per client."""

    first_id: int  # database id of the first client here (clients are handled in chunks)
    clinician: np.ndarray
    intake: np.ndarray  # day offset; negative for clients already in treatment at the start
    engagement: np.ndarray  # latent propensity to complete homework, 0–1
    affinity: np.ndarray  # (clients, types) logit shift: some kinds of homework suit them
    planned: np.ndarray  # sessions in a full course
    drops_out: np.ndarray
    dropout_at: np.ndarray  # first session of the no-show run that ends treatment
    booked: np.ndarray  # sessions booked in all: planned, or up to the end of the no-shows
    discharge_after_dropout: np.ndarray  # days from the last no-show to discharge, NONE if never

    def part(self, lo: int, hi: int) -> _Clients:
        """Clients lo..hi-1 (indexes into this group)."""
        sliced = {
            f.name: getattr(self, f.name)[lo:hi] for f in fields(self) if f.name != "first_id"
        }
        return _Clients(first_id=self.first_id + lo, **sliced)


@dataclass(frozen=True)
class _Sessions:
    """Weekly session slots as (clients, slots) arrays; `valid` marks the ones in the window."""

    day: np.ndarray
    valid: np.ndarray
    attended: np.ndarray
    ids: np.ndarray
    next_attended: np.ndarray  # day of the next attended session after this slot, NONE if none
    later_attended: np.ndarray  # day of the attended session after that one, NONE if none
    previous_attended: np.ndarray  # slot of the last attended session before this one, -1 if none
    discharged: np.ndarray  # per client: discharge day, NONE while active
    rows: Columns


@dataclass
class _Counts:
    """Rows written so far per table; also the last id used, since ids run from 1."""

    sessions: int = 0
    assignments: int = 0
    scores: int = 0


def build_demo(
    engine: Engine,
    *,
    clinicians: int = 12,
    clients: int = 300,
    weeks: int = 52,
    seed: int = 7,
    today: dt.date | None = None,
    progress: bool = True,
) -> DemoSummary:
    """Fill an empty database with a demo practice whose data runs up to `today`.

    Refuses (DataError) a database that already holds clinicians or clients, so demo rows are
    never mixed into a real practice; everything is written in one transaction.
    """
    started = time.perf_counter()
    _check_sizes(clinicians, clients, weeks)
    window = _window(today or dt.date.today(), weeks)
    upgrade(engine)
    streams = np.random.SeedSequence(seed).spawn(1 + -(-clients // CHUNK_CLIENTS))
    rng = np.random.default_rng(streams[0])
    with write(engine, "demo data") as conn:
        _refuse_unless_empty(conn)
        type_ids = _type_ids(conn)
        staff = _staff(rng, clinicians)
        people = _clients(rng, clients, staff, window)
        with _bulk_load(conn) as insert:
            insert(Clinician.__table__, staff.rows)
            insert(UserAccount.__table__, _accounts())
            counts = _write_clients(insert, streams[1:], people, staff, window, type_ids, progress)
            insert(Setting.__table__, {"key": np.array(["demo"]), "value": np.array(["true"])})
        _advance_sequences(conn)
    with engine.begin() as conn:  # planner statistics: SQLite has none until ANALYZE runs
        conn.exec_driver_sql("ANALYZE")
    return DemoSummary(
        clinicians=clinicians,
        clients=clients,
        sessions=counts.sessions,
        assignments=counts.assignments,
        scores=counts.scores,
        seconds=round(time.perf_counter() - started, 2),
    )


def _write_clients(
    insert: Writer,
    streams: list[np.random.SeedSequence],
    people: _Clients,
    staff: _Staff,
    window: _Window,
    type_ids: np.ndarray,
    progress: bool,
) -> _Counts:
    """Generate and write clients CHUNK_CLIENTS at a time (one random stream per chunk), with a
    progress bar over clients."""
    counts = _Counts()
    total = len(people.intake)
    bar = tqdm(
        total=total, desc="demo practice", unit="clients", file=sys.stderr, disable=not progress
    )
    with bar:
        for stream, lo in zip(streams, range(0, total, CHUNK_CLIENTS), strict=True):
            chunk = people.part(lo, min(lo + CHUNK_CLIENTS, total))
            rng = np.random.default_rng(stream)
            for table, columns in _chunk_rows(rng, chunk, staff, window, type_ids, counts):
                insert(table, columns)
            bar.update(len(chunk.intake))
            bar.set_postfix(assignments=f"{counts.assignments:,}", scores=f"{counts.scores:,}")
    return counts


def _check_sizes(clinicians: int, clients: int, weeks: int) -> None:
    """The demo needs the three account holders (names run out past a few hundred staff)."""
    most = 3 + len(FIRST_NAMES) * len(LAST_NAMES)
    if not 3 <= clinicians <= most:
        raise ValueError(f"clinicians must be between 3 and {most}")
    if clients < 1 or weeks < 1:
        raise ValueError("clients and weeks must be at least 1")


def _refuse_unless_empty(conn: Connection) -> None:
    """Demo data goes only into a database without people in it."""
    people = sum(
        conn.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Clinician, Client)
    )
    if people:
        raise DataError(
            "demo data", "the database already holds clinicians or clients; use an empty database"
        )


def _type_ids(conn: Connection) -> np.ndarray:
    """Database ids of the default catalogue types, in TYPE_NAMES order."""
    ids = dict(conn.execute(select(AssignmentType.name, AssignmentType.id)).all())
    missing = [name for name in TYPE_NAMES if name not in ids]
    if missing:
        raise DataError("demo data", f"assignment types missing: {', '.join(missing)}")
    return np.array([ids[name] for name in TYPE_NAMES])


def _window(today: dt.date, weeks: int) -> _Window:
    """`weeks` whole weeks, Monday-aligned, the last one holding `today`."""
    start = monday_of(today) - dt.timedelta(weeks=weeks - 1)
    return _Window(start=start, today=(today - start).days)


def _chunk_rows(
    rng: np.random.Generator,
    people: _Clients,
    staff: _Staff,
    window: _Window,
    type_ids: np.ndarray,
    counts: _Counts,
) -> Iterator[tuple[Table, Columns]]:
    """One chunk's rows, table by table in insertion order (parents before children)."""
    sessions = _sessions(rng, people, window, first_id=counts.sessions + 1)
    yield Client.__table__, _client_rows(people, sessions, window)
    counts.sessions += len(sessions.rows["id"])
    yield TherapySession.__table__, sessions.rows
    assignments, completion = _assignments(
        rng, people, staff, sessions, window, type_ids, first_id=counts.assignments + 1
    )
    counts.assignments += len(assignments["id"])
    yield Assignment.__table__, assignments
    scores = _scores(rng, people, sessions, completion, window, first_id=counts.scores + 1)
    counts.scores += len(scores["id"])
    yield Score.__table__, scores


def _staff(rng: np.random.Generator, n: int) -> _Staff:
    """Clinicians with their roles, supervision and habits.

    The last clinician rarely sets homework (and then one task) and the one before mostly sets
    reading (and fewer mood logs); the others differ in how often they set homework and in how
    often they review it at the next session (one of them seldom does), so the dashboards have
    contrasts to show.
    """
    pairs = rng.permutation(len(FIRST_NAMES) * len(LAST_NAMES))[: n - 3]
    firsts = [FIRST_NAMES[p // len(LAST_NAMES)] for p in pairs]
    lasts = [LAST_NAMES[p % len(LAST_NAMES)] for p in pairs]
    names = [name for name, _, _ in ACCOUNT_HOLDERS] + [
        f"Dr {f} {ln}" for f, ln in zip(firsts, lasts, strict=True)
    ]
    emails = [email for _, email, _ in ACCOUNT_HOLDERS] + [
        f"{f.lower()}.{ln.lower()}@demo.example" for f, ln in zip(firsts, lasts, strict=True)
    ]
    roles, supervisor = _supervision(n)
    set_rate = rng.uniform(0.75, 0.98, n)
    log_rate = rng.uniform(0.85, 0.98, n)
    skills = np.tile([0.05, 0.4, 0.55], (n, 1))
    rare = n - 1
    set_rate[rare], log_rate[rare], skills[rare] = rng.uniform(0.2, 0.35), 0.15, [0.9, 0.1, 0.0]
    mix = rng.dirichlet(SKILLS_MIX[1:] * 20, n)
    mix = np.hstack([np.zeros((n, 1)), mix])  # the Daily Mood Log is never a skills task
    reader = n - 2
    log_rate[reader], skills[reader] = 0.5, [0.55, 0.4, 0.05]
    mix[reader] *= 0.15
    mix[reader, READING] += 0.85
    review_rate = rng.uniform(0.55, 0.97, n)
    review_rate[n - 3] = 0.3
    caseload = np.where(np.array(roles) == "supervisor", 0.6, 1.0)
    caseload[ADMIN] = 0.0
    if n >= FULL_CASELOAD_FROM:
        caseload[CLINICIAN] = FULL_CASELOAD_SHARE
    rows: Columns = {
        "id": np.arange(1, n + 1),
        "email": np.array(emails, dtype=object),
        "name": np.array(names, dtype=object),
        "role": np.array(roles, dtype=object),
        "supervisor_id": np.array([None if s is None else s + 1 for s in supervisor], dtype=object),
    }
    return _Staff(
        rows=rows,
        set_rate=set_rate,
        review_rate=review_rate,
        log_rate=log_rate,
        skills=skills,
        mix=mix,
        difficulty=rng.uniform(2.0, 3.6, n),
        caseload=caseload,
    )


def _supervision(n: int) -> tuple[list[str], list[int | None]]:
    """Roles and supervisor index per clinician.

    The supervisor oversees clinician@ and the first half of the rest; in larger practices a
    second supervisor (index 3) oversees the other half. Admin and supervisors have none.
    """
    roles = [role for _, _, role in ACCOUNT_HOLDERS] + ["clinician"] * (n - 3)
    supervisor: list[int | None] = [None, None, SUPERVISOR] + [SUPERVISOR] * (n - 3)
    if n >= SECOND_SUPERVISOR_FROM:
        second = 3
        roles[second], supervisor[second] = "supervisor", None
        rest = range(second + 1, n)
        for i in rest[len(rest) // 2 :]:
            supervisor[i] = second
    return roles, supervisor


def _accounts() -> Columns:
    """Sign-in accounts for the three account holders, sharing one hash of the demo password."""
    password_hash = hash_password(DEMO_PASSWORD)
    count = len(ACCOUNT_HOLDERS)
    return {
        "id": np.arange(1, count + 1),
        "clinician_id": np.array([ADMIN, SUPERVISOR, CLINICIAN]) + 1,
        "password_hash": np.array([password_hash] * count, dtype=object),
        "is_active": np.ones(count, dtype=bool),
    }


def _clients(rng: np.random.Generator, n: int, staff: _Staff, window: _Window) -> _Clients:
    """Client traits and courses.

    Most clients (CARRIED_OVER) were already in treatment when the window opens (intake up to a
    quarter before it, and 30–99 sessions still to go, so many run past today); the rest start on
    a weekday inside it with a course of 20–52 sessions. Dropouts happen inside the window.
    """
    weeks = window.today // 7 + 1
    caseload = staff.caseload / staff.caseload.sum()
    clinician = rng.choice(len(caseload), size=n, p=caseload)
    holders = np.array([SUPERVISOR, CLINICIAN])[:n]  # account holders always have clients
    clinician[: len(holders)] = holders
    carried = rng.random(n) < CARRIED_OVER
    before = np.where(carried, rng.integers(1, 14, n), 0)  # weeks of treatment before the window
    week = np.where(carried, -before, rng.integers(0, weeks, n))
    intake = 7 * week + rng.integers(0, 5, n)
    intake = np.where(intake > window.today, intake - 7, intake)
    planned = np.where(carried, before + rng.integers(30, 100, n), rng.integers(20, 53, n))
    engagement = rng.beta(3.0, 2.0, n)
    drops_out = rng.random(n) < 0.06 + 0.25 * (1 - engagement)
    dropout_at = rng.integers(np.where(carried, before + 1, 2), planned - 1)
    booked = np.where(drops_out, dropout_at + rng.integers(1, 4, n), planned)
    discharge_after = np.where(rng.random(n) < 0.8, rng.integers(14, 43, n), NONE)
    return _Clients(
        first_id=1,
        clinician=clinician,
        intake=intake,
        engagement=engagement,
        affinity=rng.normal(0.0, 0.7, (n, len(TYPE_NAMES))),
        planned=planned,
        drops_out=drops_out,
        dropout_at=dropout_at,
        booked=booked,
        discharge_after_dropout=np.where(drops_out, discharge_after, NONE),
    )


def _client_rows(people: _Clients, sessions: _Sessions, window: _Window) -> Columns:
    """Client rows: code, clinician, intake and discharge dates."""
    ids = people.first_id + np.arange(len(people.intake))
    return {
        "id": ids,
        "code": np.array([f"C-{i:04d}" for i in ids], dtype=object),
        "clinician_id": people.clinician + 1,
        "intake_on": window.iso(people.intake),
        "discharged_on": window.iso(sessions.discharged),
    }


def _sessions(
    rng: np.random.Generator, people: _Clients, window: _Window, first_id: int
) -> _Sessions:
    """Weekly sessions from intake (a week skipped now and then) up to the course end; only those
    inside the window are kept.

    Each client still in treatment has their next session booked (`scheduled`): the first
    course slot from today on. A session today is still to come, as at 9 a.m. on the day.
    """
    n, slots = len(people.intake), int(people.booked.max())
    slot = np.arange(slots)[None, :]
    gaps = np.where(rng.random((n, slots)) < 0.04, 14, 7)
    gaps[:, 0] = 0
    day = people.intake[:, None] + np.cumsum(gaps, axis=1)
    discharged = _discharge_days(people, day, window)
    in_course = slot < people.booked[:, None]
    upcoming = in_course & (day >= window.today) & (discharged == NONE)[:, None]
    booked = upcoming & (np.cumsum(upcoming, axis=1) == 1)
    valid = (in_course & (day >= 0) & (day <= window.today) & ~upcoming) | booked
    attendance = _attendance(rng, people, slot)
    attendance[booked] = SCHEDULED
    attended = valid & (attendance == ATTENDED)
    ids = np.zeros((n, slots), dtype=np.int64)
    ids[valid] = first_id + np.arange(valid.sum())
    client, _ = np.nonzero(valid)
    rows: Columns = {
        "id": ids[valid],
        "client_id": people.first_id + client,
        "clinician_id": people.clinician[client] + 1,
        "held_on": window.iso(day[valid]),
        "attendance": np.array(ATTENDANCE, dtype=object)[attendance[valid]],
    }
    return _Sessions(
        day=day,
        valid=valid,
        attended=attended,
        ids=ids,
        next_attended=_next_attended(day, attended),
        later_attended=_next_attended(day, attended, skip=1),
        previous_attended=_previous_attended(attended),
        discharged=discharged,
        rows=rows,
    )


def _attendance(rng: np.random.Generator, people: _Clients, slot: np.ndarray) -> np.ndarray:
    """Attendance codes per slot: mostly attended, ~6 % cancelled, ~4 % no-show.

    Intake and a completer's final session are attended; dropouts end on a run of no-shows; a
    few clients have a run of no-shows mid-course.
    """
    n = len(people.intake)
    no_show = rng.beta(1.0, 24.0, n)[:, None]
    cancel = rng.beta(1.2, 18.8, n)[:, None]
    draw = rng.random((n, slot.shape[1]))
    codes = np.where(draw < no_show + cancel, CANCELLED, ATTENDED)
    codes[draw < no_show] = NO_SHOW
    has_run = ~people.drops_out & (rng.random(n) < 0.03)
    run_start = rng.integers(1, people.planned - 3)[:, None]
    run_end = run_start + rng.integers(2, 4, n)[:, None]
    codes[has_run[:, None] & (slot >= run_start) & (slot < run_end)] = NO_SHOW
    codes[people.drops_out[:, None] & (slot >= people.dropout_at[:, None])] = NO_SHOW
    codes[:, 0] = ATTENDED
    codes[~people.drops_out[:, None] & (slot == people.planned[:, None] - 1)] = ATTENDED
    return codes


def _next_attended(day: np.ndarray, attended: np.ndarray, skip: int = 0) -> np.ndarray:
    """For each slot, the day of the client's next attended session (NONE if there is none);
    with `skip`, the one that many attended sessions further on."""
    result = np.full(day.shape, NONE)
    upcoming = np.full((skip + 1, day.shape[0]), NONE)
    for k in range(day.shape[1] - 1, -1, -1):
        result[:, k] = upcoming[skip]
        shifted = np.vstack([day[None, :, k], upcoming[:-1]])
        upcoming = np.where(attended[None, :, k], shifted, upcoming)
    return result


def _previous_attended(attended: np.ndarray) -> np.ndarray:
    """For each slot, the slot of the client's last attended session before it (-1 if none)."""
    result = np.full(attended.shape, -1)
    last = np.full(attended.shape[0], -1)
    for k in range(attended.shape[1]):
        result[:, k] = last
        last = np.where(attended[:, k], k, last)
    return result


def _discharge_days(people: _Clients, day: np.ndarray, window: _Window) -> np.ndarray:
    """Completers leave on their last session; most dropouts a few weeks after their last no-show.

    Everyone else (including dropouts never discharged) is still active today.
    """
    rows = np.arange(len(people.intake))
    last_booked = day[rows, people.booked - 1]
    dropout_day = np.where(
        people.discharge_after_dropout == NONE, NONE, last_booked + people.discharge_after_dropout
    )
    discharged = np.where(people.drops_out, dropout_day, last_booked)
    return np.where((discharged != NONE) & (discharged <= window.today), discharged, NONE)


def _assignments(
    rng: np.random.Generator,
    people: _Clients,
    staff: _Staff,
    sessions: _Sessions,
    window: _Window,
    type_ids: np.ndarray,
    first_id: int,
) -> tuple[Columns, np.ndarray]:
    """Homework set at attended sessions, reviewed at the next attended one (or, as often as
    the clinician forgets, the one after); and each client's completion rate (their engagement
    where nothing was reviewed), which drives their scores.

    Homework set at a session where the previous homework was reviewed is done a little more
    often than homework set after a forgotten review, so review habits show in completion.
    """
    n, slots = sessions.day.shape
    final = ~people.drops_out[:, None] & (np.arange(slots)[None, :] == people.planned[:, None] - 1)
    client_rate = np.clip(staff.set_rate[people.clinician] + rng.normal(0, 0.05, n), 0.02, 0.99)
    is_set = sessions.attended & ~final & (rng.random((n, slots)) < client_rate[:, None])
    # reviewed_next[c, k]: homework set at slot k is reviewed at the next attended session
    reviewed_next = rng.random((n, slots)) < staff.review_rate[people.clinician][:, None]
    who = np.arange(n)[:, None]
    before = sessions.previous_attended
    # +1 previous homework reviewed here, -1 it was not, 0 none was set at the last session
    last_review = np.where(
        (before >= 0) & is_set[who, np.maximum(before, 0)],
        np.where(reviewed_next[who, np.maximum(before, 0)], 1, -1),
        0,
    )
    client, k, kind = _tasks(rng, people, staff, *np.nonzero(is_set))
    m = len(client)
    clinician = people.clinician[client]
    log = kind == MOOD_LOG
    centre = staff.difficulty[clinician] - 1.2 * log
    difficulty = np.clip(np.rint(centre + rng.normal(0, 0.9, m)), 1, 5)
    allowed = rng.choice([7, 2, 3, 4, 5, 6, 1], size=m, p=[0.7, 0.1, 0.1, 0.03, 0.03, 0.02, 0.02])
    allowed[log] = 7
    assigned = sessions.day[client, k]
    due = assigned + allowed
    on_time = reviewed_next[client, k]
    status, reviewed = _review(
        _statuses(rng, people, client, kind, difficulty, allowed, last_review[client, k]),
        np.where(on_time, sessions.next_attended[client, k], sessions.later_attended[client, k]),
        sessions.discharged[client],
    )
    ids = first_id + np.arange(m)
    rows: Columns = {
        "id": ids,
        "external_id": np.array([f"DEMO-{i:07d}" for i in ids], dtype=object),
        "client_id": people.first_id + client,
        "clinician_id": clinician + 1,
        "type_id": type_ids[kind],
        "session_id": sessions.ids[client, k],
        "assigned_on": window.iso(assigned),
        "due_on": window.iso(due),
        "due_week": window.iso(due - due % 7),  # offsets count from a Monday
        "instructions": _instructions(rng, kind),
        "difficulty": difficulty.astype(np.int64),
        "status": np.array(STATUSES, dtype=object)[status],
        "engagement": _engagement_ratings(rng, people.engagement[client], status),
        "reviewed_on": window.iso(reviewed),
    }
    return rows, _completion_rates(people, client, status)


def _tasks(
    rng: np.random.Generator,
    people: _Clients,
    staff: _Staff,
    client: np.ndarray,
    slot: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What is set at each session that gets homework: usually a Daily Mood Log, then one to
    three different skills tasks chosen from the clinician's mix, tilted to what suits the client.

    Returns client, session slot and type of each task, session by session.
    """
    clinician = people.clinician[client]
    has_log = rng.random(len(client)) < staff.log_rate[clinician]
    cumulative = np.cumsum(staff.skills[clinician], axis=1)
    skills = 1 + (rng.random(len(client))[:, None] > cumulative).sum(axis=1)
    skills = np.minimum(skills, 3)
    with np.errstate(divide="ignore"):
        weight = np.log(staff.mix[clinician]) + 0.6 * people.affinity[client]
    ranked = np.argsort(-(weight + rng.gumbel(size=weight.shape)), axis=1)  # sampling w/o repeats
    count = has_log + skills
    session = np.repeat(np.arange(len(client)), count)
    position = np.arange(len(session)) - np.repeat(np.cumsum(count) - count, count)
    rank = position - has_log[session]  # -1 for the mood log
    kind = np.where(rank < 0, MOOD_LOG, ranked[session, np.maximum(rank, 0)])
    return client[session], slot[session], kind


def _review(
    outcome: np.ndarray, review_day: np.ndarray, discharged: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Status and review day: `outcome` once reviewed at the session of `review_day`, pending
    until then; homework still open at discharge is closed that day as not done.
    """
    closed = (review_day == NONE) & (discharged != NONE)
    status = np.where(review_day != NONE, outcome, np.where(closed, NOT_DONE, PENDING))
    return status, np.where(closed, discharged, review_day)


def _statuses(
    rng: np.random.Generator,
    people: _Clients,
    client: np.ndarray,
    kind: np.ndarray,
    difficulty: np.ndarray,
    allowed: np.ndarray,
    last_review: np.ndarray,
) -> np.ndarray:
    """Completed / partial / not done from engagement, affinity for the type, difficulty, time
    and whether the previous homework was reviewed (`last_review`: +1 yes, -1 no, 0 none set).

    An ordered logistic model: harder homework, fewer days allowed and a skipped review make
    completion less likely.
    """
    engagement = people.engagement[client]
    drive = (
        1.6 * np.log(engagement / (1 - engagement))
        + people.affinity[client, kind]
        - 0.45 * (difficulty - 3)
        + 0.4 * np.log(allowed / 7)
        + 0.35 * last_review
    )
    latent = drive + rng.logistic(0.0, 1.0, len(client))
    return np.where(latent > 0.3, COMPLETED, np.where(latent > -0.6, PARTIAL, NOT_DONE))


def _engagement_ratings(
    rng: np.random.Generator, engagement: np.ndarray, status: np.ndarray
) -> np.ndarray:
    """A 0–4 quality rating for completed and partial homework; about one in eight left blank."""
    centre = np.where(status == COMPLETED, 2.4 + 2.0 * (engagement - 0.5), 1.4)
    rating = np.clip(np.rint(centre + rng.normal(0, 0.8, len(status))), 0, 4).astype(np.int64)
    rated = np.isin(status, (COMPLETED, PARTIAL)) & (rng.random(len(status)) >= 0.12)
    return np.where(rated, rating.astype(object), None)


def _instructions(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    """A short instruction sentence suited to each assignment's type."""
    choices = np.array([INSTRUCTIONS[name] for name in TYPE_NAMES], dtype=object)
    return choices[kind, rng.integers(0, choices.shape[1], len(kind))]


def _completion_rates(people: _Clients, client: np.ndarray, status: np.ndarray) -> np.ndarray:
    """(completed + ½ partial) / reviewed per client; latent engagement where none was reviewed."""
    n = len(people.intake)
    reviewed = np.bincount(client, weights=status != PENDING, minlength=n)
    done = np.bincount(
        client, weights=(status == COMPLETED) + 0.5 * (status == PARTIAL), minlength=n
    )
    return np.where(reviewed > 0, done / np.maximum(reviewed, 1), people.engagement)


@dataclass(frozen=True)
class _Course:
    """Each client's symptom course: baselines, share of baseline lost by the end, and pace."""

    phq: np.ndarray
    gad: np.ndarray
    phq_gain: np.ndarray
    gad_gain: np.ndarray
    pace: np.ndarray  # weeks to reach about two thirds of the change
    mood_offset: np.ndarray

    def expected(self, client: np.ndarray, weeks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Noise-free PHQ-9 and GAD-7 for `client` after `weeks` in treatment."""
        progress = 1 - np.exp(-weeks / self.pace[client])
        return (
            self.phq[client] * (1 - self.phq_gain[client] * progress),
            self.gad[client] * (1 - self.gad_gain[client] * progress),
        )


def _course(rng: np.random.Generator, completion: np.ndarray, planned: np.ndarray) -> _Course:
    """Baselines mostly at caseness; improvement grows with homework completion; ~8 % get worse.

    Change comes at a pace that suits the course: longer courses improve more slowly.
    """
    n = len(completion)
    severity = rng.normal(0, 1, n)
    anxious = 0.6 * severity + 0.8 * rng.normal(0, 1, n)
    gain = np.clip(rng.normal(-0.02 + 0.8 * completion, 0.2), -0.1, 0.95)
    worse = rng.random(n) < 0.08
    gain = np.where(worse, -rng.uniform(0.35, 0.8, n), gain)
    return _Course(
        phq=np.clip(13.4 + 5.0 * severity, 3, 27),
        gad=np.clip(11.0 + 4.3 * anxious, 2, 21),
        phq_gain=gain,
        gad_gain=np.clip(gain + rng.normal(0, 0.1, n), -0.7, 0.95),
        pace=planned * rng.uniform(0.15, 0.4, n),
        mood_offset=rng.normal(0, 0.8, n),
    )


def _scores(
    rng: np.random.Generator,
    people: _Clients,
    sessions: _Sessions,
    completion: np.ndarray,
    window: _Window,
    first_id: int,
) -> Columns:
    """PHQ-9 and GAD-7 at attended sessions and daily MOOD ratings, sorted by client and day."""
    course = _course(rng, completion, people.planned)
    parts = [
        _session_scores(rng, people, sessions, course),
        _mood_scores(rng, people, sessions, course, window),
    ]
    merged = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    order = np.lexsort((merged["measure"], merged["day"], merged["client"]))
    items = merged["items"][order]
    return {
        "id": first_id + np.arange(len(order)),
        "client_id": people.first_id + merged["client"][order],
        "measure": np.array(SCORED, dtype=object)[merged["measure"][order]],
        "value": merged["value"][order],
        "recorded_on": window.iso(merged["day"][order]),
        "session_id": merged["session"][order],
        **{column: items[:, n] for n, column in enumerate(ITEM_COLUMNS)},
    }


SCORED = ("GAD-7", "MOOD", "PHQ-9")  # measure codes in the order scores of a day are written
GAD, MOOD, PHQ = range(len(SCORED))


def _session_scores(
    rng: np.random.Generator, people: _Clients, sessions: _Sessions, course: _Course
) -> Columns:
    """PHQ-9 and GAD-7 at attended sessions (every other one for a quarter of clients)."""
    n = sessions.day.shape[0]
    every_other = rng.random(n) < 0.25
    nth = np.cumsum(sessions.attended, axis=1) - 1
    scored = sessions.attended & (~every_other[:, None] | (nth % 2 == 0))
    client, k = np.nonzero(scored)
    day = sessions.day[client, k]
    phq, gad = course.expected(client, (day - people.intake[client]) / 7)
    phq = np.clip(np.rint(phq + rng.normal(0, 2.2, len(client))), 0, 27)
    gad = np.clip(np.rint(gad + rng.normal(0, 1.8, len(client))), 0, 21)
    session = sessions.ids[client, k].astype(object)
    count = len(client)
    items = np.full((2 * count, len(ITEM_COLUMNS)), None, dtype=object)
    items[:count] = _phq9_items(phq.astype(np.int64))
    return {
        "client": np.tile(client, 2),
        "day": np.tile(day, 2),
        "measure": np.repeat([PHQ, GAD], count),
        "value": np.concatenate([phq, gad]).astype(np.int64),
        "session": np.tile(session, 2),
        "items": items,
    }


def _phq9_items(total: np.ndarray) -> np.ndarray:
    """Nine item answers (0-3) adding up to each PHQ-9 total, from their own random stream
    (seeded by the totals) so the rest of the demo is drawn exactly as before.

    Item 9 (thoughts of being better off dead or of self-harm) is answered 1 or more rarely,
    and more often the higher the total: none under 13, about 1 in 8 at 27 (and always above
    24, which items 1-8 cannot hold alone). The rest is spread
    over items 1-8 as evenly as it goes, then a few points moved between random items.
    """
    n = len(total)
    rng = np.random.default_rng(int(total.sum()) + n)
    risky = rng.random(n) < np.clip((total - 12) / 120, 0, 0.15)
    item_9 = np.where(risky, rng.choice([1, 2, 3], n, p=[0.6, 0.3, 0.1]), 0)
    item_9 = np.clip(item_9, total - 24, total)  # items 1-8 hold at most 24 between them
    rest = total - item_9
    rank = np.argsort(rng.random((n, 8)), axis=1)
    items = rest[:, None] // 8 + (rank < (rest % 8)[:, None])
    for _ in range(3):
        give, take = rng.integers(0, 8, n), rng.integers(0, 8, n)
        rows = np.arange(n)
        movable = (items[rows, give] > 0) & (items[rows, take] < 3) & (give != take)
        items[rows[movable], give[movable]] -= 1
        items[rows[movable], take[movable]] += 1
    return np.column_stack([items, item_9]).astype(object)


def _mood_scores(
    rng: np.random.Generator,
    people: _Clients,
    sessions: _Sessions,
    course: _Course,
    window: _Window,
) -> Columns:
    """Daily MOOD (0–10, higher is better) on about half the days in treatment, tracking PHQ-9;
    more engaged clients log more often.

    Logging runs from intake (or the window's start) to discharge, or to the last attended
    session for clients who dropped out.
    """
    n = len(people.intake)
    last_attended = np.where(sessions.attended, sessions.day, NONE).max(axis=1)
    still_in = np.where(sessions.discharged != NONE, sessions.discharged, window.today)
    end = np.where(people.drops_out, last_attended, still_in)
    begin = np.maximum(people.intake, 0)
    length = np.maximum(end - begin + 1, 0)
    client = np.repeat(np.arange(n), length)
    first_row = np.repeat(np.cumsum(length) - length, length)
    day = begin[client] + np.arange(len(client)) - first_row
    keen = np.clip(0.1 + 0.7 * people.engagement + rng.normal(0, 0.12, n), 0.05, 0.95)
    logs = rng.random(len(client)) < keen[client]
    client, day = client[logs], day[logs]
    phq, _ = course.expected(client, (day - people.intake[client]) / 7)
    mood = 8.8 - 0.27 * phq + course.mood_offset[client] + rng.normal(0, 1.1, len(client))
    return {
        "client": client,
        "day": day,
        "measure": np.full(len(client), MOOD),
        "value": np.clip(np.rint(mood), 0, 10).astype(np.int64),
        "session": np.full(len(client), None, dtype=object),
        "items": np.full((len(client), len(ITEM_COLUMNS)), None, dtype=object),
    }


@contextmanager
def _bulk_load(conn: Connection) -> Iterator[Writer]:
    """A writer on the driver's bulk path, inside the build's transaction.

    PostgreSQL: COPY FROM STDIN through psycopg. SQLite: sqlite3's executemany over tuples, with
    a large page cache for the duration. Values are already what both drivers load unchanged:
    Python ints, strings, ISO dates, None. The big tables' secondary indexes are dropped for the
    load and built once at the end: building an index from all rows (a sort) costs a fraction of
    updating it row by row, and a failure rolls the drop back with everything else.
    """
    raw = conn.connection.driver_connection

    def copy(table: Table, columns: Columns) -> None:
        sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(sql) as stream:
            for batch in _batches(columns):
                for row in batch:
                    stream.write_row(row)

    def insert(table: Table, columns: Columns) -> None:
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
        cursor = raw.cursor()
        for batch in _batches(columns):
            cursor.executemany(sql, batch)
        cursor.close()

    sqlite = conn.dialect.name == "sqlite"
    if sqlite and not raw.in_transaction:
        raw.execute("BEGIN")  # sqlite3 opens one only before DML; the DROP INDEX must be inside it
    cache = raw.execute("PRAGMA cache_size").fetchone()[0] if sqlite else 0
    indexes = [i for table in BULK_TABLES for i in sorted(table.indexes, key=lambda i: i.name)]
    foreign_keys = [] if sqlite else [fk for t in BULK_TABLES for fk in t.foreign_key_constraints]
    for index in indexes:
        index.drop(conn)
    for foreign_key in foreign_keys:
        conn.execute(DropConstraint(foreign_key))
    try:
        if sqlite:
            raw.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KB}")
        yield insert if sqlite else copy
        for foreign_key in foreign_keys:
            conn.execute(AddConstraint(foreign_key))
        for index in indexes:
            index.create(conn)
    finally:
        if sqlite:
            raw.execute(f"PRAGMA cache_size={cache}")


def _batches(columns: Columns) -> Iterator[list[tuple[object, ...]]]:
    """Rows as tuples of plain Python values, BATCH_ROWS at a time."""
    total = len(next(iter(columns.values())))
    for start in range(0, total, BATCH_ROWS):
        values = [column[start : start + BATCH_ROWS].tolist() for column in columns.values()]
        yield list(zip(*values, strict=True))


def _advance_sequences(conn: Connection) -> None:
    """PostgreSQL: move each id sequence past the explicit ids, so later inserts do not collide."""
    if conn.dialect.name != "postgresql":
        return
    for model in (Clinician, UserAccount, Client, TherapySession, Assignment, Score):
        name = model.__tablename__
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT max(id) FROM {name}))"
            )
        )
