"""The homework and outcomes figures, built from small frames without Streamlit.

Rates never run past 100 %; labels such as "too few (n=2)" go into the margin instead of being
clipped; every figure says its N; the review table says the difference in words.
"""

import numpy as np
import pandas as pd

from dashboard import insight_charts as charts
from data_access.reads.insight import AFTER_NOT_REVIEWED, AFTER_REVIEWED, GROUP_DID, GROUP_RARELY


def on_time(*rows):
    frame = pd.DataFrame(rows, columns=["clinician_id", "clinician", "eligible", "on_time"])
    frame["rate"] = frame["on_time"] / frame["eligible"]
    return frame


def capped(axis) -> bool:
    return list(axis.range) == [0, 100] and max(axis.tickvals) == 100


def test_type_completion_is_capped_at_100_with_every_label():
    by_type = pd.DataFrame(
        {
            "type": ["Reading", "Exposure"],
            "completion_rate": [1.0, 0.5],
            "reviewed": [12, 2],
        }
    )
    fig = charts.type_completion_chart(by_type)
    assert capped(fig.layout.xaxis)
    (bars,) = fig.data
    assert list(bars.text) == ["too few (n=2)", "100 % (n=12)"]  # drawn bottom-up
    assert list(bars.x) == [0, 100]  # no bar for too few
    assert bars.cliponaxis is False and fig.layout.margin.r >= 100


def test_on_time_chart_per_clinician_is_capped_at_100():
    fig = charts.on_time_chart(on_time((1, "Ana", 10, 9), (2, "Ben", 2, 2), (-1, "All", 12, 11)))
    assert capped(fig.layout.xaxis)
    assert list(fig.data[0].text) == ["92 % (n=12)", "too few (n=2)", "90 % (n=10)"]


def test_clinician_comparison_keeps_rates_under_100_and_says_each_n():
    comparison = pd.DataFrame(
        {
            "group": ["All clients in view", "Ana"],
            "setting_rate": [0.9, 1.0],
            "attended": [20, 10],
            "completion_rate": [0.7, np.nan],
            "reviewed": [30, 3],
            "ri_rate": [0.4, np.nan],
            "improved": [4, 1],
            "paired": [10, 2],
            "ri_too_few": [False, True],
        }
    )
    fig = charts.clinician_comparison_chart(comparison)
    assert capped(fig.layout.xaxis)
    completion = next(t for t in fig.data if t.name == "Completion of homework due")
    assert list(completion.text) == ["too few (n=3)", "70 % (n=30)"]
    assert list(completion.x) == [0, 70]


def test_improvement_chart_labels_each_group_with_n_and_never_clips_them():
    rows = []
    for group, n in ((GROUP_DID, 8), (GROUP_RARELY, 2)):
        rows.append(
            {"type": "Reading", "measure": "PHQ-9", "group": group, "n": n, "mean": 2.0,
             "ci_low": 1.0, "ci_high": 3.0, "too_few": n < 5}
        )  # fmt: skip
    fig = charts.type_improvement_chart(pd.DataFrame(rows))
    did, rarely = fig.data
    assert list(did.text) == ["n=8"] and list(rarely.text) == ["too few (n=2)"]
    assert did.cliponaxis is False and rarely.cliponaxis is False
    assert abs(did.y[0] - rarely.y[0]) >= 0.4  # the two groups' labels do not collide


def test_review_table_says_the_difference_in_words_with_each_n():
    after = pd.DataFrame(
        {
            "clinician_id": [1, 1, 2, 2],
            "clinician": ["Ana", "Ana", "Ben", "Ben"],
            "group": [AFTER_REVIEWED, AFTER_NOT_REVIEWED] * 2,
            "reviewed": [40, 10, 20, 3],
            "completion_rate": [0.8, 0.6, 0.7, 0.0],
        }
    )
    after = pd.concat(
        [
            after,
            pd.DataFrame(  # Cleo's homework was always reviewed: no "after no review" row
                {
                    "clinician_id": [3],
                    "clinician": ["Cleo"],
                    "group": [AFTER_REVIEWED],
                    "reviewed": [12],
                    "completion_rate": [0.75],
                }
            ),  # fmt: skip
        ],
        ignore_index=True,
    )
    table = charts.review_table(
        on_time((1, "Ana", 50, 40), (2, "Ben", 23, 20), (3, "Cleo", 12, 12)), after
    )
    assert table.to_dict("records") == [
        {
            "Clinician": "Ana",
            "Reviewed on time": "80 % (n=50)",
            "Next homework after a review": "80 % (n=40)",
            "Next homework after no review": "60 % (n=10)",
            "Difference": "20 points better after a review",
        },
        {
            "Clinician": "Ben",
            "Reviewed on time": "87 % (n=23)",
            "Next homework after a review": "70 % (n=20)",
            "Next homework after no review": "too few (n=3)",
            "Difference": "too few to compare",
        },
        {
            "Clinician": "Cleo",
            "Reviewed on time": "100 % (n=12)",
            "Next homework after a review": "75 % (n=12)",
            "Next homework after no review": "none",
            "Difference": "too few to compare",
        },
    ]


def test_review_table_says_too_few_for_a_clinician_with_one_side_missing():
    """Ben's next homework always followed a review: he has no "no review" row at all, which
    the pivot leaves as NaN beside Ana's; his difference is "too few", not an error."""
    after = pd.DataFrame(
        {
            "clinician_id": [1, 1, 2],
            "clinician": ["Ana", "Ana", "Ben"],
            "group": [AFTER_REVIEWED, AFTER_NOT_REVIEWED, AFTER_REVIEWED],
            "reviewed": [40, 10, 20],
            "completion_rate": [0.8, 0.6, 0.7],
        }
    )
    table = charts.review_table(on_time((1, "Ana", 50, 40), (2, "Ben", 23, 20)), after)
    assert table["Difference"].tolist() == ["20 points better after a review", "too few to compare"]
    assert table.loc[1, "Next homework after no review"] == "none"


def test_lag_chart_labels_each_bar_with_its_clients_and_weeks():
    rows = pd.DataFrame(
        {
            "group": ["after weeks mostly done", "after weeks mostly not done"],
            "n_clients": [69, 38],
            "n_weeks": [400, 120],
            "mean": [0.35, -0.5],
            "ci_low": [0.1, -0.9],
            "ci_high": [0.6, -0.1],
            "too_few": [False, False],
        }
    )
    (bars,) = charts.lag_chart(rows, "PHQ-9").data
    assert list(bars.x) == [
        "after weeks mostly done<br>69 clients, 400 weeks",
        "after weeks mostly not done<br>38 clients, 120 weeks",
    ]
    assert list(bars.y) == [0.35, -0.5]


def test_every_rate_chart_from_outcomes_stops_at_100():
    bands = pd.DataFrame(
        {
            "band": ["0–24 %", "75–100 %"], "n": [6, 9], "mean": [0.5, 3.0],
            "ci_low": [-1.0, 2.0], "ci_high": [2.0, 4.0], "ri_rate": [0.2, 1.0],
            "ri_low": [0.05, 0.7], "ri_high": [0.6, 1.0], "too_few": [False, False],
        }
    )  # fmt: skip
    assert capped(charts.dose_response_chart(bands, "PHQ-9").layout.yaxis2)
    points = pd.DataFrame({"completion_rate": [0.0, 1.0, 0.5], "change": [1, 4, 2]})
    corr = {"no_spread": False, "too_few": False, "n": 3, "r": 0.9, "ci_low": 0.1,
            "ci_high": 0.99, "slope": 3.0, "intercept": 1.0}  # fmt: skip
    scatter = charts.scatter_chart(points, corr, "PHQ-9")
    assert capped(scatter.layout.xaxis) and scatter.data[0].cliponaxis is False


def test_review_table_with_one_group_only_says_too_few_instead_of_failing():
    """Cleo's next homework always followed a review: no 'after none' row, so her cells in the
    pivot are empty, and the difference reads 'too few to compare' (it used to raise on NaN)."""
    after = pd.DataFrame(
        {
            "clinician_id": [1, 1, 3],
            "clinician": ["Ana", "Ana", "Cleo"],
            "group": [AFTER_REVIEWED, AFTER_NOT_REVIEWED, AFTER_REVIEWED],
            "reviewed": [40, 10, 12],
            "completion_rate": [0.8, 0.6, 0.75],
        }
    )
    table = charts.review_table(on_time((1, "Ana", 50, 40), (3, "Cleo", 12, 12)), after)
    cleo = table.to_dict("records")[1]
    assert cleo["Next homework after no review"] == "none"
    assert cleo["Difference"] == "too few to compare"
