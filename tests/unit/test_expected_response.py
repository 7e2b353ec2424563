"""The expected response, pinned on synthetic practices whose percentiles are known.

Construction: clients start at 10, 15 or 20 (101 clients each). At week w a client scores
baseline - 2·w + e, and in every (baseline, week) cell the 101 clients' e run through
-10, -9.8, …, 10 once each. So the p-th percentile of e is -10 + 20·p: -8, -5, 0, 5 and 8 for
the 10th, 25th, 50th, 75th and 90th, and each percentile is baseline - 2·w + that.
"""

import numpy as np
import pandas as pd
import pytest

from data_access.expected import MIN_CLIENTS, QUANTILES, fit

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
    assert fitted.why_not() == (
        f"Too little history for an expected PHQ-9 response: {clients} clients have 3 or more "
        "scores; at least 100 are needed."
    )
