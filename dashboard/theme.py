"""One plotly look for every chart: colour-blind-safe colours, symbols for status, empty states.

Colours are the Okabe–Ito palette (safe for the common colour-vision deficiencies). Status is
never shown by colour alone: each status also has a marker symbol and its name in the legend.
Backgrounds are transparent so charts read in Streamlit's light and dark themes.
"""

from __future__ import annotations

import math
import textwrap

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.plain_text import plot, plot_values

OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#999999",  # grey
    "#000000",
]

STATUS_STYLE: dict[str, dict[str, str]] = {
    "completed": {"color": "#009E73", "symbol": "circle", "label": "Completed"},
    "partial": {"color": "#56B4E9", "symbol": "diamond", "label": "Partial"},
    "not_done": {"color": "#D55E00", "symbol": "x", "label": "Not done"},
    "pending": {"color": "#999999", "symbol": "circle-open", "label": "Pending"},
    "overdue": {"color": "#E69F00", "symbol": "triangle-up", "label": "Overdue"},
}

MEASURE_COLOURS = {"PHQ-9": "#0072B2", "GAD-7": "#CC79A7", "MOOD": "#E69F00"}
IMPROVEMENT_BAND = "rgba(0, 158, 115, 0.12)"  # reliable-change band around a baseline
GRID = "rgba(128, 128, 128, 0.25)"
# Severity bands, minimal to severe: one hue (vermillion) getting stronger, so order reads
# without telling hues apart, translucent so it works on light and dark backgrounds; every
# band is also named in words on the chart.
SEVERITY_FILLS = tuple(f"rgba(213, 94, 0, {alpha})" for alpha in (0.0, 0.07, 0.13, 0.2, 0.28))

TEMPLATE_NAME = "between_sessions"

pio.templates[TEMPLATE_NAME] = go.layout.Template(
    layout=go.Layout(
        colorway=OKABE_ITO,
        font={"family": "Source Sans Pro, Arial, sans-serif", "size": 13},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        xaxis={"gridcolor": GRID, "zeroline": False, "automargin": True},
        yaxis={"gridcolor": GRID, "zeroline": False, "automargin": True},
        # Below the plot, from the bottom of the figure: on a phone a legend wraps onto more
        # rows, and above the plot those rows grew into the title.
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "x": 0},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        hoverlabel={"namelength": -1},
    )
)


LEGEND_ROW = 20  # px per legend entry kept free below the plot: a phone shows one per row
# Plotly never wraps a title: past about 40 characters a phone (390 px) cut it off, so longer
# chart titles are broken into lines of at most this many, and horizontal axis titles likewise.
TITLE_LINE = 40
AXIS_TITLE_LINE = 32
TITLE_LINE_PX = 22  # px of top margin per extra title line


def wrapped(text: str, width: int = TITLE_LINE) -> str:
    """`text` broken between words into lines of at most `width` characters (plotly's <br>)."""
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False)) if text else text


def _wrap_axis_titles(fig: go.Figure) -> None:
    """Every horizontal axis title of `fig` wrapped to AXIS_TITLE_LINE: a phone's plot area is
    narrower than the page. (A vertical axis's title runs along the plot's height.)"""

    def wrap(axis: go.layout.XAxis) -> None:
        text = axis.title.text
        if text and "<br>" not in text and len(text) > AXIS_TITLE_LINE:
            axis.title.text = wrapped(text, AXIS_TITLE_LINE)

    fig.for_each_xaxis(wrap)


def styled(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    """Apply the shared template, a title and a height to `fig`; names and codes on its axes
    and in its legend are escaped, so they show as text and never as links or markup; leave
    room under the plot for the legend even when every entry wraps onto a row of its own."""
    for trace in fig.data:
        for attr in ("x", "y"):
            if attr in trace and (escaped := plot_values(trace[attr])) is not None:
                trace[attr] = escaped
        if "name" in trace and isinstance(trace.name, str):
            trace.name = plot(trace.name)
    fig.update_layout(template=TEMPLATE_NAME, height=height)
    title_text(fig, title)
    _wrap_axis_titles(fig)
    height = fig.layout.height
    entries = [t for t in fig.data if t.name and t.showlegend is not False]
    if len(entries) > 1 and fig.layout.showlegend is not False:
        room = 70 + LEGEND_ROW * len(entries)
        fig.update_layout(
            margin={"b": max(room, fig.layout.margin.b or 0)}, height=height + room - 10
        )
    return fig


def title_text(fig: go.Figure, title: str) -> None:
    """Set `fig`'s title wrapped to TITLE_LINE, with room above the plot (and in its height,
    once it has one) for each line more than the title it replaces."""
    old = fig.layout.title.text or ""
    text = wrapped(title)
    extra = (text.count("<br>") - old.count("<br>")) * TITLE_LINE_PX
    top = (fig.layout.margin.t or 50) + extra
    # From the top of the figure down, so what a chart puts above its plot (panel titles, the
    # scatter's r and N) goes under the title's last line, however many lines it has.
    at_top = {"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 12}}
    fig.update_layout(title={"text": text, "x": 0} | at_top, margin={"t": top})
    if fig.layout.height:
        fig.update_layout(height=fig.layout.height + extra)


def empty_figure(title: str, message: str, height: int = 240) -> go.Figure:
    """A deliberate empty state: the chart's title and a sentence saying why it is empty."""
    fig = go.Figure()
    fig.add_annotation(
        text=message,
        showarrow=False,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        font={"size": 15, "color": "#777777"},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return styled(fig, title, height)


RATE_TICKS = [0, 20, 40, 60, 80, 100]
LABEL_ROOM = 120  # px beside a rate axis for bar labels such as "too few (n=2)"
DAY_MS = 86_400_000
SHORT_SERIES_DAYS = 28  # up to this span a date axis ticks whole days


def rate_axis(title: str) -> dict:
    """A percentage axis that stops at 100 % (labels past a bar's end go into the margin)."""
    return {"title": {"text": title}, "range": [0, 100], "tickvals": RATE_TICKS, "ticksuffix": " %"}


def count_axis(title: str, largest: float) -> dict:
    """A count axis with whole-number ticks from zero, never 0.2 steps."""
    step = max(1, math.ceil(float(largest or 0) / 5))
    return {
        "title": {"text": title},
        "rangemode": "tozero",
        "tickmode": "linear",
        "tick0": 0,
        "dtick": step,
        "tickformat": "d",
    }


def date_axis(title: str, days: pd.Series) -> dict:
    """A date axis that never shows clock times: a short series gets a few days either side
    and a tick per day (or every few days), a long one day-and-month ticks."""
    stamps = pd.to_datetime(days.dropna())
    axis: dict = {"title": {"text": title}, "tickformat": "%d %b"}
    if stamps.empty:
        return axis
    first, last = stamps.min(), stamps.max()
    span = (last - first).days
    if span <= SHORT_SERIES_DAYS:
        pad = pd.Timedelta(days=max(3, (7 - span) // 2 + 1))
        step = max(1, math.ceil((span + 2 * pad.days) / 10))
        axis |= {
            "range": [first - pad, last + pad],
            "tickmode": "linear",
            "tick0": first.normalize(),
            "dtick": step * DAY_MS,
        }
    return axis


def week_axis(title: str, weeks: pd.Series, most: int = 12) -> dict:
    """An axis of weeks ticked on their Mondays (every second, third… when there are many)."""
    mondays = sorted(pd.to_datetime(pd.Series(weeks).dropna()).unique())
    step = max(1, math.ceil(len(mondays) / most))
    ticks = mondays[::step]
    return {
        "title": {"text": title},
        "tickmode": "array",
        "tickvals": ticks,
        "ticktext": [f"{pd.Timestamp(t):%d %b}" for t in ticks],
    }


# Metric labels and changes wrap instead of ending in "…" in narrow cards (1024 px windows);
# pages pass it to st.html once.
WRAP_METRICS = """<style>
[data-testid="stMetricLabel"] *, [data-testid="stMetricDelta"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
[data-testid="stMetricLabel"], [data-testid="stMetricDelta"] { height: auto !important; }
</style>"""
