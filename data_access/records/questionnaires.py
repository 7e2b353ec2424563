"""The PHQ-9 and GAD-7 items: their wording, the four answers, and the rule for a set of items.

Each item is answered for the last two weeks from 0 ("not at all") to 3 ("nearly every day");
the total is the sum. Items are optional, but when given they are complete and make the total.
"""

from __future__ import annotations

from collections.abc import Sequence

from data_access.store.schema import ITEM_COLUMNS, ITEM_MAX, MEASURES

ANSWERS = {0: "not at all", 1: "several days", 2: "more than half the days", 3: "nearly every day"}
ITEMS: dict[str, tuple[str, ...]] = {
    "PHQ-9": (
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself, or that you are a failure or have let yourself or your "
        "family down",
        "Trouble concentrating on things",
        "Moving or speaking so slowly that other people could have noticed, or the opposite, "
        "being so fidgety or restless",
        "Thoughts that you would be better off dead, or of hurting yourself",
    ),
    "GAD-7": (
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid, as if something awful might happen",
    ),
}
RISK_ITEM_WORDING = ITEMS["PHQ-9"][8]


# Severity bands of the total score (lowest score of each band, its name), the usual cut-offs.
SEVERITY_BANDS: dict[str, tuple[tuple[int, str], ...]] = {
    "PHQ-9": ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately severe"),
              (20, "severe")),
    "GAD-7": ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")),
}  # fmt: skip


def severity(measure: str, score: int) -> str | None:
    """The severity band a total falls in ("moderate"), or None for a measure without bands."""
    bands = SEVERITY_BANDS.get(measure)
    if bands is None:
        return None
    return [name for low, name in bands if score >= low][-1]


def severity_spans(measure: str) -> list[tuple[int, int, str]]:
    """Each band as (lowest score, highest score, name), up to the measure's maximum."""
    bands = SEVERITY_BANDS[measure]
    tops = [low - 1 for low, _ in bands[1:]] + [MEASURES[measure].max_value]
    return [(low, top, name) for (low, name), top in zip(bands, tops, strict=True)]


class ItemsError(ValueError):
    """A problem with a score's item answers, naming the item (or `score`) to look at."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column


def check_items(
    code: str, answers: Sequence[int | None], total: int | None
) -> tuple[int | None, ...]:
    """The nine item columns for a score: all None, or the measure's items complete, each 0-3,
    adding up to `total` (None: the total is their sum). ItemsError says what is wrong."""
    answers = list(answers) + [None] * (len(ITEM_COLUMNS) - len(answers))
    count = MEASURES[code].items
    given = [n for n, value in enumerate(answers, start=1) if value is not None]
    if not given:
        return (None,) * len(ITEM_COLUMNS)
    beyond = [n for n in given if n > count]
    if beyond:
        has = f"only items 1-{count}" if count else "no items"
        raise ItemsError(f"item_{beyond[0]}", f"{code} has {has}; item_{beyond[0]} must be blank")
    missing = [n for n in range(1, count + 1) if n not in given]
    if missing:
        column = f"item_{missing[0]}"
        raise ItemsError(column, f"give all {count} {code} items or none; {column} is blank")
    for n in given:
        if not 0 <= answers[n - 1] <= ITEM_MAX:
            raise ItemsError(f"item_{n}", f"item_{n} must be a whole number from 0 to {ITEM_MAX}")
    if total is not None and sum(answers[:count]) != total:
        raise ItemsError(
            "score", f"the items add up to {sum(answers[:count])}, not to the score {total}"
        )
    return tuple(answers)
