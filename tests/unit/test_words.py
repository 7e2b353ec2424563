"""The words built from the data layer's numbers: rates with their N, proportions, undo entries."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dashboard.words import (
    count_label,
    days_allowed_words,
    difficulty_words,
    entry_words,
    rate_label,
    rate_labels,
    split_rate,
)
from data_access.records.undo import LastEntry
from data_access.store.days_allowed import DAYS_ALLOWED_BUCKETS


def test_rate_label_says_too_few_under_five_reviewed():
    assert rate_label(1.0, 4) == "too few (n=4)"
    assert rate_label(0.5, 10) == "50 % (n=10)"
    assert rate_label(None, 0) == "too few (n=0)"


def test_rate_labels_read_nan_as_nothing_to_rate_and_take_their_own_minimum():
    rates, counts = pd.Series([np.nan, 2 / 3, 0.4]), pd.Series([7, 12, 5])
    assert rate_labels(rates, counts) == ["too few (n=7)", "67 % (n=12)", "40 % (n=5)"]
    assert rate_labels(rates, counts, minimum=6)[2] == "too few (n=5)"


def test_split_rate_puts_the_value_big_and_its_n_aside():
    assert split_rate("66 % (n=2113)") == ("66 %", "n=2113")
    assert split_rate("too few (n=3)") == ("too few", "n=3")


def test_count_label_says_count_of_total_or_too_few():
    assert count_label({"count": 2, "total": 5, "rate": 0.4, "too_few": False}) == "2 of 5 (40 %)"
    assert count_label({"count": 1, "total": 4, "rate": np.nan, "too_few": True}) == (
        "too few (n=4)"
    )


def test_an_undo_entry_is_named_by_its_kind_and_client():
    at = dt.datetime(2026, 3, 20, 9, 30)
    set_one = LastEntry(1, at, "C-0001", "kind=assignment action=set id=4", "assignment", "set", at)
    scores = LastEntry(2, at, "C-0002", "kind=scores scores=7", "scores", None, at)
    assert entry_words(set_one) == "homework set of C-0001"
    assert entry_words(scores) == "scores of C-0002"


def test_difficulty_in_words() -> None:
    assert [difficulty_words(d) for d in (1, 5, None)] == ["1", "5", "not rated"]


def test_days_allowed_buckets_in_words() -> None:
    assert [days_allowed_words(first) for first, _ in DAYS_ALLOWED_BUCKETS] == [
        "0–3 days",
        "4–7 days",
        "8–14 days",
        "15+ days",
    ]
