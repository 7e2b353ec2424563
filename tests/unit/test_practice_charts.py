"""Overview and caseload charts: built from small frames, checked without Streamlit."""

import datetime as dt
from dataclasses import replace
from urllib.parse import quote

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.practice_charts import (
    completion_by_group_figure,
    completion_heatmap_figure,
    headlines,
    risk_table_markdown,
    type_mix_figure,
    weekly_completion_figure,
)
from dashboard.theme import OKABE_ITO, TITLE_LINE_PX, styled
from data_access.reads.client_lists import LISTS
from data_access.reads.metrics import add_completion_rate
from data_access.reads.overview import PeriodSummary
from tests.figures import title

W1, W2, W3 = dt.date(2026, 5, 4), dt.date(2026, 5, 11), dt.date(2026, 5, 18)


def counts(**columns) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    frame["assignments"] = frame.get("assignments", frame["reviewed"])
    return add_completion_rate(frame)


def annotation_texts(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def test_weekly_rate_hides_low_volume_weeks_and_shows_reviewed_bars():
    # week 2: 2 of 3 reviewed done -> "too few (n=3)", no point on the rate line
    weekly = counts(due_week=[W1, W2, W3], reviewed=[10, 3, 8], credit=[8.0, 2.0, 4.0])
    fig = weekly_completion_figure(weekly)
    bars, line, few = fig.data
    assert list(bars.y) == [10, 3, 8] and bars.yaxis == "y2"
    assert line.y[0] == pytest.approx(80) and np.isnan(line.y[1]) and line.y[2] == 50
    assert list(line.customdata) == ["80 % (n=10)", "too few (n=3)", "50 % (n=8)"]
    assert list(few.customdata) == ["too few (n=3)"]
    assert fig.layout.yaxis.title.text == "Completion rate (%)"
    assert fig.layout.yaxis2.title.text == "Reviewed assignments (n)"
    assert list(fig.layout.template.layout.colorway) == OKABE_ITO  # the shared theme
    assert title(fig) == "Completion rate by week due"


def test_empty_frames_give_a_titled_empty_state():
    empty = counts(due_week=[], reviewed=[], credit=[])
    assert annotation_texts(weekly_completion_figure(empty)) == [
        "No homework was due in this period."
    ]
    by_type = pd.DataFrame(columns=["type", "assignments", "share"])
    assert title(type_mix_figure(by_type)) == "Mix of homework types"
    heat = counts(clinician=[], due_week=[], reviewed=[], credit=[])
    assert "No homework" in annotation_texts(completion_heatmap_figure(heat))[0]


def test_type_mix_bars_show_share_and_count():
    by_type = pd.DataFrame(
        {"type": ["Thought Record", "Daily Mood Log"], "assignments": [3, 1], "share": [0.75, 0.25]}
    )
    (bar,) = type_mix_figure(by_type).data
    assert list(bar.y) == ["Daily Mood Log", "Thought Record"]  # largest at the top
    assert list(bar.text) == ["25 % (n=1)", "75 % (n=3)"]


def test_completion_by_group_labels_every_bar_with_its_n():
    frame = counts(difficulty=["1", "2", "5"], reviewed=[6, 2, 10], credit=[5.0, 2.0, 3.0])
    fig = completion_by_group_figure(frame, "difficulty", "By difficulty", "Expected difficulty")
    (bar,) = fig.data
    assert list(bar.x) == ["1", "2", "5"]
    assert list(bar.text) == ["83 % (n=6)", "too few (n=2)", "30 % (n=10)"]
    assert bar.y[1] == 0 and bar.marker.pattern.shape[1] == "/"  # no rate drawn for too few
    assert fig.layout.xaxis.title.text == "Expected difficulty"


def test_heatmap_has_a_row_per_clinician_and_blank_too_few_cells():
    heat = counts(
        clinician=["Ana", "Ana", "Ben"],
        due_week=[W1, W2, W1],
        reviewed=[5, 2, 10],
        credit=[5.0, 1.0, 4.0],
    )
    (cells,) = completion_heatmap_figure(heat).data
    assert list(cells.y) == ["Ben", "Ana"]  # alphabetical from the top
    z = np.array(cells.z, dtype=float)
    assert z[1][0] == 100 and np.isnan(z[1][1]) and z[0][0] == 40
    assert cells.customdata[1][1] == "too few (n=2)"
    assert cells.customdata[0][1] == "nothing due"
    assert cells.text[1][1] == "few" and cells.text[0][0] == "40"  # the scale says "%"
    # the scale lies flat under the plot: beside it, a phone's cells were too narrow for "40 %"
    assert cells.colorbar.orientation == "h" and cells.colorbar.ticksuffix == " %"


def _summary(active: int, attended: int, completed: int) -> PeriodSummary:
    return PeriodSummary(
        start=dt.date(2026, 5, 4), end=dt.date(2026, 5, 31), active_clients=active,
        sessions_attended=attended, sessions_with_homework=attended, assignments_set=500,
        assignments_due=500, completed=completed, partial=0, reviewed=500, outcome_clients=0,
        improved_clients=0, flagged_clients=0,
    )  # fmt: skip


def test_a_change_that_rounds_to_zero_reads_no_change_not_minus_zero():
    """69.4 % against 69.8 % is not shown as "-0 pp" with a falling arrow."""
    cards = {
        c.label.split(" (")[0]: c for c in headlines(_summary(8, 10, 347), _summary(8, 12, 349))
    }
    assert cards["Completion"].value == "69 %"
    assert cards["Completion"].delta == "no change"
    assert cards["Completion"].unchanged
    assert cards["Active clients"].delta == "no change"
    assert cards["Sessions attended"].delta == "-2 vs before"
    assert not cards["Sessions attended"].unchanged


def test_flag_count_has_no_change_against_a_period_with_nobody_in_treatment():
    """An empty period: "Active clients 0" never stands beside "Needing attention 4, +4"."""
    empty = replace(_summary(0, 0, 0), flagged_clients=4)
    cards = {c.list_key: c for c in headlines(empty, replace(_summary(0, 0, 0), flagged_clients=0))}
    assert cards["attention"].value == "4"  # the risk signal itself is still shown
    assert cards["attention"].delta is None
    assert cards["active"].value == "0"


def test_too_few_is_said_only_under_the_minimum():
    many = replace(_summary(8, 10, 347), outcome_clients=23, improved_clients=9)
    few = replace(_summary(8, 10, 347), outcome_clients=3, improved_clients=1)
    improved = {c.list_key: c for c in headlines(many, None)}["improved"]
    assert improved.value == "39 %" and "too few" not in improved.caption
    improved = {c.list_key: c for c in headlines(few, None)}["improved"]
    assert improved.value == "too few" and "under 5 clients" in improved.caption


def test_every_headline_opens_a_client_list():
    keys = [c.list_key for c in headlines(_summary(8, 10, 347), None)]
    assert keys == list(LISTS)


def test_week_axes_tick_on_mondays_and_rates_stop_at_100():
    weekly = counts(due_week=[W1, W2, W3], reviewed=[10, 3, 8], credit=[10.0, 2.0, 4.0])
    fig = weekly_completion_figure(weekly)
    assert [pd.Timestamp(t).date() for t in fig.layout.xaxis.tickvals] == [W1, W2, W3]
    assert list(fig.layout.xaxis.ticktext) == ["04 May", "11 May", "18 May"]
    assert list(fig.layout.yaxis.range) == [0, 100]  # 100 % week: axis capped, marker unclipped
    assert fig.data[1].cliponaxis is False
    heat = counts(
        clinician=["Ana", "Ana", "Ben"], due_week=[W1, W2, W1], reviewed=[6, 6, 6],
        credit=[3.0, 6.0, 6.0],
    )  # fmt: skip
    ticks = completion_heatmap_figure(heat).layout.xaxis.tickvals
    assert all(pd.Timestamp(t).weekday() == 0 for t in ticks)  # never the Sunday before


def test_group_rates_stop_at_100_and_keep_their_labels_in_the_margin():
    by_type = counts(type=["Reading", "Exposure"], reviewed=[10, 2], credit=[10.0, 1.0])
    fig = completion_by_group_figure(by_type, "type", "By type", "Type", horizontal=True)
    assert list(fig.layout.xaxis.range) == [0, 100]
    assert list(fig.data[0].text) == ["too few (n=2)", "100 % (n=10)"]  # bottom-up
    assert fig.data[0].cliponaxis is False and fig.layout.margin.r >= 100


def test_heatmap_draws_the_clinicians_given_in_their_order_and_never_more_than_its_bound():
    """400 clinicians × 4 weeks: the caseload page passes the 25 of its table's page; given
    nothing, the heatmap draws the first 30 by name and its title says 30 of 400."""
    names = [f"Clinician {i:03d}" for i in range(400)]
    heat = counts(
        clinician=[n for n in names for _ in range(4)],
        due_week=[W1, W2, W3, W3 + dt.timedelta(days=7)] * 400,
        reviewed=[10] * 1600,
        credit=[7.0] * 1600,
    )
    page = names[125:150][::-1]  # a page of the table sorted some other way
    (cells,) = completion_heatmap_figure(heat, page).data
    assert list(cells.y) == page[::-1]  # the table's first row at the top
    np.testing.assert_array_equal(np.array(cells.z, dtype=float), np.full((25, 4), 70.0))
    fig = completion_heatmap_figure(heat)
    (cells,) = fig.data
    assert len(cells.y) == 30 and cells.y[-1] == "Clinician 000"
    assert title(fig).endswith("(the first 30 of 400 clinicians)")


def test_risk_items_are_one_table_whose_codes_are_links_and_whose_words_stay_text():
    rows = [
        ("C-0002", "Ana Alder", '"nearly every day" (3 of 3) on 02 Jun 2026', None),
        ("C-[x](y)", "Ben | Birch", '"several days" (1 of 3) on 01 Jun 2026', "Reviewed by *Ana*."),
    ]
    link = lambda code: f"client?client={quote(code)}"  # noqa: E731
    table = risk_table_markdown(rows, link, 'PHQ-9 item 9, "Thoughts…"').splitlines()
    assert table[0] == r'| Client | Clinician | PHQ\-9 item 9, "Thoughts…" | Review |'
    assert table[2] == (
        r'| [C\-0002](client?client=C-0002) | :red[Ana Alder] | :red["nearly every day" \(3 of 3\) '
        "on 02 Jun 2026] | **Not reviewed.** |"
    )
    assert table[3] == (
        r"| [C\-\[x\]\(y\)](client?client=C-%5Bx%5D%28y%29) | :red[Ben \| Birch] "
        r'| :red["several days" \(1 of 3\) on 01 Jun 2026] | Reviewed by \*Ana\*\. |'
    )
    assert len(table) == 4


def test_long_titles_wrap_into_lines_a_phone_shows_and_the_plot_moves_down_for_them():
    """Plotly never wraps a title: past about 40 characters a 390 px phone cut it off."""
    fig = styled(
        go.Figure(), "Per clinician: setting homework, completion and reliable improvement"
    )
    assert fig.layout.title.text == (
        "Per clinician: setting homework,<br>completion and reliable improvement"
    )
    assert fig.layout.margin.t == 50 + TITLE_LINE_PX and fig.layout.height == 360 + TITLE_LINE_PX
    short = styled(go.Figure(), "Completion rate by week due")
    assert short.layout.title.text == "Completion rate by week due" and short.layout.margin.t == 50
    axis = styled(
        go.Figure(layout={"xaxis_title": "Share of the homework each clinician set (%)"}), "t"
    )
    assert axis.layout.xaxis.title.text == "Share of the homework each<br>clinician set (%)"
