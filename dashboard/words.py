"""The words the pages and charts build from the data layer's numbers, dates and codes.

Pure functions, unit-tested without Streamlit; the rules behind the numbers are in
docs/metrics.md ("too few" under the minimum N of each figure).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.flag_words import flag_labels
from dashboard.number_words import percent
from data_access.reads.client_lists import LISTS
from data_access.reads.metrics import MIN_REVIEWED_FOR_RATE
from data_access.records.undo import LastEntry
from data_access.store.days_allowed import DAYS_ALLOWED_BUCKETS

ENTRY_WORDS = {
    ("assignment", "set"): "homework set",
    ("assignment", "review"): "homework review",
    ("session", None): "session",
    ("scores", None): "scores",
}


def entry_words(entry: LastEntry) -> str:
    """What an entry was, for its undo button and confirmation: 'homework set of C-0001'."""
    what = ENTRY_WORDS.get((entry.kind, entry.action), entry.kind)
    return f"{what} of {entry.client_code}"


def rate_label(rate: float | None, n: int, minimum: int = MIN_REVIEWED_FOR_RATE) -> str:
    """How a rate is shown: '67 % (n=12)', or 'too few (n=3)' under the minimum."""
    n = int(n)
    if n < minimum or rate is None or np.isnan(rate):
        return f"too few (n={n})"
    return f"{percent(rate)} (n={n})"


def rate_labels(
    rates: pd.Series, counts: pd.Series, minimum: int = MIN_REVIEWED_FOR_RATE
) -> list[str]:
    """`rate_label` of each rate (NaN: nothing to rate) with its N."""
    return [
        rate_label(None if pd.isna(rate) else float(rate), int(n), minimum)
        for rate, n in zip(rates, counts, strict=True)
    ]


def split_rate(label: str) -> tuple[str, str]:
    """'66 % (n=2113)' -> ('66 %', 'n=2113'): the value big, its N in a metric's label."""
    value, _, n = label.partition(" (")
    return value, n.rstrip(")")


def count_label(result: dict | pd.Series) -> str:
    """A proportion: '12 of 30 (40 %)', or 'too few (n=3)' under the client minimum."""
    if result["too_few"]:
        return f"too few (n={int(result['total'])})"
    return f"{int(result['count'])} of {int(result['total'])} ({percent(result['rate'])})"


def count_labels(proportions: pd.DataFrame) -> list[str]:
    """`count_label` of each row of a frame with count, total, rate and too_few."""
    return [count_label(row) for row in proportions.to_dict("records")]


def change_words(change: float) -> str:
    """A signed change (positive = better) in words: '5 better', '2 worse', 'no change'."""
    if round(change) == 0:
        return "no change"
    return f"{abs(change):g} {'better' if change > 0 else 'worse'}"


def plural(n: int, word: str) -> str:
    """'1 assignment', '3 assignments'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


LIST_NAMES = dict(  # the Overview headlines' client lists (client_lists.LISTS) by name
    zip(
        LISTS,
        (
            "Active clients",
            "Sessions attended",
            "Homework set",
            "Assignments set",
            "Completion",
            "Reliably improved",
            "Needing attention",
        ),
        strict=True,
    )
)


def list_detail(key: str, row: pd.Series) -> str:
    """What one client adds to the Overview headline `key` (`client_lists.headline_clients`)."""
    if key == "active":
        return "in treatment in the period"
    if key == "sessions":
        return plural(int(row["attended"]), "attended session")
    if key == "setting":
        sessions = plural(int(row["attended"]), "attended session")
        return f"homework set at {int(row['with_homework'])} of {sessions}"
    if key == "assigned":
        return plural(int(row["set"]), "assignment") + " set"
    if key == "completion":
        rate = None if pd.isna(row["completion_rate"]) else float(row["completion_rate"])
        return f"{rate_label(rate, row['reviewed'])} of {plural(int(row['due']), 'assignment')} due"
    if key == "improved":
        return "reliably improved" if row["improved"] else "not reliably improved"
    return flag_labels(row["flags"])


def list_details(key: str, clients: pd.DataFrame) -> list[str]:
    """`list_detail` of every row of a headline's client list."""
    return [list_detail(key, row) for _, row in clients.iterrows()]


VERDICT_WORDS = {
    "reliable_recovery": "reliable recovery",
    "reliable_deterioration": "reliable deterioration",
    "recovered": "recovered (change not reliable)",
    "reliable_improvement": "reliable improvement",
    "no_reliable_change": "no reliable change",
    "one_score": "only one score so far: no change to judge yet",
}


PERIOD_OUTCOME_WORDS = {
    "reliable_improvement": "reliably improved",
    "reliable_deterioration": "reliably deteriorated",
    "no_reliable_change": "no reliable change",
    "too_few_scores": "too few scores",
}


def verdict_words(verdict: str) -> str:
    """A client's outcome on one measure (`metrics.Outcome.verdict`, or "one_score") in words."""
    return VERDICT_WORDS.get(verdict, verdict.replace("_", " "))


def difficulty_words(difficulty: int | None) -> str:
    """An expected difficulty (1-5, None: not rated) as a chart category: '3', 'not rated'."""
    return "not rated" if difficulty is None else str(difficulty)


def days_allowed_words(first: int) -> str:
    """A days-allowed bucket (named by its first day, DAYS_ALLOWED_BUCKETS) as '4–7 days'."""
    last = dict(DAYS_ALLOWED_BUCKETS)[first]
    return f"{first}+ days" if last is None else f"{first}–{last} days"
