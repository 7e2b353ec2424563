"""The demo's clinicians: names, roles, supervision, habits and the three sign-in accounts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data_access.access.passwords import hash_password
from data_access.demo.common import READING, SKILLS_MIX, Columns

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


@dataclass(frozen=True)
class Staff:
    """Clinician rows and each clinician's habits."""

    rows: Columns
    set_rate: np.ndarray  # probability of setting homework at an attended session
    review_rate: np.ndarray  # probability of reviewing the last homework at the next session
    log_rate: np.ndarray  # probability that what they set includes a Daily Mood Log
    skills: np.ndarray  # (clinicians, 3) probability of setting 1, 2 or 3 skills tasks
    mix: np.ndarray  # (clinicians, types) preferred mix of skills tasks
    difficulty: np.ndarray  # typical difficulty of what they set
    caseload: np.ndarray  # relative number of clients


def draw_staff(rng: np.random.Generator, n: int) -> Staff:
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
    return Staff(
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


def accounts() -> Columns:
    """Sign-in accounts for the three account holders, sharing one hash of the demo password."""
    password_hash = hash_password(DEMO_PASSWORD)
    count = len(ACCOUNT_HOLDERS)
    return {
        "id": np.arange(1, count + 1),
        "clinician_id": np.array([ADMIN, SUPERVISOR, CLINICIAN]) + 1,
        "password_hash": np.array([password_hash] * count, dtype=object),
        "is_active": np.ones(count, dtype=bool),
    }
