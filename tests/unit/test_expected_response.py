"""The expected response, pinned on synthetic practices whose percentiles are known.

Construction: clients start at 10, 15 or 20 (101 clients each). At week w a client scores
baseline - 2·w + e, and in every (baseline, week) cell the 101 clients' e run through
-10, -9.8, …, 10 once each. So the p-th percentile of e is -10 + 20·p: -8, -5, 0, 5 and 8 for
the 10th, 25th, 50th, 75th and 90th, and each percentile is baseline - 2·w + that.
"""

import numpy as np
import pandas as pd
import pytest

from dashboard.flag_words import homework_beside_warning, why_no_band
from data_access.reads.expected import (
    MIN_CLIENTS,
    QUANTILES,
    RecentHomework,
    fit,
    recent_homework,
)

GRID = np.round(np.linspace(-10, 10, 101), 1)
OFFSETS = {0.10: -8, 0.25: -5, 0.50: 0, 0.75: 5, 0.90: 8}


def practice(per_baseline: int = 101, weeks: range = range(1, 7)) -> pd.DataFrame:
    rows = []
    for b_index, baseline in enumerate((10, 15, 20)):
        for i in range(per_baseline):
            client = b_index * 1000 + i
            for week in weeks:
                e = GRID[(i + 37 * week) % len(GRID)]  # each e once per cell, reshuffled by week
                rows.append((client, week, baseline, baseline - 2 * week + e))
    return pd.DataFrame(rows, columns=["client_id", "week", "baseline", "score"])


def test_the_band_is_the_percentiles_put_in_by_construction():
    fitted = fit(practice(), "PHQ-9")
    assert fitted.enough and fitted.clients == 303
    np.testing.assert_allclose(fitted.slopes[:, 1:7], 1.0, atol=0.02)
    for week in range(1, 7):
        band = fitted.band([15], [week])[0]
        expected = [max(0, 15 - 2 * week + OFFSETS[q]) for q in QUANTILES]
        np.testing.assert_allclose(band, expected, atol=0.25)


def test_the_band_stays_inside_the_scale_and_later_weeks_use_the_last_fitted_one():
    fitted = fit(practice(), "GAD-7")
    top = fitted.band([20], [1])[0]
    assert top[-1] <= 21  # 20 - 2 + 8 = 26 capped at GAD-7's maximum
    low = fitted.band([10], [6])[0]
    assert low[0] == 0  # 10 - 12 - 8 below zero, kept at zero
    assert np.isnan(fitted.band([15], [12])).all()  # week 12 was never seen: no band


@pytest.mark.parametrize("clients", [MIN_CLIENTS - 1, 0])
def test_too_little_history_gives_no_band_and_says_so(clients):
    rows = practice(per_baseline=101)
    keep = sorted(rows["client_id"].unique())[:clients]
    fitted = fit(rows[rows["client_id"].isin(keep)], "PHQ-9")
    assert not fitted.enough
    assert why_no_band(fitted) == (
        f"Too little history for an expected PHQ-9 response: {clients} clients have 3 or more "
        "scores; at least 100 are needed."
    )


def homework(*rows):
    return pd.DataFrame(rows, columns=["due_on", "status", "difficulty"])


def test_homework_beside_the_warning_suggests_smaller_steps_when_completion_is_low():
    """Last 4 reviewed (the pending one and the oldest left out): completed, partial, not
    done, not done -> (1 + ½) / 4 = 38 %, under 50 %."""
    frame = homework(
        (1, "completed", 2), (2, "completed", 2), (3, "partial", 3), (4, "not_done", 2),
        (5, "not_done", 3), (6, "pending", 5),
    )  # fmt: skip
    assert recent_homework(frame) == RecentHomework(4, 0.375, 2.5, suggest_easier=True)
    assert homework_beside_warning(recent_homework(frame)) == (
        "Last 4 reviewed assignments: 38 % completed, mean difficulty 2.5 of 5. "
        "Suggestion: make the next assignment smaller and easier, so it is doable."
    )


def test_hard_homework_gets_the_suggestion_even_when_done_and_easy_done_homework_not():
    """The one rule of the client page (metrics.smaller_and_easier): 4 reviewed, mean
    difficulty (4 + 4 + 5 + 3) / 4 = 4.0 is hard although all were done; two easy ones are
    too few to judge."""
    hard = homework(
        (1, "completed", 4), (2, "completed", 4), (3, "completed", 5), (4, "completed", 3)
    )
    assert recent_homework(hard) == RecentHomework(4, 1.0, 4.0, suggest_easier=True)
    assert homework_beside_warning(recent_homework(hard)).endswith("so it is doable.")
    easy = homework((1, "not_done", 2), (2, "partial", None))
    assert homework_beside_warning(recent_homework(easy)) == (
        "Last 2 reviewed assignments: 25 % completed, mean difficulty 2.0 of 5."
    )
    assert homework_beside_warning(recent_homework(homework())) == "No homework reviewed yet."


def test_the_client_chart_draws_the_expected_band_behind_the_clients_line():
    from dashboard.client_charts import trend_figure

    fitted = fit(practice(), "PHQ-9")
    band = fitted.band([15] * 3, [1, 2, 3])
    expected = pd.DataFrame(band, columns=["p10", "p25", "p50", "p75", "p90"])
    expected.insert(0, "on", pd.date_range("2026-03-09", periods=3, freq="7D").date)
    expected.insert(0, "week", [1, 2, 3])
    scores = pd.DataFrame(
        [("PHQ-9", pd.Timestamp("2026-03-02").date(), 15, 15.0)],
        columns=["measure", "recorded_on", "value", "rolling_mean"],
    )
    sessions = pd.DataFrame({"held_on": [], "attendance": []})
    fig = trend_figure(scores, sessions, "PHQ-9", expected=expected)
    assert [t.name for t in fig.data] == [
        "Expected: 10th–90th (darker 25th–75th) percentile",
        "",
        "Expected median",
        "PHQ-9 score",
    ]
    np.testing.assert_allclose(fig.data[2].y, [13, 11, 9], atol=0.25)  # 15 - 2w
