"""What every part of the demo generator shares: day offsets, codes and the homework catalogue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from data_access.store.schema import ATTENDANCE, DEFAULT_ASSIGNMENT_TYPES, STATUSES, monday_of

Columns = dict[str, np.ndarray]

TYPE_NAMES = tuple(name for name, _ in DEFAULT_ASSIGNMENT_TYPES)
MOOD_LOG = TYPE_NAMES.index("Daily Mood Log")
READING = TYPE_NAMES.index("Reading / Psychoeducation")
# How often each skills task is chosen across the practice, in TYPE_NAMES order (the Daily Mood
# Log is not a skills task: it is set on its own, see Staff.log_rate).
SKILLS_MIX = np.array([0.0, 0.22, 0.12, 0.08, 0.16, 0.10, 0.15, 0.13, 0.04])

ATTENDED, CANCELLED, NO_SHOW, SCHEDULED = (
    ATTENDANCE.index(a) for a in ("attended", "cancelled", "no_show", "scheduled")
)
PENDING, COMPLETED, PARTIAL, NOT_DONE = (
    STATUSES.index(s) for s in ("pending", "completed", "partial", "not_done")
)
NONE = -(10**6)  # "no day" in integer day-offset arrays (real offsets may be negative)


@dataclass(frozen=True)
class Window:
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


def demo_window(today: dt.date, weeks: int) -> Window:
    """`weeks` whole weeks, Monday-aligned, the last one holding `today`."""
    start = monday_of(today) - dt.timedelta(weeks=weeks - 1)
    return Window(start=start, today=(today - start).days)
