"""Homework set at attended sessions, its review and completion, and each client's rate."""

from __future__ import annotations

import numpy as np

from data_access.demo.clients import Clients
from data_access.demo.common import (
    COMPLETED,
    MOOD_LOG,
    NONE,
    NOT_DONE,
    PARTIAL,
    PENDING,
    TYPE_NAMES,
    Columns,
    Window,
)
from data_access.demo.sessions import Sessions
from data_access.demo.staff import Staff
from data_access.store.schema import STATUSES

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


def draw_assignments(
    rng: np.random.Generator,
    people: Clients,
    staff: Staff,
    sessions: Sessions,
    window: Window,
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
    people: Clients,
    staff: Staff,
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
    people: Clients,
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


def _completion_rates(people: Clients, client: np.ndarray, status: np.ndarray) -> np.ndarray:
    """(completed + ½ partial) / reviewed per client; latent engagement where none was reviewed."""
    n = len(people.intake)
    reviewed = np.bincount(client, weights=status != PENDING, minlength=n)
    done = np.bincount(
        client, weights=(status == COMPLETED) + 0.5 * (status == PARTIAL), minlength=n
    )
    return np.where(reviewed > 0, done / np.maximum(reviewed, 1), people.engagement)
