"""Metric definitions of docs/metrics.md, with hand-worked cases and their edges."""

import datetime as dt

import pandas as pd
import pytest

from data_access.reads import metrics


def test_completion_rate_counts_partial_as_half_and_ignores_pending():
    # 3 completed, 2 partial, 1 not done reviewed -> (3 + 1) / 6
    assert metrics.completion_rate(3, 2, 6) == pytest.approx(4 / 6)


def test_credit_is_one_rule_for_numbers_and_series():
    # 3 completed and 2 partial earn 3 + 2 × 0.5 = 4 completed assignments' worth
    assert metrics.credit(3, 2) == 4.0
    counts = pd.DataFrame({"completed": [3, 0], "partial": [2, 1]})
    assert metrics.credit(counts["completed"], counts["partial"]).tolist() == [4.0, 0.5]


def test_overdue_means_pending_and_due_before_today():
    today = dt.date(2026, 3, 10)
    assert metrics.is_overdue("pending", dt.date(2026, 3, 9), today)
    assert not metrics.is_overdue("pending", today, today)  # due today is not late yet
    assert not metrics.is_overdue("not_done", dt.date(2026, 3, 1), today)  # reviewed: not owed
    frame = pd.DataFrame(
        {
            "status": ["pending", "pending", "partial"],
            "due_on": [dt.date(2026, 3, 9), today, dt.date(2026, 1, 1)],
        }
    )
    assert metrics.is_overdue(frame["status"], frame["due_on"], today).tolist() == [
        True,
        False,
        False,
    ]


def test_completion_rate_is_none_when_nothing_reviewed():
    assert metrics.completion_rate(0, 0, 0) is None


@pytest.mark.parametrize(
    ("baseline", "latest", "improved", "deteriorated"),
    [
        (18, 12, True, False),  # exactly the reliable-change value (6) counts
        (18, 13, False, False),  # 5 points is not reliable
        (12, 18, False, True),  # exactly 6 worse
        (12, 12, False, False),
    ],
)
def test_reliable_change_on_phq9(baseline, latest, improved, deteriorated):
    result = metrics.outcome("PHQ-9", baseline, latest)
    assert result.reliable_improvement is improved
    assert result.reliable_deterioration is deteriorated


def test_change_is_positive_when_better_for_both_directions():
    assert metrics.signed_change("PHQ-9", 15, 9) == 6
    assert metrics.signed_change("MOOD", 4, 7) == 3


def test_recovery_needs_case_at_baseline_and_not_at_latest():
    assert metrics.outcome("PHQ-9", 10, 9).recovered  # 10 is a case (>= 10), 9 is not
    assert not metrics.outcome("PHQ-9", 10, 9).reliable_recovery  # but only 1 point better
    assert metrics.outcome("PHQ-9", 16, 8).reliable_recovery
    assert not metrics.outcome("PHQ-9", 9, 3).recovered  # not a case to begin with
    assert not metrics.outcome("MOOD", 2, 9).recovered  # no caseness on MOOD


def test_paired_outcome_rules():
    # PHQ-9 reliably improves; GAD-7 stays a case -> improved, not recovered
    p = metrics.paired_outcome((16, 9), (10, 9))
    assert p.case_at_baseline and p.reliable_improvement and not p.recovered
    # Both below caseness at latest, PHQ-9 improves by 6 -> reliable recovery
    p = metrics.paired_outcome((16, 9), (9, 7))
    assert p.recovered and p.reliable_recovery
    # One improves, the other reliably deteriorates -> deterioration, not improvement
    p = metrics.paired_outcome((16, 9), (4, 8))
    assert p.reliable_deterioration and not p.reliable_improvement


def test_vectorised_classification_matches_the_scalar_rules():
    rows = [("PHQ-9", 18, 12), ("GAD-7", 6, 10), ("MOOD", 3, 6), ("PHQ-9", 10, 9)]
    frame = metrics.classify_outcomes(pd.DataFrame(rows, columns=["measure", "baseline", "latest"]))
    for (measure, baseline, latest), (_, row) in zip(rows, frame.iterrows(), strict=True):
        scalar = metrics.outcome(measure, baseline, latest)
        assert row["change"] == scalar.change
        assert row["reliable_improvement"] == scalar.reliable_improvement
        assert row["reliable_deterioration"] == scalar.reliable_deterioration
        assert row["recovered"] == scalar.recovered
        assert row["reliable_recovery"] == scalar.reliable_recovery


def test_vectorised_paired_matches_the_scalar_rules():
    rows = [(16, 9, 10, 9), (16, 9, 9, 7), (16, 9, 4, 8), (8, 8, 7, 7)]
    frame = metrics.classify_paired(
        pd.DataFrame(rows, columns=["phq_baseline", "phq_latest", "gad_baseline", "gad_latest"])
    )
    for (pb, pl, gb, gl), (_, row) in zip(rows, frame.iterrows(), strict=True):
        scalar = metrics.paired_outcome((pb, pl), (gb, gl))
        assert row["recovered"] == scalar.recovered
        assert row["reliable_improvement"] == scalar.reliable_improvement
        assert row["reliable_deterioration"] == scalar.reliable_deterioration
        assert row["reliable_recovery"] == scalar.reliable_recovery


@pytest.mark.parametrize(
    ("reviewed", "rate", "difficulty", "suggest"),
    [
        (4, 0.375, 2.5, True),  # (1 + ½) of 4 done: under half
        (4, 0.5, 2.0, False),  # exactly half done, easy: no
        (4, 1.0, 4.0, True),  # all done, but set at difficulty 4 on average
        (4, 1.0, 3.5, False),  # all done at a middling difficulty: no
        (4, 1.0, None, False),  # all done, none rated
        (3, 0.0, 5.0, False),  # only 3 reviewed: too few to judge
        (5, 0.25, None, True),
    ],
)
def test_smaller_and_easier_is_one_rule_on_the_last_four_reviewed(
    reviewed: int, rate: float, difficulty: float | None, suggest: bool
):
    assert metrics.smaller_and_easier(reviewed, rate, difficulty) is suggest
