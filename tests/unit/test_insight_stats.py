"""The statistics behind the homework and outcomes pages, checked against worked answers."""

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.outcome_words import band_words, bars_sentence, coverage_sentence, lag_sentence
from dashboard.words import count_label, count_labels
from data_access.reads import outcomes
from data_access.reads.filters import EVERYONE
from data_access.reads.insight import mean_with_interval

Z = 1.959963984540054  # the 97.5th percentile of the standard normal


def wilson_by_hand(count: int, total: int) -> tuple[float, float]:
    """Wilson score interval written out from its formula (Wilson 1927; Newcombe 1998)."""
    p = count / total
    centre = (p + Z**2 / (2 * total)) / (1 + Z**2 / total)
    half = Z / (1 + Z**2 / total) * math.sqrt(p * (1 - p) / total + Z**2 / (4 * total**2))
    return centre - half, centre + half


@pytest.mark.parametrize(
    ("count", "total", "low", "high"),
    [
        (5, 10, 0.2366, 0.7634),  # the textbook symmetric case
        (0, 10, 0.0, 0.2775),  # never below zero, unlike the Wald interval
        (81, 263, 0.2553, 0.3662),  # Newcombe (1998), table I example
    ],
)
def test_wilson_interval_matches_published_values_and_the_formula(count, total, low, high):
    result = outcomes.proportion(count, total)
    assert result["rate"] == pytest.approx(count / total)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((low, high), abs=5e-5)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx(wilson_by_hand(count, total))


def test_a_proportion_over_fewer_than_five_clients_is_too_few():
    result = outcomes.proportion(3, 4)
    assert result["too_few"] and np.isnan(result["rate"])
    assert count_label(result) == "too few (n=4)"
    assert count_label(outcomes.proportion(2, 5)) == "2 of 5 (40 %)"


def test_mean_interval_is_the_t_interval_worked_by_hand():
    # 1..5: mean 3, sd sqrt(2.5), sem sqrt(0.5); t(0.975, df=4) = 2.776445
    result = mean_with_interval(pd.Series([1, 2, 3, 4, 5]))
    half = 2.776445 * math.sqrt(0.5)
    assert result["n"] == 5 and not result["too_few"]
    assert result["mean"] == pytest.approx(3.0)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((3 - half, 3 + half), abs=1e-5)


def test_mean_interval_under_five_values_is_too_few_and_ignores_missing_values():
    result = mean_with_interval(pd.Series([1.0, 2.0, np.nan, 3.0, 4.0]))
    assert result["n"] == 4 and result["too_few"]
    assert np.isnan(result["mean"]) and np.isnan(result["ci_low"])


def client_rows(completion: list[float], phq_change: list[float]) -> pd.DataFrame:
    """A per-client frame as `client_frame` returns it, with only the columns the stats use."""
    return pd.DataFrame(
        {
            "completion_rate": completion,
            "phq_change": phq_change,
            "gad_change": [np.nan] * len(completion),
        }
    )


def test_correlation_matches_the_worked_example():
    # x = 1..5, y = 2,4,5,4,5: Sxy = 6, Sxx = 10, Syy = 6, so r = 6 / sqrt(60) = 0.7746.
    # Fisher: atanh(r) ± 1.96 / sqrt(n - 3) -> tanh -> (-0.3401, 0.9843). Slope 0.6 per unit x;
    # with x as completion 0.2..1.0 the slope is 0.6 / 0.2 = 3 points per 100 % of completion.
    frame = client_rows([0.2, 0.4, 0.6, 0.8, 1.0], [2, 4, 5, 4, 5])
    corr = outcomes.correlation(frame, "PHQ-9")
    r = 6 / math.sqrt(60)
    half = Z / math.sqrt(2)
    assert corr["n"] == 5 and not corr["too_few"]
    assert corr["r"] == pytest.approx(r)
    assert corr["ci_low"] == pytest.approx(math.tanh(math.atanh(r) - half))
    assert corr["ci_high"] == pytest.approx(math.tanh(math.atanh(r) + half))
    assert (corr["ci_low"], corr["ci_high"]) == pytest.approx((-0.3401, 0.9843), abs=1e-4)
    assert corr["slope"] == pytest.approx(3.0)
    assert corr["intercept"] == pytest.approx(2.2)


def test_correlation_needs_five_clients_with_both_figures():
    frame = client_rows([0.2, 0.4, 0.6, 0.8, np.nan], [2, 4, 5, 4, 5])
    corr = outcomes.correlation(frame, "PHQ-9")
    assert corr["too_few"] and corr["n"] == 4 and np.isnan(corr["r"])


def test_dose_response_bands_clients_and_states_each_band_n():
    # six clients at 75-100 %: changes 6, 6, 7, 8, 8, 7 -> mean 7, and all six reach PHQ-9's
    # 6-point reliable change (6 counts); three clients under 25 % -> too few
    frame = client_rows(
        [1.0, 0.9, 0.95, 0.75, 0.8, 1.0, 0.1, 0.0, 0.2], [6, 6, 7, 8, 8, 7, 1, 0, 2]
    )
    bands = outcomes.dose_response(frame, "PHQ-9").set_index("band")
    top, bottom = bands.loc[75], bands.loc[0]
    assert top["n"] == 6 and top["mean"] == pytest.approx(7.0)
    assert top["ri_count"] == 6 and top["ri_rate"] == pytest.approx(1.0)
    assert top["ri_low"] == pytest.approx(wilson_by_hand(6, 6)[0])
    assert bottom["n"] == 3 and bottom["too_few"] and np.isnan(bottom["mean"])
    assert bands.loc[25, "n"] == 0 and bands.loc[50, "n"] == 0


def test_band_edges_are_closed_at_the_bottom_and_full_completion_is_in_the_top_band():
    frame = client_rows([0.25, 0.5, 0.75, 1.0, 0.0], [0, 0, 0, 0, 0])
    counts = outcomes.dose_response(frame, "PHQ-9").set_index("band")["n"].to_dict()
    assert counts == {0: 1, 25: 1, 50: 1, 75: 2}


def paired_rows() -> pd.DataFrame:
    """Six clients of two clinicians, classified as client_frame does."""
    return pd.DataFrame(
        {
            "client_id": [1, 2, 3, 4, 5, 6],
            "clinician": ["Ann", "Ann", "Ann", "Ann", "Ann", "Bob"],
            "clinician_id": [1, 1, 1, 1, 1, 2],
            "paired": [True, True, True, True, True, False],
            "case_at_baseline": [True, True, True, False, True, False],
            "reliable_improvement": [True, True, False, True, False, False],
            "recovered": [True, False, False, False, False, False],
            "reliable_recovery": [True, False, False, False, False, False],
            "reliable_deterioration": [False, False, False, False, True, False],
        }
    )


def test_paired_outcomes_count_over_paired_clients_and_recovery_over_cases():
    table = outcomes.paired_outcomes(paired_rows())
    table["label"] = count_labels(table)
    everyone = table[table["group"] == EVERYONE].set_index("outcome")
    assert everyone.loc["reliable_improvement", "label"] == "3 of 5 (60 %)"
    assert everyone.loc["recovered", "label"] == "too few (n=4)"  # only 4 cases at baseline
    assert everyone.loc["reliable_deterioration", "label"] == "1 of 5 (20 %)"
    bob = table[table["group"] == "Bob"].set_index("outcome")
    assert set(bob["label"]) == {"too few (n=0)"}


def test_coverage_says_how_many_clients_have_paired_scores():
    cover = outcomes.coverage(paired_rows()).set_index("group")
    assert coverage_sentence(cover.loc[EVERYONE]) == (
        "5 of 6 clients have two or more PHQ-9 and GAD-7 scores"
    )
    assert cover.loc["Bob", "paired"] == 0 and cover.loc["Ann", "cases"] == 4


@pytest.mark.parametrize(
    ("mean", "words"),
    [
        (1.26, "GAD-7 moved on average 1.3 points better than in the week after"),
        (-0.5, "GAD-7 moved on average 0.5 points worse than in the week after"),
        (0.04, "GAD-7 moved on average about the same as in the week after"),
    ],
)
def test_lag_sentence_says_the_direction_in_words(mean, words):
    difference = {"n": 12, "mean": mean, "ci_low": mean - 1, "ci_high": mean + 1, "too_few": False}
    sentence = lag_sentence(difference, "GAD-7")
    assert words in sentence and "within the 12 clients who had both" in sentence
    assert sentence.endswith("not proof that homework caused it.")


def test_the_bars_sentence_reads_the_bars_own_numbers():
    """The words match the bars: +0.35 across 69 clients and -0.50 across 38."""
    rows = pd.DataFrame(
        {
            "group": ["done", "not_done"],
            "n_clients": [69, 38],
            "n_weeks": [400, 120],
            "mean": [0.35, -0.5],
            "too_few": [False, False],
        }
    )
    assert bars_sentence(rows, "PHQ-9") == (
        "The bars (PHQ-9 change the week after, + = better): after weeks mostly done: +0.35 "
        "points on average across 69 clients; after weeks mostly not done: -0.50 points on "
        "average across 38 clients."
    )


def test_each_band_is_put_in_words_from_its_lower_bound():
    assert [band_words(start) for start in outcomes.BAND_STARTS] == [
        "0–24 %",
        "25–49 %",
        "50–74 %",
        "75–100 %",
    ]
