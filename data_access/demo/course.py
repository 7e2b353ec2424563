"""Each demo client's symptom course: baselines and how (and whether) they respond.

Four kinds of course, as in routine-outcome studies: most clients respond early and go on
improving; some do not respond and mostly stay where they started (early non-responders who
stay off course); some respond late, after several flat or slightly worse weeks (early
non-responders who recover); and a few get worse. How much a responder improves grows with
their homework completion, modestly: across clients, completion and PHQ-9 change correlate at
about r = 0.25, as in the meta-analyses (Kazantzis et al. 2000; Mausbach et al. 2010). A
client's own lasting deviation from their course (`drift`) keeps an early lag from being mere
noise, so being off course at week 3-4 says something about the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RESPONDER, NON_RESPONDER, LATE_RESPONDER, WORSE = range(4)
# Shares of the four kinds for a client with average homework completion; the share of
# non-responders falls, and of responders rises, as completion rises.
KIND_SHARES = (0.60, 0.16, 0.16, 0.08)
NON_RESPONSE_BY_COMPLETION = 0.25  # shift of the non-responder share per unit of completion
GAIN_BY_COMPLETION = 0.75  # extra share of the baseline a responder loses, per unit completion


@dataclass(frozen=True)
class Course:
    """Baselines, share of baseline lost by the end, pace, delay before any change and drift."""

    phq: np.ndarray
    gad: np.ndarray
    phq_gain: np.ndarray
    gad_gain: np.ndarray
    pace: np.ndarray  # weeks (after the delay) to reach about two thirds of the change
    delay: np.ndarray  # weeks before change starts (late responders), 0 for the others
    drift: np.ndarray  # the client's lasting deviation from the course, in points of PHQ-9
    mood_offset: np.ndarray

    def expected(self, client: np.ndarray, weeks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Noise-free PHQ-9 and GAD-7 for `client` after `weeks` in treatment."""
        started = np.maximum(weeks - self.delay[client], 0)
        progress = 1 - np.exp(-started / self.pace[client])
        waiting = np.where((weeks > 0) & (started == 0), 0.08, 0.0)  # a little worse meanwhile
        settled = np.minimum(weeks / 3, 1) * self.drift[client]
        return (
            self.phq[client] * (1 - self.phq_gain[client] * progress + waiting) + settled,
            self.gad[client] * (1 - self.gad_gain[client] * progress + waiting) + 0.8 * settled,
        )


def draw_course(rng: np.random.Generator, completion: np.ndarray, planned: np.ndarray) -> Course:
    """Courses for clients with these homework completion rates and planned sessions.

    Baselines are mostly at caseness. Longer courses improve more slowly.
    """
    n = len(completion)
    severity = rng.normal(0, 1, n)
    anxious = 0.6 * severity + 0.8 * rng.normal(0, 1, n)
    shift = NON_RESPONSE_BY_COMPLETION * (completion - 0.6)
    shares = np.array(KIND_SHARES)[None, :] + np.outer(shift, [1.0, -1.0, 0.0, 0.0])
    kind = (rng.random(n)[:, None] > np.cumsum(shares, axis=1)).sum(axis=1)
    gain = np.clip(rng.normal(0.12 + GAIN_BY_COMPLETION * completion, 0.2), 0.05, 0.95)
    gain = np.where(kind == NON_RESPONDER, rng.uniform(-0.1, 0.15, n), gain)
    gain = np.where(kind == WORSE, -rng.uniform(0.35, 0.8, n), gain)
    delay = np.where(kind == LATE_RESPONDER, rng.uniform(4, 10, n), 0.0)
    return Course(
        phq=np.clip(13.4 + 5.0 * severity, 3, 27),
        gad=np.clip(11.0 + 4.3 * anxious, 2, 21),
        phq_gain=gain,
        gad_gain=np.clip(gain + rng.normal(0, 0.1, n), -0.7, 0.95),
        pace=planned * rng.uniform(0.15, 0.4, n),
        delay=delay,
        drift=rng.normal(0, 1.5, n),
        mood_offset=rng.normal(0, 0.8, n),
    )
