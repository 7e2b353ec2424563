"""PHQ-9 and GAD-7 at attended sessions (with PHQ-9 item answers) and daily MOOD ratings."""

from __future__ import annotations

import numpy as np

from data_access.demo.clients import Clients
from data_access.demo.common import NONE, Columns, Window
from data_access.demo.course import Course, draw_course
from data_access.demo.sessions import Sessions
from data_access.store.schema import ITEM_COLUMNS


def draw_scores(
    rng: np.random.Generator,
    people: Clients,
    sessions: Sessions,
    completion: np.ndarray,
    window: Window,
    first_id: int,
) -> Columns:
    """PHQ-9 and GAD-7 at attended sessions and daily MOOD ratings, sorted by client and day."""
    course = draw_course(rng, completion, people.planned)
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
    rng: np.random.Generator, people: Clients, sessions: Sessions, course: Course
) -> Columns:
    """PHQ-9 and GAD-7 at attended sessions (every other one for a quarter of clients)."""
    n = sessions.day.shape[0]
    every_other = rng.random(n) < 0.25
    nth = np.cumsum(sessions.attended, axis=1) - 1
    scored = sessions.attended & (~every_other[:, None] | (nth % 2 == 0))
    client, k = np.nonzero(scored)
    day = sessions.day[client, k]
    phq, gad = course.expected(client, (day - people.intake[client]) / 7)
    phq = np.clip(np.rint(phq + rng.normal(0, 2.0, len(client))), 0, 27)
    gad = np.clip(np.rint(gad + rng.normal(0, 1.6, len(client))), 0, 21)
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
    people: Clients,
    sessions: Sessions,
    course: Course,
    window: Window,
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
