"""Weekly therapy sessions: attendance, dropouts, discharges and the next attended session."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data_access.demo.clients import Clients
from data_access.demo.common import ATTENDED, CANCELLED, NO_SHOW, NONE, SCHEDULED, Columns, Window
from data_access.store.schema import ATTENDANCE


@dataclass(frozen=True)
class Sessions:
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


def draw_sessions(
    rng: np.random.Generator, people: Clients, window: Window, first_id: int
) -> Sessions:
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
    return Sessions(
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


def _attendance(rng: np.random.Generator, people: Clients, slot: np.ndarray) -> np.ndarray:
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


def _discharge_days(people: Clients, day: np.ndarray, window: Window) -> np.ndarray:
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


def client_rows(people: Clients, sessions: Sessions, window: Window) -> Columns:
    """Client rows: code, clinician, intake and discharge dates."""
    ids = people.first_id + np.arange(len(people.intake))
    return {
        "id": ids,
        "code": np.array([f"C-{i:04d}" for i in ids], dtype=object),
        "clinician_id": people.clinician + 1,
        "intake_on": window.iso(people.intake),
        "discharged_on": window.iso(sessions.discharged),
    }
