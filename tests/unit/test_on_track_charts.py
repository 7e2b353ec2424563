"""Outcome by homework among clients not on track: the chart and table, without Streamlit.

Bands as `outcome_by_completion` returns them: 0-24 % with 5 clients (mean +2.2, 1 of 5
reliably improved), 25-49 % empty, 50-74 % with 2 (too few), 75-100 % with 5 (all improved).
"""

import numpy as np
import pandas as pd

from dashboard.on_track_charts import AFTER_FLAG, on_track_homework_chart, on_track_homework_table
from data_access.reads.on_track_outcomes import BAND_COLUMNS
from tests.figures import title

NAN = np.nan


def bands() -> pd.DataFrame:
    return pd.DataFrame(
        [
            (0, 5, 2.2, -1.13, 5.53, 1, 0.2, 0.036, 0.624, False),
            (25, 0, NAN, NAN, NAN, 0, NAN, NAN, NAN, True),
            (50, 2, NAN, NAN, NAN, 0, NAN, NAN, NAN, True),
            (75, 5, 8.0, 8.0, 8.0, 5, 1.0, 0.566, 1.0, False),
        ],
        columns=BAND_COLUMNS,
    )


def test_the_table_says_each_band_in_words_with_n_and_too_few():
    table = on_track_homework_table(bands())
    assert list(table.columns) == [
        AFTER_FLAG,
        "Clients",
        "Mean change, + = better (95 % CI)",
        "Reliable improvement (95 % CI)",
    ]
    assert table.values.tolist() == [
        ["0–24 %", 5, "+2.2 (-1.1 to +5.5)", "1 of 5, 20 % (4 % to 62 %)"],
        ["25–49 %", 0, "too few (n=0)", "too few (n=0)"],
        ["50–74 %", 2, "too few (n=2)", "too few (n=2)"],
        ["75–100 %", 5, "+8.0 (+8.0 to +8.0)", "5 of 5, 100 % (57 % to 100 %)"],
    ]


def test_the_chart_draws_only_bands_with_enough_clients_and_names_every_n():
    fig = on_track_homework_chart(bands(), "PHQ-9")
    assert title(fig).startswith("Not on track by week 4: PHQ-9 outcome")
    means, improved = fig.data
    assert list(means.x) == ["0–24 %<br>n=5", "25–49 %<br>n=0 (too few)",
                             "50–74 %<br>n=2 (too few)", "75–100 %<br>n=5"]  # fmt: skip
    assert np.allclose(np.asarray(means.y, dtype=float), [2.2, NAN, NAN, 8.0], equal_nan=True)
    assert np.allclose(np.asarray(improved.y, dtype=float), [20, NAN, NAN, 100], equal_nan=True)
    assert fig.layout.xaxis.title.text == AFTER_FLAG


def test_no_history_and_too_few_everywhere_say_so_instead_of_drawing():
    empty = on_track_homework_chart(pd.DataFrame(columns=BAND_COLUMNS), "GAD-7")
    assert "Too little history" in empty.layout.annotations[0].text
    few = bands().assign(too_few=True)
    fig = on_track_homework_chart(few, "GAD-7")
    assert not fig.data and "Too few clients" in fig.layout.annotations[0].text
    assert title(fig).startswith("Not on track by week 4: GAD-7")
