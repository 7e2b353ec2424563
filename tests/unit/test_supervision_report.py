"""The supervision report: one self-contained HTML file, plotly embedded once, tables escaped."""

import re

import pandas as pd
import plotly.graph_objects as go

from dashboard.report import ReportSection, attention_section, build_report, describe_filters
from dashboard.theme import styled
from data_access.access.viewer import Viewer
from data_access.reads.filters import Filters
from tests.builders import D

VIEWER = Viewer(2, "sam@example.org", "Sam <Super>", "supervisor")
FILTERS = Filters(start=D(2026, 3, 1), end=D(2026, 3, 31), client_status="all", type_ids=(1, 2))


def report(sections):
    return build_report("Outcomes — supervision report", VIEWER, FILTERS, sections)


def test_plotly_is_embedded_once_and_nothing_is_fetched():
    figures = (go.Figure(go.Bar(x=[1], y=[2])), go.Figure(go.Bar(x=[3], y=[4])))
    html = report([ReportSection("Charts", figures=figures)])
    assert html.count("Plotly.newPlot") == 2
    assert html.count("plotly.js v") == 1  # the bundle's banner: included with the first chart
    assert "<script src=" not in html


def test_tables_notes_and_names_are_escaped():
    table = pd.DataFrame({"Group": ["<script>alert(1)</script>"], "Rate": ["50 % (n=10)"]})
    html = report([ReportSection("Tables & notes", notes=("a < b",), tables=(("T", table),))])
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Tables &amp; notes" in html and "a &lt; b" in html
    assert "Sam &lt;Super&gt; (supervisor)" in html
    assert "50 % (n=10)" in html


def test_the_header_states_the_view():
    assert describe_filters(FILTERS) == (
        "2026-03-01 to 2026-03-31; clients: all; 2 assignment type(s) chosen"
    )
    html = report([])
    assert "View: 2026-03-01 to 2026-03-31; clients: all" in html
    assert "not causes" in html


def test_the_needs_attention_list_gives_client_codes_and_flags_only():
    flags = pd.DataFrame(
        {
            "client_id": [4, 1, 4],
            "client_code": ["C-0004", "C-0001", "C-0004"],
            "clinician": ["Ben Birch", "Ana Alder", "Ben Birch"],
            "flag": ["deterioration", "no_shows", "no_recent_score"],
            "reviewed": [False, False, False],
            "facts": [(), (), ()],
        }
    )
    section = attention_section(flags)
    ((caption, table),) = section.tables
    assert table.to_dict("records") == [
        {"Client code": "C-0001", "Flags": "Repeated no-shows"},
        {"Client code": "C-0004", "Flags": "Reliable deterioration; No recent score"},
    ]
    html = report([section])
    assert "C-0004" in html and "Ben Birch" not in html and "Ana Alder" not in html
    assert "2 active clients with a needs-attention flag today" in html


def test_report_charts_keep_the_legend_below_and_the_title_above():
    fig = go.Figure(go.Bar(x=[1], y=[2], name="a"))
    fig.update_layout(title="A title", legend={"y": 1.02, "yanchor": "bottom"})
    html = report([ReportSection("Charts", figures=(fig,))])
    legend = html.split('"legend":{', 1)[1].split("}", 1)[0].replace(" ", "")
    assert '"yref":"container"' in legend and '"yanchor":"bottom"' in legend
    assert '"y":0.0' in legend or '"y":0,' in legend or legend.endswith('"y":0')
    assert fig.layout.legend.y == 1.02  # the page's own figure is left as it was


def test_report_charts_keep_the_room_a_wrapped_title_made_above_the_plot():
    """A title over 40 characters wraps onto two lines (theme.styled) and the chart makes room
    above its plot; the report's copy keeps that room instead of its usual 70 px."""
    long = styled(go.Figure(go.Bar(x=[1], y=[2])), "Per clinician: setting homework, " * 2)
    short = styled(go.Figure(go.Bar(x=[1], y=[2])), "A title")
    html = report([ReportSection("Charts", figures=(long, short))])
    tops = {int(top) for top in re.findall(r'"margin":\{[^}]*"t":(\d+)', html)}
    assert {long.layout.margin.t + 20, 70} <= tops  # (and the shared template's 50)
