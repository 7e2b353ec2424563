"""The demo's clients: traits and planned courses of treatment, and their rows."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from data_access.demo.common import NONE, TYPE_NAMES, Window
from data_access.demo.staff import CLINICIAN, SUPERVISOR, Staff

CARRIED_OVER = 0.8  # share of clients already in treatment when the window opens


@dataclass(frozen=True)
class Clients:
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

    def part(self, lo: int, hi: int) -> Clients:
        """Clients lo..hi-1 (indexes into this group)."""
        sliced = {
            f.name: getattr(self, f.name)[lo:hi] for f in fields(self) if f.name != "first_id"
        }
        return Clients(first_id=self.first_id + lo, **sliced)


def draw_clients(rng: np.random.Generator, n: int, staff: Staff, window: Window) -> Clients:
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
    return Clients(
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
