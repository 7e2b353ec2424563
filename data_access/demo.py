"""Realistic, deterministic demo data: clinicians, clients, sessions, homework and scores.

Every value comes from one numpy Generator, so a seed and a `today` give identical rows. Arrays are
built vectorised (clients × weekly session slots) and inserted in large executemany batches, so a
practice of 10,000 clients over a year builds in well under two minutes on SQLite.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, Engine, Table, func, select, text
from tqdm import tqdm

from data_access.engine import write
from data_access.errors import DataError
from data_access.migrate import upgrade
from data_access.passwords import hash_password
from data_access.schema import (
    ATTENDANCE,
    DEFAULT_ASSIGNMENT_TYPES,
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

BATCH_ROWS = 20_000
DEMO_PASSWORD = "demo"
ADMIN, SUPERVISOR, CLINICIAN = 0, 1, 2  # the three people with accounts, by clinician index
ACCOUNT_HOLDERS = (
    ("Sam Patel", "admin@demo.example", "admin"),
    ("Dr Alex Morgan", "supervisor@demo.example", "supervisor"),
    ("Dr Jordan Lee", "clinician@demo.example", "clinician"),
)
SECOND_SUPERVISOR_FROM = 8  # practices with this many staff or more get a second supervisor
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
READING = TYPE_NAMES.index("Reading / Psychoeducation")
# How often each catalogue type is set across the practice, in TYPE_NAMES order.
TYPE_MIX = np.array([0.18, 0.18, 0.10, 0.07, 0.13, 0.08, 0.12, 0.11, 0.03])
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

ATTENDED, CANCELLED, NO_SHOW = (ATTENDANCE.index(a) for a in ("attended", "cancelled", "no_show"))
PENDING, COMPLETED, PARTIAL, NOT_DONE = (
    STATUSES.index(s) for s in ("pending", "completed", "partial", "not_done")
)
NONE = -1  # "no day" / "no value" in integer arrays


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

    def dates(self, offsets: np.ndarray) -> np.ndarray:
        """Day offsets as datetime64[D] (NONE becomes NaT, i.e. NULL)."""
        days = np.datetime64(self.start, "D") + offsets.astype("timedelta64[D]")
        return np.where(offsets == NONE, np.datetime64("NaT"), days)


@dataclass(frozen=True)
class _Staff:
    """Clinician rows and each clinician's habits."""

    rows: Columns
    set_rate: np.ndarray  # probability of setting homework at an attended session
    mix: np.ndarray  # (clinicians, types) preferred mix of assignment types
    difficulty: np.ndarray  # typical difficulty of what they set
    caseload: np.ndarray  # relative number of clients


@dataclass(frozen=True)
class _Clients:
    """Client-level traits and the planned course of treatment, one entry per client."""

    clinician: np.ndarray
    intake: np.ndarray
    engagement: np.ndarray  # latent propensity to complete homework, 0–1
    affinity: np.ndarray  # (clients, types) logit shift: some kinds of homework suit them
    planned: np.ndarray  # sessions in a full course
    drops_out: np.ndarray
    dropout_at: np.ndarray  # first session of the no-show run that ends treatment
    booked: np.ndarray  # sessions booked in all: planned, or up to the end of the no-shows
    discharge_after_dropout: np.ndarray  # days from the last no-show to discharge, NONE if never


@dataclass(frozen=True)
class _Sessions:
    """Weekly session slots as (clients, slots) arrays; `valid` marks the ones that exist."""

    day: np.ndarray
    valid: np.ndarray
    attended: np.ndarray
    ids: np.ndarray
    next_attended: np.ndarray  # day of the next attended session after this slot, NONE if none
    discharged: np.ndarray  # per client: discharge day, NONE while active
    rows: Columns


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
    today = today or dt.date.today()
    upgrade(engine)
    rng = np.random.default_rng(seed)
    with write(engine, "demo data") as conn:
        _refuse_unless_empty(conn)
        type_ids = _type_ids(conn)
        tables = _generate(rng, clinicians, clients, _window(today, weeks), type_ids)
        _insert_all(conn, tables, progress)
        conn.execute(Setting.__table__.insert(), [{"key": "demo", "value": "true"}])
        _advance_sequences(conn, [table for table, _ in tables])
    counts = {table.name: len(columns["id"]) for table, columns in tables}
    return DemoSummary(
        clinicians=counts["clinicians"],
        clients=counts["clients"],
        sessions=counts["therapy_sessions"],
        assignments=counts["assignments"],
        scores=counts["scores"],
        seconds=round(time.perf_counter() - started, 2),
    )


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


def _generate(
    rng: np.random.Generator, clinicians: int, clients: int, window: _Window, type_ids: np.ndarray
) -> list[tuple[Table, Columns]]:
    """Every demo row, table by table in insertion order (parents before children)."""
    staff = _staff(rng, clinicians)
    people = _clients(rng, clients, staff, window)
    sessions = _sessions(rng, people, window)
    assignments, completion = _assignments(rng, people, staff, sessions, window, type_ids)
    scores = _scores(rng, people, sessions, completion, window)
    client_rows: Columns = {
        "id": np.arange(1, clients + 1),
        "code": np.array([f"C-{i:04d}" for i in range(1, clients + 1)], dtype=object),
        "clinician_id": people.clinician + 1,
        "intake_on": window.dates(people.intake),
        "discharged_on": window.dates(sessions.discharged),
    }
    return [
        (Clinician.__table__, staff.rows),
        (UserAccount.__table__, _accounts()),
        (Client.__table__, client_rows),
        (TherapySession.__table__, sessions.rows),
        (Assignment.__table__, assignments),
        (Score.__table__, scores),
    ]


def _staff(rng: np.random.Generator, n: int) -> _Staff:
    """Clinicians with their roles, supervision and habits.

    The last clinician rarely sets homework and the one before mostly sets reading, so the
    dashboards have contrasts to show.
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
    set_rate = rng.uniform(0.6, 0.95, n)
    set_rate[n - 1] = rng.uniform(0.2, 0.35)
    mix = rng.dirichlet(TYPE_MIX * 20, n)
    reader = n - 2
    mix[reader] *= 0.35
    mix[reader, READING] += 0.65
    caseload = np.where(np.array(roles) == "supervisor", 0.6, 1.0)
    caseload[ADMIN] = 0.0
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
    """Client traits and courses; intake falls on a weekday inside the window.

    About one in eight clients joins in the first fortnight (the caseload the practice started
    with), so early weeks are not nearly empty.
    """
    weeks = window.today // 7 + 1
    caseload = staff.caseload / staff.caseload.sum()
    clinician = rng.choice(len(caseload), size=n, p=caseload)
    holders = np.array([SUPERVISOR, CLINICIAN])[:n]  # account holders always have clients
    clinician[: len(holders)] = holders
    week = np.where(rng.random(n) < 0.12, rng.integers(0, 2, n), rng.integers(0, weeks, n))
    intake = 7 * week + rng.integers(0, 5, n)
    intake = np.clip(np.where(intake > window.today, intake - 7, intake), 0, window.today)
    planned = np.where(rng.random(n) < 0.1, rng.integers(21, 31, n), rng.integers(12, 21, n))
    engagement = rng.beta(3.0, 2.0, n)
    drops_out = rng.random(n) < 0.08 + 0.3 * (1 - engagement)
    dropout_at = rng.integers(2, planned - 1)
    booked = np.where(drops_out, dropout_at + rng.integers(1, 4, n), planned)
    discharge_after = np.where(rng.random(n) < 0.8, rng.integers(14, 43, n), NONE)
    return _Clients(
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


def _sessions(rng: np.random.Generator, people: _Clients, window: _Window) -> _Sessions:
    """Weekly sessions from intake (a week skipped now and then) up to the course end or today."""
    n, slots = len(people.intake), int(people.booked.max())
    slot = np.arange(slots)[None, :]
    gaps = np.where(rng.random((n, slots)) < 0.04, 14, 7)
    gaps[:, 0] = 0
    day = people.intake[:, None] + np.cumsum(gaps, axis=1)
    valid = (slot < people.booked[:, None]) & (day <= window.today)
    attendance = _attendance(rng, people, slot)
    attended = valid & (attendance == ATTENDED)
    ids = np.zeros((n, slots), dtype=np.int64)
    ids[valid] = np.arange(1, valid.sum() + 1)
    client, _ = np.nonzero(valid)
    rows: Columns = {
        "id": ids[valid],
        "client_id": client + 1,
        "clinician_id": people.clinician[client] + 1,
        "held_on": window.dates(day[valid]),
        "attendance": np.array(ATTENDANCE, dtype=object)[attendance[valid]],
    }
    return _Sessions(
        day=day,
        valid=valid,
        attended=attended,
        ids=ids,
        next_attended=_next_attended(day, attended),
        discharged=_discharge_days(people, day, window),
        rows=rows,
    )


def _attendance(rng: np.random.Generator, people: _Clients, slot: np.ndarray) -> np.ndarray:
    """Attendance codes per slot: mostly attended, ~7 % cancelled, ~6 % no-show.

    Intake and a completer's final session are attended; dropouts end on a run of no-shows; a
    few clients have a run of no-shows mid-course.
    """
    n = len(people.intake)
    no_show = rng.beta(1.0, 24.0, n)[:, None]
    cancel = rng.beta(1.5, 18.5, n)[:, None]
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


def _next_attended(day: np.ndarray, attended: np.ndarray) -> np.ndarray:
    """For each slot, the day of the client's next attended session (NONE if there is none)."""
    result = np.full(day.shape, NONE)
    upcoming = np.full(day.shape[0], NONE)
    for k in range(day.shape[1] - 1, -1, -1):
        result[:, k] = upcoming
        upcoming = np.where(attended[:, k], day[:, k], upcoming)
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
) -> tuple[Columns, np.ndarray]:
    """Homework set at attended sessions, reviewed at the next attended one; and each client's
    completion rate (their engagement where nothing was reviewed), which drives their scores.
    """
    n, slots = sessions.day.shape
    final = ~people.drops_out[:, None] & (np.arange(slots)[None, :] == people.planned[:, None] - 1)
    client_rate = np.clip(staff.set_rate[people.clinician] + rng.normal(0, 0.05, n), 0.02, 0.99)
    is_set = sessions.attended & ~final & (rng.random((n, slots)) < client_rate[:, None])
    client, k = np.nonzero(is_set)
    per_session = np.where(rng.random(len(client)) < 0.3, 2, 1)
    client, k = np.repeat(client, per_session), np.repeat(k, per_session)
    m = len(client)
    clinician = people.clinician[client]
    kind = _pick_types(rng, staff.mix[clinician])
    difficulty = np.clip(np.rint(staff.difficulty[clinician] + rng.normal(0, 0.9, m)), 1, 5)
    allowed = rng.choice([7, 2, 3, 4, 5, 6, 1], size=m, p=[0.7, 0.1, 0.1, 0.03, 0.03, 0.02, 0.02])
    assigned = sessions.day[client, k]
    due = assigned + allowed
    status, reviewed = _review(
        _statuses(rng, people, client, kind, difficulty, allowed),
        sessions.next_attended[client, k],
        sessions.discharged[client],
    )
    ids = np.arange(1, m + 1)
    rows: Columns = {
        "id": ids,
        "external_id": np.array([f"DEMO-{i:06d}" for i in ids], dtype=object),
        "client_id": client + 1,
        "clinician_id": clinician + 1,
        "type_id": type_ids[kind],
        "session_id": sessions.ids[client, k],
        "assigned_on": window.dates(assigned),
        "due_on": window.dates(due),
        "due_week": window.dates(due - due % 7),  # offsets count from a Monday
        "instructions": _instructions(rng, kind),
        "difficulty": difficulty.astype(np.int64),
        "status": np.array(STATUSES, dtype=object)[status],
        "engagement": _engagement_ratings(rng, people.engagement[client], status),
        "reviewed_on": window.dates(reviewed),
    }
    return rows, _completion_rates(people, client, status)


def _review(
    outcome: np.ndarray, next_attended: np.ndarray, discharged: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Status and review day: `outcome` once reviewed at the next attended session, pending
    until then; homework still open at discharge is closed that day as not done.
    """
    closed = (next_attended == NONE) & (discharged != NONE)
    status = np.where(next_attended != NONE, outcome, np.where(closed, NOT_DONE, PENDING))
    return status, np.where(closed, discharged, next_attended)


def _pick_types(rng: np.random.Generator, mix: np.ndarray) -> np.ndarray:
    """One type index per row, drawn from that row's probability mix."""
    cumulative = np.cumsum(mix, axis=1)
    picks = (rng.random(len(mix))[:, None] > cumulative).sum(axis=1)
    return np.minimum(picks, mix.shape[1] - 1)


def _statuses(
    rng: np.random.Generator,
    people: _Clients,
    client: np.ndarray,
    kind: np.ndarray,
    difficulty: np.ndarray,
    allowed: np.ndarray,
) -> np.ndarray:
    """Completed / partial / not done from engagement, affinity for the type, difficulty and time.

    An ordered logistic model: harder homework and fewer days allowed make completion less likely.
    """
    engagement = people.engagement[client]
    drive = (
        1.6 * np.log(engagement / (1 - engagement))
        + people.affinity[client, kind]
        - 0.45 * (difficulty - 3)
        + 0.4 * np.log(allowed / 7)
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


def _course(rng: np.random.Generator, completion: np.ndarray) -> _Course:
    """Baselines mostly at caseness; improvement grows with homework completion; ~8 % get worse."""
    n = len(completion)
    severity = rng.normal(0, 1, n)
    anxious = 0.6 * severity + 0.8 * rng.normal(0, 1, n)
    gain = np.clip(rng.normal(0.02 + 0.6 * completion, 0.22), -0.1, 0.95)
    worse = rng.random(n) < 0.08
    gain = np.where(worse, -rng.uniform(0.35, 0.8, n), gain)
    return _Course(
        phq=np.clip(13.4 + 5.0 * severity, 3, 27),
        gad=np.clip(11.0 + 4.3 * anxious, 2, 21),
        phq_gain=gain,
        gad_gain=np.clip(gain + rng.normal(0, 0.1, n), -0.7, 0.95),
        pace=rng.uniform(4, 10, n),
        mood_offset=rng.normal(0, 0.8, n),
    )


def _scores(
    rng: np.random.Generator,
    people: _Clients,
    sessions: _Sessions,
    completion: np.ndarray,
    window: _Window,
) -> Columns:
    """PHQ-9 and GAD-7 at attended sessions and daily MOOD ratings, sorted by client and day."""
    course = _course(rng, completion)
    parts = [
        _session_scores(rng, people, sessions, course),
        _mood_scores(rng, people, sessions, course, window),
    ]
    merged = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    order = np.lexsort((merged["measure"], merged["day"], merged["client"]))
    return {
        "id": np.arange(1, len(order) + 1),
        "client_id": merged["client"][order] + 1,
        "measure": merged["measure"][order],
        "value": merged["value"][order],
        "recorded_on": window.dates(merged["day"][order]),
        "session_id": merged["session"][order],
    }


def _session_scores(
    rng: np.random.Generator, people: _Clients, sessions: _Sessions, course: _Course
) -> Columns:
    """PHQ-9 and GAD-7 at intake and each attended session (every other one for a quarter)."""
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
    return {
        "client": np.tile(client, 2),
        "day": np.tile(day, 2),
        "measure": np.array(["PHQ-9"] * count + ["GAD-7"] * count, dtype=object),
        "value": np.concatenate([phq, gad]).astype(np.int64),
        "session": np.tile(session, 2),
    }


def _mood_scores(
    rng: np.random.Generator,
    people: _Clients,
    sessions: _Sessions,
    course: _Course,
    window: _Window,
) -> Columns:
    """Daily MOOD (0–10, higher is better) on ~60 % of days in treatment, tracking PHQ-9.

    Logging stops at discharge, or at the last attended session for clients who dropped out.
    """
    n = len(people.intake)
    last_attended = np.where(sessions.attended, sessions.day, NONE).max(axis=1)
    still_in = np.where(sessions.discharged != NONE, sessions.discharged, window.today)
    end = np.where(people.drops_out, last_attended, still_in)
    length = end - people.intake + 1
    client = np.repeat(np.arange(n), length)
    first_row = np.repeat(np.cumsum(length) - length, length)
    day = people.intake[client] + np.arange(len(client)) - first_row
    logs = rng.random(len(client)) < rng.beta(3.0, 2.0, n)[client]
    client, day = client[logs], day[logs]
    phq, _ = course.expected(client, (day - people.intake[client]) / 7)
    mood = 8.8 - 0.27 * phq + course.mood_offset[client] + rng.normal(0, 1.1, len(client))
    return {
        "client": client,
        "day": day,
        "measure": np.full(len(client), "MOOD", dtype=object),
        "value": np.clip(np.rint(mood), 0, 10).astype(np.int64),
        "session": np.full(len(client), None, dtype=object),
    }


def _insert_all(conn: Connection, tables: list[tuple[Table, Columns]], progress: bool) -> None:
    """Insert every table in big executemany batches, with one progress bar over all rows."""
    total = sum(len(columns["id"]) for _, columns in tables)
    bar = tqdm(
        total=total, desc="demo data", unit="rows", unit_scale=True, file=sys.stderr,
        disable=not progress,
    )  # fmt: skip
    with bar:
        for table, columns in tables:
            for batch in _batches(columns):
                conn.execute(table.insert(), batch)
                bar.update(len(batch))


def _batches(columns: Columns) -> Iterator[list[dict[str, object]]]:
    """Rows as dicts of plain Python values, BATCH_ROWS at a time."""
    names = list(columns)
    total = len(columns["id"])
    for start in range(0, total, BATCH_ROWS):
        values = [_python(columns[name][start : start + BATCH_ROWS]) for name in names]
        yield [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def _python(values: np.ndarray) -> list[object]:
    """Numpy values as the Python objects drivers expect (dates as date, NaT as None)."""
    if values.dtype.kind == "M":
        return values.astype("datetime64[D]").astype(object).tolist()
    return values.tolist()


def _advance_sequences(conn: Connection, tables: list[Table]) -> None:
    """PostgreSQL: move each id sequence past the explicit ids, so later inserts do not collide."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT max(id) FROM {table.name}))"
            )
        )
