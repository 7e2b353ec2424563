"""The client page's figures, built from small frames without Streamlit."""

import numpy as np
import pandas as pd

from dashboard import client_charts as charts
from dashboard.theme import IMPROVEMENT_BAND, SEVERITY_FILLS
from data_access.reads.client_queries import homework_and_scores
from tests.builders import D
from tests.figures import title

TODAY = D(2026, 6, 1)
NO_SESSIONS = pd.DataFrame({"held_on": [], "attendance": []})


def scores(*rows):
    return pd.DataFrame(rows, columns=["measure", "recorded_on", "value", "rolling_mean"])


def names(fig):
    return [trace.name for trace in fig.data]


def empty_message(fig):
    return [a.text for a in fig.layout.annotations]


def test_symptom_trend_has_caseness_band_scores_and_session_marks():
    frame = scores(("PHQ-9", D(2026, 3, 2), 16, 16.0), ("PHQ-9", D(2026, 3, 16), 9, 12.5))
    sessions = pd.DataFrame(
        {"held_on": [D(2026, 3, 2), D(2026, 3, 9)], "attendance": ["attended", "no_show"]}
    )
    fig = charts.trend_figure(frame, sessions, "PHQ-9", baseline=16)
    assert names(fig) == ["PHQ-9 score", "Session attended", "Session missed (no-show)"]
    assert list(fig.data[0].y) == [16, 9]
    band = next(s for s in fig.layout.shapes if s.fillcolor == IMPROVEMENT_BAND)
    caseness = next(s for s in fig.layout.shapes if s.type == "line")
    assert (band.y0, band.y1) == (10, 22)  # baseline 16 ± 6
    assert caseness.y0 == caseness.y1 == 10
    texts = empty_message(fig)
    assert "caseness ≥ 10" in texts
    assert "baseline 16 ± 6: no reliable change inside" in texts
    assert fig.layout.yaxis.title.text == "PHQ-9 score (0–27, lower is better)"
    assert fig.layout.xaxis.title.text == "Date"


def test_the_caseness_line_is_named_on_the_other_side_from_the_severity_bands():
    """GAD-7's caseness of 8 lies inside its "mild 5–9" band: the band's name sits at the right
    edge, so the line's name goes to the left edge, where the two never overlap."""
    fig = charts.trend_figure(scores(("GAD-7", D(2026, 3, 2), 12, 12.0)), NO_SESSIONS, "GAD-7")
    side = {a.text: a.x for a in fig.layout.annotations}
    assert side["caseness ≥ 8"] == 0
    assert side["mild 5–9"] == 1


def test_the_band_stays_inside_the_scale():
    frame = scores(("GAD-7", D(2026, 3, 2), 19, 19.0))
    fig = charts.trend_figure(frame, NO_SESSIONS, "GAD-7", baseline=19)
    band = next(s for s in fig.layout.shapes if s.fillcolor == IMPROVEMENT_BAND)
    assert (band.y0, band.y1) == (15, 21)  # 19 ± 4, capped at the maximum of 21


def test_phq9_and_gad7_are_drawn_over_their_named_severity_bands():
    """PHQ-9: 0–4 minimal … 20–27 severe; GAD-7 stops at 15–21 severe. Each band reaches half
    a point past its scores, so a score on a cut-off sits inside its own band."""
    phq = charts.trend_figure(scores(("PHQ-9", D(2026, 3, 2), 16, 16.0)), NO_SESSIONS, "PHQ-9")
    bands = [s for s in phq.layout.shapes if s.fillcolor in SEVERITY_FILLS]
    assert [(b.y0, b.y1) for b in bands] == [
        (0, 4.5), (4.5, 9.5), (9.5, 14.5), (14.5, 19.5), (19.5, 27),
    ]  # fmt: skip
    labels = [
        t
        for t in empty_message(phq)
        if t.split()[0] in {"minimal", "mild", "moderate", "moderately", "severe"}
    ]
    assert labels == [
        "minimal 0–4", "mild 5–9", "moderate 10–14", "moderately severe 15–19", "severe 20–27",
    ]  # fmt: skip
    gad = charts.trend_figure(scores(("GAD-7", D(2026, 3, 2), 9, 9.0)), NO_SESSIONS, "GAD-7")
    assert "severe 15–21" in empty_message(gad)
    fills = [s.fillcolor for s in gad.layout.shapes if s.fillcolor in SEVERITY_FILLS]
    assert len(fills) == 4 and len(set(fills)) == 4  # stronger shade band by band


def test_daily_mood_gets_a_rolling_mean_and_no_caseness_line():
    frame = scores(("MOOD", D(2026, 3, 2), 4, 4.0), ("MOOD", D(2026, 3, 3), 6, 5.0))
    fig = charts.trend_figure(frame, NO_SESSIONS, "MOOD")
    assert names(fig) == ["Daily rating", "Mean of the last 7 ratings"]
    assert list(fig.data[1].y) == [4.0, 5.0]
    assert not fig.layout.shapes
    assert fig.layout.yaxis.title.text == "MOOD score (0–10, higher is better)"


def test_trend_without_scores_says_so():
    fig = charts.trend_figure(scores(), NO_SESSIONS, "GAD-7")
    assert not fig.data
    assert empty_message(fig) == ["No GAD-7 scores recorded yet in this period"]


def assignments(*rows):
    columns = ["type", "assigned_on", "due_on", "status", "shown_status", "reviewed_on"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["instructions"] = "Write <b>one</b> thought"
    return frame


def test_timeline_has_one_trace_per_status_with_symbols_and_hover_text():
    frame = assignments(
        ("Thought Record", D(2026, 3, 2), D(2026, 3, 9), "completed", "completed", D(2026, 3, 9)),
        ("Thought Record", D(2026, 5, 18), D(2026, 5, 25), "pending", "overdue", None),
        ("Exposure Practice", D(2026, 5, 25), D(2026, 6, 1), "pending", "pending", None),
    )
    fig = charts.homework_timeline(frame, TODAY)
    assert names(fig) == ["Completed", "Overdue", "Pending"]
    assert [t.marker.symbol for t in fig.data] == ["circle", "triangle-up", "circle-open"]
    hover = fig.data[1].text[0]
    assert "Thought Record" in hover and "Overdue" in hover and "due 25 May 2026" in hover
    assert "&lt;b&gt;one&lt;/b&gt;" in hover  # instructions are shown as text, not markup
    assert fig.layout.xaxis.title.text == "Due date"
    assert fig.layout.yaxis.title.text == "Assignment type"


def test_homework_charts_without_homework_say_so():
    assert empty_message(charts.homework_timeline(assignments(), TODAY)) == [
        "No homework set in this period"
    ]
    weekly = pd.DataFrame(columns=["week", "cum_reviewed"])
    assert empty_message(charts.weekly_completion_figure(weekly)) == [
        "No homework set in this period"
    ]
    assert empty_message(charts.type_mix_figure(pd.DataFrame(columns=["type"]))) == [
        "No homework set in this period"
    ]


def weekly(reviewed, cum_rate, pending=0):
    n = len(reviewed)
    cum = np.cumsum(reviewed)
    return pd.DataFrame(
        {
            "week": [D(2026, 3, 2 + 7 * i) for i in range(n)],
            "completed": reviewed,
            "partial": [0] * n,
            "not_done": [0] * n,
            "overdue": [0] * n,
            "pending": [pending] * n,
            "reviewed": reviewed,
            "cum_reviewed": cum,
            "cum_rate": cum_rate,
        }
    )


def test_weekly_completion_stacks_counts_and_draws_the_rate_only_from_five_reviewed():
    fig = charts.weekly_completion_figure(weekly([2, 2, 2], [1.0, 0.75, 0.5]))
    assert names(fig) == ["Completed", "Completion rate to date"]
    assert list(fig.data[0].y) == [2, 2, 2]
    rate = list(fig.data[1].y)
    assert np.isnan(rate[0]) and np.isnan(rate[1]) and rate[2] == 50.0  # n=2, 4, then 6
    assert fig.layout.yaxis.title.text == "Assignments due (count)"
    assert fig.layout.yaxis2.title.text == "Completion rate to date (%)"


def test_weekly_completion_with_only_pending_homework_explains_the_missing_rate():
    fig = charts.weekly_completion_figure(weekly([0, 0], [np.nan, np.nan], pending=1))
    assert names(fig) == ["Pending"]
    assert empty_message(fig) == ["Completion rate appears from 5 reviewed assignments"]


def test_type_mix_shows_counts_by_status_and_each_rate_label():
    types = pd.DataFrame(
        {
            "type": ["Thought Record", "Exposure Practice"],
            "set": [6, 1],
            "completed": [4, 0],
            "partial": [1, 0],
            "not_done": [1, 0],
            "overdue": [0, 0],
            "pending": [0, 1],
            "reviewed": [6, 0],
            "completion_rate": [4.5 / 6, np.nan],
        }
    )
    fig = charts.type_mix_figure(types)
    assert names(fig)[:4] == ["Completed", "Partial", "Not done", "Pending"]
    assert [t.strip() for t in fig.data[-1].text] == ["75 % (n=6)", "too few (n=0)"]
    assert [t.marker.pattern.shape for t in fig.data[:4]] == ["", "/", "x", "-"]
    assert fig.layout.xaxis.title.text == "Assignments set (count)"
    assert title(fig) == "Kinds of homework set, with each one's completion (n reviewed)"


def test_homework_and_scores_puts_homework_above_score_changes():
    weekly_frame = pd.DataFrame(
        {
            "week": [D(2026, 3, 2), D(2026, 3, 9)],
            "set": [1, 2],
            "reviewed": [1, 2],
            "credit": [0.5, 2.0],
            "completion_rate": [0.5, 1.0],
        }
    )
    changes = pd.DataFrame(
        {
            "week": [D(2026, 3, 2), D(2026, 3, 9)],
            "measure": ["MOOD", "MOOD"],
            "change": [np.nan, 2.0],
        }
    )
    fig = charts.homework_and_scores_figure(homework_and_scores(weekly_frame, changes))
    assert names(fig) == ["Reviewed", "Done (completed + ½ partial)", "MOOD change"]
    assert list(fig.data[1].y) == [0.5, 2.0]
    assert fig.data[2].yaxis == "y2"
    assert fig.layout.yaxis2.title.text == "Weekly change<br>(points, + = better)"  # fits a phone


def test_homework_and_scores_without_anything_to_compare_says_so():
    joined = pd.DataFrame({"week": [D(2026, 3, 2)], "set": [1], "reviewed": [0], "credit": [0.0]})
    fig = charts.homework_and_scores_figure(joined)
    assert empty_message(fig) == ["Not enough reviewed homework or repeated scores yet"]


DAY_MS = 86_400_000


def test_one_score_gets_day_ticks_not_clock_times():
    """A single score used to get ticks like "23:59:59.999 Nov 24"."""
    fig = charts.trend_figure(scores(("PHQ-9", D(2026, 11, 24), 12, 12.0)), NO_SESSIONS, "PHQ-9")
    axis = fig.layout.xaxis
    assert axis.tickformat == "%d %b" and axis.dtick == DAY_MS
    first, last = (pd.Timestamp(v) for v in axis.range)
    assert (first, last) == (pd.Timestamp(2026, 11, 20), pd.Timestamp(2026, 11, 28))  # ± 4 days


def test_counts_tick_in_whole_numbers_and_weeks_on_mondays():
    fig = charts.weekly_completion_figure(weekly([1, 1, 2], [1.0, 1.0, 0.75]))
    counts = fig.layout.yaxis
    assert (counts.dtick, counts.tickformat, counts.tick0) == (1, "d", 0)
    assert all(pd.Timestamp(t).weekday() == 0 for t in fig.layout.xaxis.tickvals)
    assert list(fig.layout.yaxis2.range) == [0, 100]  # a rate never runs past 100 %


def test_type_mix_count_axis_has_whole_steps():
    types = pd.DataFrame(
        {
            "type": ["Thought Record"],
            "set": [1],
            "completed": [1],
            "partial": [0],
            "not_done": [0],
            "overdue": [0],
            "pending": [0],
            "reviewed": [1],
            "completion_rate": [1.0],
        }
    )
    assert charts.type_mix_figure(types).layout.xaxis.dtick == 1
