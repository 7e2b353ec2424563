"""Severity bands and the item rule, for every possible score and answer."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from data_access.records.questionnaires import ItemsError, check_items, severity, severity_spans


@pytest.mark.parametrize(
    ("measure", "score", "band"),
    [
        ("PHQ-9", 0, "minimal"), ("PHQ-9", 4, "minimal"), ("PHQ-9", 5, "mild"),
        ("PHQ-9", 14, "moderate"), ("PHQ-9", 15, "moderately severe"), ("PHQ-9", 20, "severe"),
        ("PHQ-9", 27, "severe"), ("GAD-7", 9, "mild"), ("GAD-7", 15, "severe"),
        ("GAD-7", 21, "severe"), ("MOOD", 3, None),
    ],
)  # fmt: skip
def test_each_cut_off_starts_its_band(measure, score, band):
    assert severity(measure, score) == band


@pytest.mark.parametrize(("measure", "top"), [("PHQ-9", 27), ("GAD-7", 21)])
def test_the_bands_cover_every_score_once(measure, top):
    covered = [s for low, high, _ in severity_spans(measure) for s in range(low, high + 1)]
    assert covered == list(range(top + 1))


@given(st.lists(st.integers(0, 3), min_size=9, max_size=9), st.integers(0, 27))
def test_nine_phq9_answers_are_kept_exactly_when_they_add_up(answers, total):
    if sum(answers) == total:
        assert check_items("PHQ-9", answers, total) == tuple(answers)
    else:
        with pytest.raises(ItemsError) as refused:
            check_items("PHQ-9", answers, total)
        assert refused.value.column == "score"
