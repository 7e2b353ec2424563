"""The client page's charts: DataFrames from `data_access.reads.client_queries` in, Figures out.

No Streamlit here, so every figure is unit-tested on its own. Status is shown by colour, symbol
(or bar pattern) and name together; every chart has an empty state that says why it is empty.
"""

from __future__ import annotations

import datetime as dt
import html
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.theme import (
    IMPROVEMENT_BAND,
    MEASURE_COLOURS,
    SEVERITY_FILLS,
    STATUS_STYLE,
    count_axis,
    date_axis,
    empty_figure,
    rate_axis,
    styled,
    week_axis,
)
from dashboard.words import rate_labels
from data_access.reads.metrics import MIN_REVIEWED_FOR_RATE
from data_access.records.questionnaires import SEVERITY_BANDS, severity_spans
from data_access.store.schema import MEASURES

SHOWN_STATUSES = ("completed", "partial", "not_done", "overdue", "pending")
BAR_PATTERNS = {"completed": "", "partial": "/", "not_done": "x", "overdue": ".", "pending": "-"}
SESSION_STYLE = {
    "attended": {"symbol": "triangle-up", "label": "Session attended", "color": "#555555"},
    "no_show": {"symbol": "x-thin-open", "label": "Session missed (no-show)", "color": "#D55E00"},
    "cancelled": {"symbol": "circle-open", "label": "Session cancelled", "color": "#999999"},
}
MUTED = "#888888"
LEGEND_ROOM = {"t": 60}  # the title above the plot; the legend goes below it (theme.styled)


def _finish(fig: go.Figure, title: str, height: int) -> go.Figure:
    """The shared style, with room at the top for the title."""
    fig.update_layout(margin=LEGEND_ROOM)
    return styled(fig, title, height=height)


def _axis_title(measure: str) -> str:
    spec = MEASURES[measure]
    better = "higher is better" if spec.higher_is_better else "lower is better"
    return f"{measure} score ({spec.min_value}–{spec.max_value}, {better})"


def _add_sessions(fig: go.Figure, sessions: pd.DataFrame, y: float, **trace_kw: object) -> None:
    """Mark session dates along the bottom of the time axis, one symbol per attendance."""
    for attendance, style in SESSION_STYLE.items():
        days = sessions.loc[sessions["attendance"] == attendance, "held_on"]
        if days.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=list(days),
                y=[y] * len(days),
                mode="markers",
                name=style["label"],
                marker={"symbol": style["symbol"], "size": 9, "color": style["color"]},
                cliponaxis=False,
                hovertemplate=f"{style['label']}<br>%{{x|%a %d %b %Y}}<extra></extra>",
            ),
            **trace_kw,
        )


def _band(y0: float, y1: float, fill: str) -> dict:
    """A full-width horizontal band behind the traces (what `add_hrect` makes, without its cost)."""
    return {
        "type": "rect", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": y0, "y1": y1,
        "fillcolor": fill, "line": {"width": 0}, "layer": "below",
    }  # fmt: skip


def _label(text: str, y: float, right: bool, yanchor: str, size: int) -> dict:
    """Muted text at height `y`, against the plot's right or left edge."""
    return {
        "text": text, "xref": "x domain", "x": 1 if right else 0,
        "xanchor": "right" if right else "left", "yref": "y", "y": y, "yanchor": yanchor,
        "showarrow": False, "font": {"size": size, "color": MUTED},
    }  # fmt: skip


def _severity_bands(measure: str) -> tuple[list[dict], list[dict]]:
    """The measure's severity bands (PHQ-9, GAD-7) as shapes, each named on the right."""
    if measure not in SEVERITY_BANDS:
        return [], []
    shapes, labels = [], []
    for (low, top, name), fill in zip(severity_spans(measure), SEVERITY_FILLS, strict=False):
        y0 = low - 0.5 if low else low
        y1 = top + 0.5 if top < MEASURES[measure].max_value else top
        shapes.append(_band(y0, y1, fill))
        labels.append(_label(f"{name} {low}–{top}", (y0 + y1) / 2, True, "middle", 10))
    return shapes, labels


def add_severity_bands(fig: go.Figure, measure: str) -> None:
    """Shade and name the measure's severity bands (PHQ-9, GAD-7) behind everything else.

    Set as layout shapes in one update: `add_hrect` per band cost 60 ms of CPU per chart."""
    shapes, labels = _severity_bands(measure)
    if shapes:
        fig.update_layout(
            shapes=[*fig.layout.shapes, *shapes], annotations=[*fig.layout.annotations, *labels]
        )


def add_expected_band(fig: go.Figure, expected: pd.DataFrame) -> None:
    """The practice's expected course for this client: 10th-90th and 25th-75th percentile
    bands and the median, drawn first so the client's own line sits on top.

    `expected` is one measure's rows of expected.expected_course (on, p10 … p90).
    """
    if expected.empty:
        return
    x = list(expected["on"])
    for low, high, name, alpha in (
        ("p10", "p90", "Expected: 10th–90th (darker 25th–75th) percentile", 0.10),
        ("p25", "p75", "", 0.20),
    ):
        fig.add_trace(
            go.Scatter(
                x=x + x[::-1],
                y=list(expected[high]) + list(expected[low])[::-1],
                fill="toself",
                fillcolor=f"rgba(128, 128, 128, {alpha})",
                line={"width": 0},
                name=name,
                showlegend=bool(name),
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=expected["p50"],
            mode="lines",
            name="Expected median",
            line={"color": MUTED, "dash": "dot", "width": 2},
            customdata=expected["week"],
            hovertemplate="Week %{customdata}: expected median %{y:.1f}<extra></extra>",
        )
    )


def trend_figure(
    scores: pd.DataFrame,
    sessions: pd.DataFrame,
    measure: str,
    baseline: float | None = None,
    expected: pd.DataFrame | None = None,
) -> go.Figure:
    """One measure over time: scores, caseness line, the reliable-change band around
    `baseline` (when given), the practice's expected band (when given), a rolling mean for
    daily ratings, and session dates.

    `scores` has columns measure, recorded_on, value, rolling_mean (client_queries.score_series).
    """
    spec = MEASURES[measure]
    title = f"{measure}: {spec.name}"
    own = scores[scores["measure"] == measure]
    if own.empty:
        return empty_figure(title, f"No {measure} scores recorded yet in this period")
    daily = measure == "MOOD"
    fig = go.Figure()
    shapes, labels = _severity_bands(measure)
    if baseline is not None:
        low = max(spec.min_value, baseline - spec.reliable_change)
        high = min(spec.max_value, baseline + spec.reliable_change)
        shapes.append(_band(low, high, IMPROVEMENT_BAND))
        words = f"baseline {baseline:g} ± {spec.reliable_change}: no reliable change inside"
        labels.append(_label(words, high, False, "top", 11))
    if spec.caseness is not None:
        shapes.append(
            {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y",
             "y0": spec.caseness, "y1": spec.caseness, "line": {"color": MUTED, "dash": "dash"}}
        )  # fmt: skip
        # left: the severity bands name themselves on the right, and GAD-7's cut-off of 8
        # falls inside its "mild 5–9" band, where the two names overlapped
        labels.append(_label(f"caseness ≥ {spec.caseness}", spec.caseness, False, "top", 11))
    fig.update_layout(shapes=shapes, annotations=labels)  # one update: add_hrect costs 12 ms each
    if expected is not None:
        add_expected_band(fig, expected)
    colour = MEASURE_COLOURS[measure]
    fig.add_trace(
        go.Scatter(
            x=own["recorded_on"],
            y=own["value"],
            mode="markers" if daily else "lines+markers",
            name="Daily rating" if daily else f"{measure} score",
            marker={"color": colour, "size": 5 if daily else 8, "opacity": 0.45 if daily else 1},
            line={"color": colour, "width": 2},
            hovertemplate=f"{measure} %{{y}}<br>%{{x|%a %d %b %Y}}<extra></extra>",
        )
    )
    if daily:
        fig.add_trace(
            go.Scatter(
                x=own["recorded_on"],
                y=own["rolling_mean"],
                mode="lines",
                name="Mean of the last 7 ratings",
                line={"color": colour, "width": 3},
                hovertemplate="7-rating mean %{y:.1f}<br>%{x|%d %b %Y}<extra></extra>",
            )
        )
    pad = (spec.max_value - spec.min_value) * 0.06
    _add_sessions(fig, sessions, spec.min_value - pad)
    fig.update_yaxes(
        title_text=_axis_title(measure), range=[spec.min_value - 2 * pad, spec.max_value + pad]
    )
    fig.update_xaxes(date_axis("Date", pd.concat([own["recorded_on"], sessions["held_on"]])))
    fig = _finish(fig, title, 340 if expected is None or expected.empty else 380)
    if expected is not None and not expected.empty:
        fig.update_layout(margin={"t": 130})  # the legend's third row
    return fig


def _hover_text(frame: pd.DataFrame) -> list[str]:
    """Hover lines for an assignment: type, dates, status and the (escaped, wrapped) text."""
    lines = []
    for row in frame.itertuples():
        text = html.escape(row.instructions or "(no instructions)")
        wrapped = "<br>".join(textwrap.wrap(text, 60)[:6])
        reviewed = f"<br>Reviewed {row.reviewed_on:%d %b %Y}" if pd.notna(row.reviewed_on) else ""
        lines.append(
            f"<b>{html.escape(row.type)}</b> · {STATUS_STYLE[row.shown_status]['label']}"
            f"<br>Set {row.assigned_on:%d %b %Y}, due {row.due_on:%d %b %Y}{reviewed}"
            f"<br>{wrapped}"
        )
    return lines


def homework_timeline(assignments: pd.DataFrame, today: dt.date) -> go.Figure:
    """Every assignment at its due date, one row per type, marked by status (colour + symbol).

    `assignments` is client_queries.assignment_list.
    """
    title = "Homework timeline"
    if assignments.empty:
        return empty_figure(title, "No homework set in this period")
    types = list(dict.fromkeys(assignments.sort_values("due_on")["type"]))
    fig = go.Figure()
    for status in SHOWN_STATUSES:
        rows = assignments[assignments["shown_status"] == status]
        if rows.empty:
            continue
        style = STATUS_STYLE[status]
        fig.add_trace(
            go.Scatter(
                x=rows["due_on"],
                y=rows["type"],
                mode="markers",
                name=style["label"],
                marker={
                    "symbol": style["symbol"],
                    "color": style["color"],
                    "size": 13,
                    "line": {"width": 2, "color": style["color"]},
                },
                text=_hover_text(rows),
                hovertemplate="%{text}<extra></extra>",
            )
        )
    fig.add_vline(x=today, line_dash="dot", line_color=MUTED)
    fig.add_annotation(
        x=today, y=1, yref="paper", text="today", showarrow=False, yanchor="bottom",
        font={"size": 11, "color": MUTED},
    )  # fmt: skip
    fig.update_yaxes(title_text="Assignment type", categoryorder="array", categoryarray=types[::-1])
    fig.update_xaxes(date_axis("Due date", pd.concat([assignments["due_on"], pd.Series([today])])))
    return _finish(fig, title, 170 + 34 * len(types))


def _status_bars(fig: go.Figure, frame: pd.DataFrame, axis: str, **trace_kw: object) -> None:
    """Stacked bars of assignment counts by status (colour, pattern and name for each)."""
    for status in SHOWN_STATUSES:
        if not frame[status].any():
            continue
        style = STATUS_STYLE[status]
        values = frame[status]
        categories = frame[axis]
        fig.add_trace(
            go.Bar(
                x=values if axis == "type" else categories,
                y=categories if axis == "type" else values,
                orientation="h" if axis == "type" else "v",
                name=style["label"],
                marker={
                    "color": style["color"],
                    "pattern": {
                        "shape": BAR_PATTERNS[status],
                        "fillmode": "overlay",
                        "fgcolor": "rgba(0, 0, 0, 0.45)",
                    },
                },
                hovertemplate=f"{style['label']}: %{{{'x' if axis == 'type' else 'y'}}}"
                "<extra></extra>",
            ),
            **trace_kw,
        )


def weekly_completion_figure(weekly: pd.DataFrame) -> go.Figure:
    """Assignments per due week stacked by status, with the completion rate to date as a line.

    The to-date rate is drawn only from 5 reviewed assignments on (fewer read "too few").
    `weekly` is client_queries.weekly_completion.
    """
    title = "Homework week by week"
    if weekly.empty:
        return empty_figure(title, "No homework set in this period")
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    _status_bars(fig, weekly, "week", secondary_y=False)
    enough = weekly["cum_reviewed"] >= MIN_REVIEWED_FOR_RATE
    rate = (weekly["cum_rate"] * 100).where(enough)
    if enough.any():
        fig.add_trace(
            go.Scatter(
                x=weekly["week"],
                y=rate,
                mode="lines+markers",
                name="Completion rate to date",
                line={"color": "#0072B2", "width": 3},
                marker={"symbol": "square", "size": 7},
                text=rate_labels(weekly["cum_rate"], weekly["cum_reviewed"]),
                hovertemplate="Completion to date: %{text}<extra></extra>",
                cliponaxis=False,  # a 100 % week keeps its whole marker on the capped axis
            ),
            secondary_y=True,
        )
    fig.update_layout(barmode="stack", hovermode="x unified")
    fig.update_xaxes(week_axis("Week due (ticks on Mondays)", weekly["week"]))
    largest = weekly[list(SHOWN_STATUSES)].sum(axis=1).max()
    fig.update_yaxes(count_axis("Assignments due (count)", largest), secondary_y=False)
    fig.update_yaxes(
        rate_axis("Completion rate to date (%)") | {"showgrid": False}, secondary_y=True
    )
    if not enough.any():
        fig.add_annotation(
            text=f"Completion rate appears from {MIN_REVIEWED_FOR_RATE} reviewed assignments",
            xref="paper", yref="paper", x=0, y=1, showarrow=False, xanchor="left",
            font={"size": 11, "color": MUTED},
        )  # fmt: skip
    return _finish(fig, title, 340)


def type_mix_figure(types: pd.DataFrame) -> go.Figure:
    """How many of each type were set (stacked by status) and each type's completion rate.

    `types` is client_queries.type_mix; the rate label reads "too few (n=…)" under 5 reviewed.
    """
    # What the label beside each bar means goes in the title: under the plot, a phone's narrow
    # plot area (beside the type names) cut it off.
    title = "Kinds of homework set, with each one's completion (n reviewed)"
    if types.empty:
        return empty_figure(title, "No homework set in this period")
    fig = go.Figure()
    _status_bars(fig, types, "type")
    fig.add_trace(
        go.Scatter(
            x=types["set"],
            y=types["type"],
            mode="text",
            text=["  " + lab for lab in rate_labels(types["completion_rate"], types["reviewed"])],
            textposition="middle right",
            showlegend=False,
            hoverinfo="skip",
            cliponaxis=False,
        )
    )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title_text="", categoryorder="array", categoryarray=list(types["type"])[::-1])
    fig.update_xaxes(
        count_axis("Assignments set (count)", types["set"].max())
        # Room right of the longest bar for its "69 % (n=18)": on a phone, beside the type
        # names, the plot is about 170 px wide and 1.45 times the longest bar cut the label.
        | {"range": [0, types["set"].max() * 1.9]}
    )
    return _finish(fig, title, 170 + 38 * len(types))


def homework_and_scores_figure(joined: pd.DataFrame) -> go.Figure:
    """Week by week: homework done beside how each score moved since the previous week.

    `joined` is client_queries.homework_and_scores (counts, not rates: a week holds few tasks).
    """
    title = "Homework and scores together"
    change_columns = [c for c in joined.columns if c.endswith(" change")]
    has_changes = bool(change_columns) and bool(np.isfinite(joined[change_columns]).any().any())
    if joined.empty or (not joined["reviewed"].any() and not has_changes):
        return empty_figure(title, "Not enough reviewed homework or repeated scores yet")
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.45, 0.55]
    )
    fig.add_trace(
        go.Bar(
            x=joined["week"],
            y=joined["reviewed"],
            name="Reviewed",
            marker={"color": "rgba(0,0,0,0)", "line": {"color": MUTED, "width": 1.5}},
            hovertemplate="Reviewed: %{y}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=joined["week"],
            y=joined["credit"],
            name="Done (completed + ½ partial)",
            marker={"color": STATUS_STYLE["completed"]["color"]},
            hovertemplate="Done: %{y:g}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    symbols = {"PHQ-9": "circle", "GAD-7": "diamond", "MOOD": "square"}
    for column in change_columns:
        measure = column.removesuffix(" change")
        fig.add_trace(
            go.Scatter(
                x=joined["week"],
                y=joined[column],
                mode="lines+markers",
                connectgaps=True,
                name=f"{measure} change",
                line={"color": MEASURE_COLOURS.get(measure, MUTED), "width": 2},
                marker={"symbol": symbols.get(measure, "circle"), "size": 8},
                hovertemplate=f"{measure}: %{{y:+.1f}} points<extra></extra>",
            ),
            row=2,
            col=1,
        )
    fig.add_hline(y=0, line_color=MUTED, line_width=1, row=2, col=1)
    fig.update_layout(barmode="overlay", hovermode="x unified")
    fig.update_yaxes(count_axis("Assignments (count)", joined["reviewed"].max()), row=1, col=1)
    fig.update_yaxes(title_text="Weekly change<br>(points, + = better)", row=2, col=1)
    fig.update_xaxes(week_axis("Week (ticks on Mondays)", joined["week"]), row=2, col=1)
    fig.update_xaxes(week_axis("", joined["week"]), row=1, col=1)
    return _finish(fig, title, 440)
