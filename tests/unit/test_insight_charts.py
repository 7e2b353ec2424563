"""The homework and outcomes figures, built from small frames without Streamlit.

Rates never run past 100 %; labels such as "too few (n=2)" go into the margin instead of being
clipped; every figure says its N; the review table says the difference in words.
"""

import numpy as np
import pandas as pd

from dashboard import insight_charts as charts
from data_access.reads.filters import EVERYONE
from data_access.reads.insight import GROUP_DID, GROUP_RARELY
from data_access.reads.reviews import AFTER_NOT_REVIEWED, AFTER_REVIEWED
from tests.figures import title, words


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
    fig = charts.on_time_chart(on_time((1, "Ana", 10, 9), (2, "Ben", 2, 2), (-1, EVERYONE, 12, 11)))
    assert capped(fig.layout.xaxis)
    assert list(fig.data[0].text) == ["92 % (n=12)", "too few (n=2)", "90 % (n=10)"]


def test_clinician_comparison_keeps_rates_under_100_and_says_each_n():
    comparison = pd.DataFrame(
        {
            "group": [EVERYONE, "Ana"],
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
            "group": ["done", "not_done"],
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
            "band": [0, 75], "n": [6, 9], "mean": [0.5, 3.0],
            "ci_low": [-1.0, 2.0], "ci_high": [2.0, 4.0], "ri_rate": [0.2, 1.0],
            "ri_low": [0.05, 0.7], "ri_high": [0.6, 1.0], "too_few": [False, False],
        }
    )  # fmt: skip
    dose = charts.dose_response_chart(bands, "PHQ-9")
    assert capped(dose.layout.yaxis2)
    # the two panels one above the other, each the full width: side by side on a phone, each
    # axis title lay over the other panel
    assert tuple(dose.layout.xaxis.domain) == tuple(dose.layout.xaxis2.domain) == (0.0, 1.0)
    assert dose.layout.yaxis.domain[0] > dose.layout.yaxis2.domain[1]
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


def test_per_clinician_charts_draw_at_most_their_bound_and_say_how_many_of_how_many():
    """400 clinicians: the pages pass a page of 25; given everyone, each chart draws the first
    30 (by name) and its title says 30 of 400; on time and the comparison keep their total."""
    names = [f"Clinician {i:03d}" for i in range(400)]
    mix = pd.DataFrame(
        {
            "clinician": [n for n in names for _ in range(2)],
            "type": ["Reading", "Exposure"] * 400,
            "times_set": [3, 1] * 400,
            "share": [0.75, 0.25] * 400,
        }
    )
    fig = charts.clinician_mix_chart(mix)
    assert [len(bar.y) for bar in fig.data] == [30, 30]
    assert fig.data[0].y[-1] == "Clinician 000 (n=4)"  # the first name at the top
    assert title(fig).endswith("(the first 30 of 400 clinicians)")
    assert len(charts.clinician_mix_chart(mix, most=None).data[0].y) == 400  # the report

    rows = [(i, n, 10, 9) for i, n in enumerate(names, start=1)] + [(-1, EVERYONE, 4000, 3600)]
    fig = charts.on_time_chart(on_time(*rows))
    assert len(fig.data[0].y) == 31  # the total at the bottom
    assert fig.data[0].y[0] == "All clinicians in view"
    assert title(fig).endswith("(the first 30 of 400 clinicians)")

    comparison = pd.DataFrame(
        {
            "group": [EVERYONE, *names],
            "setting_rate": 0.9, "attended": 20, "completion_rate": 0.7, "reviewed": 30,
            "ri_rate": 0.4, "improved": 4, "paired": 10, "ri_too_few": False,
        }
    )  # fmt: skip
    fig = charts.clinician_comparison_chart(comparison.iloc[:26])  # a page: everyone + 25
    assert [len(bar.y) for bar in fig.data] == [26, 26, 26]
    assert title(fig) == "Per clinician: setting homework, completion and reliable improvement"
    fig = charts.clinician_comparison_chart(comparison)
    assert [len(bar.y) for bar in fig.data] == [31, 31, 31]
    assert fig.data[0].y[-1] == "All clients in view"


SCATTER_CORR = {"no_spread": False, "too_few": False, "n": 0, "r": 0.2, "ci_low": 0.17,
                "ci_high": 0.23, "slope": 4.0, "intercept": 1.0}  # fmt: skip


def test_a_scatter_of_up_to_2000_clients_draws_a_dot_each():
    rng = np.random.default_rng(3)
    points = pd.DataFrame(
        {"completion_rate": rng.uniform(0, 1, 2000), "change": rng.integers(-8, 12, 2000)}
    )
    fig = charts.scatter_chart(points, SCATTER_CORR | {"n": 2000}, "PHQ-9")
    assert len(fig.data[0].x) == 2000 and fig.data[0].name == "Client"
    assert "bin" not in fig.layout.annotations[0].text


def test_a_scatter_of_more_clients_counts_them_in_bins_and_says_so():
    """6,000 clients whose completion lies on 0, 0.02 … 1 and change on -8 … 11: bins of 5 points
    of completion (0.02 and 0.04 go to the 0 and 5 % bins) by 1 point of change."""
    rng = np.random.default_rng(3)
    points = pd.DataFrame(
        {
            "completion_rate": rng.integers(0, 51, 6000) / 50,
            "change": rng.integers(-8, 12, 6000),
        }
    )
    fig = charts.scatter_chart(points, SCATTER_CORR | {"n": 6000}, "PHQ-9")
    dots = fig.data[0]
    assert len(dots.x) <= 21 * 20 and dots.name == "Clients (binned)"
    assert int(np.sum(dots.customdata)) == 6000  # every client counted once
    assert set(np.round(dots.x, 6)) <= {5.0 * k for k in range(21)}
    assert title(fig) == "Homework completion vs PHQ-9 change, clients counted in bins"
    facts = words(fig.layout.annotations[0].text)
    assert facts.endswith(
        "More than 2,000 clients: each dot is a bin of 5 % completion by 1 point, its area the "
        "number of clients in it."
    )
    assert "N = 6000 clients" in facts  # r is from every client
    # the 100 % column's largest dots (25 px across) and the 100 % label fit right of the axis
    assert fig.layout.margin.r >= 25 and dots.cliponaxis is False


def test_bins_put_each_client_at_its_bins_centre():
    points = pd.DataFrame(
        {"completion_rate": [0.0, 0.02, 0.03, 0.98, 1.0], "change": [2, 2.4, 2, -1, -1]}
    )
    bins = charts.binned_points(points)
    assert bins.to_dict("records") == [
        {"completion_rate": 0.0, "change": 2.0, "clients": 2},  # 0 % and 2 % with change 2, 2.4
        {"completion_rate": 0.05, "change": 2.0, "clients": 1},
        {"completion_rate": 1.0, "change": -1.0, "clients": 2},
    ]


def test_r_and_n_sit_above_the_dots_in_lines_a_phone_shows_whole():
    """Inside the plot the r/N box covered the top-left dots; above it, under the title, each
    line fits a phone (about 60 characters at 12 px), with room made in the top margin."""
    rng = np.random.default_rng(3)
    for n in (200, 6000):
        points = pd.DataFrame(
            {"completion_rate": rng.uniform(0, 1, n), "change": rng.integers(-8, 12, n)}
        )
        fig = charts.scatter_chart(points, SCATTER_CORR | {"n": n}, "PHQ-9")
        (facts,) = fig.layout.annotations
        assert (facts.yref, facts.y, facts.yanchor) == ("paper", 1, "bottom")
        lines = facts.text.split("<br>")
        assert all(len(line) <= charts.FACTS_LINE for line in lines)
        title_lines = fig.layout.title.text.count("<br>") + 1
        assert fig.layout.margin.t >= 50 + 17 * len(lines) + 22 * (title_lines - 1)


def test_the_type_chart_panels_keep_titles_short_enough_to_sit_side_by_side_on_a_phone():
    rows = [
        {"type": "Relaxation / Mindfulness Practice", "measure": m, "group": g, "n": 8,
         "mean": 2.0, "ci_low": 1.0, "ci_high": 3.0, "too_few": False}
        for m in ("PHQ-9", "GAD-7") for g in (GROUP_DID, GROUP_RARELY)
    ]  # fmt: skip
    fig = charts.type_improvement_chart(pd.DataFrame(rows))
    assert [a.text for a in fig.layout.annotations] == ["PHQ-9", "GAD-7"]
    assert fig.layout.xaxis.title.text == fig.layout.xaxis2.title.text == "Mean change"
    assert title(fig) == "Change by homework type (points, + = better): did it vs rarely did it"
    assert all(len(line) <= 40 for line in fig.layout.title.text.split("<br>"))
