"""Charts for the overview and caseload pages: DataFrame in, plotly Figure out, no Streamlit.

Every completion rate is drawn only where at least MIN_REVIEWED_FOR_RATE assignments were
reviewed; smaller groups keep their place on the axis with the words "too few (n=…)", so a
dip on low volume is never mistaken for a trend.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.theme import OKABE_ITO, empty_figure, styled
from data_access.metrics import MIN_REVIEWED_FOR_RATE, rate_label

RATE_AXIS = "Completion rate (%)"
BAR_COLOUR = "rgba(153, 153, 153, 0.45)"  # reviewed-count bars sit quietly behind the rate
RATE_COLOUR = OKABE_ITO[0]
# Cividis: ordered, readable with every common colour-vision deficiency, light and dark.
HEATMAP_SCALE = "Cividis"


def _shown_rate(frame: pd.DataFrame) -> pd.Series:
    """Completion rate in %, NaN where too few assignments were reviewed to show one."""
    enough = frame["reviewed"] >= MIN_REVIEWED_FOR_RATE
    return (frame["completion_rate"].astype(float) * 100).where(enough)


def _labels(frame: pd.DataFrame) -> list[str]:
    """`rate_label` for every row: '67 % (n=12)' or 'too few (n=3)'."""
    return [
        rate_label(rate, int(n))
        for rate, n in zip(frame["completion_rate"], frame["reviewed"], strict=True)
    ]


def weekly_completion_figure(weekly: pd.DataFrame) -> go.Figure:
    """Completion rate per due week as a line, over bars of the reviewed count per week."""
    title = "Completion rate by week due"
    if weekly.empty or weekly["assignments"].sum() == 0:
        return empty_figure(title, "No homework was due in this period.")
    frame = weekly.sort_values("due_week")
    weeks = pd.to_datetime(frame["due_week"])
    labels = _labels(frame)
    fig = go.Figure()
    fig.add_bar(
        x=weeks,
        y=frame["reviewed"],
        name="Reviewed assignments (n)",
        marker_color=BAR_COLOUR,
        yaxis="y2",
        hovertemplate="Week of %{x|%d %b %Y}<br>%{y} reviewed<extra></extra>",
    )
    fig.add_scatter(
        x=weeks,
        y=_shown_rate(frame),
        name=f"Completion rate (weeks with ≥{MIN_REVIEWED_FOR_RATE} reviewed)",
        mode="lines+markers",
        line={"color": RATE_COLOUR, "width": 2.5},
        marker={"size": 8, "symbol": "circle"},
        customdata=labels,
        hovertemplate="Week of %{x|%d %b %Y}<br>%{customdata}<extra></extra>",
        connectgaps=False,
    )
    few = frame["reviewed"] < MIN_REVIEWED_FOR_RATE
    if few.any():
        fig.add_scatter(
            x=weeks[few],
            y=np.full(int(few.sum()), 2.0),
            name=f"Too few reviewed (<{MIN_REVIEWED_FOR_RATE})",
            mode="markers",
            marker={"symbol": "x-thin-open", "size": 10, "color": OKABE_ITO[7]},
            customdata=[label for label, f in zip(labels, few, strict=True) if f],
            hovertemplate="Week of %{x|%d %b %Y}<br>%{customdata}<extra></extra>",
        )
    fig.update_layout(
        xaxis={"title": {"text": "Week due (starting Monday)"}},
        yaxis={"title": {"text": RATE_AXIS}, "range": [0, 105], "ticksuffix": " %"},
        yaxis2={
            "title": {"text": "Reviewed assignments (n)"},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
        },
        bargap=0.25,
    )
    return styled(fig, title, height=380)


def type_mix_figure(by_type: pd.DataFrame) -> go.Figure:
    """Share of all assignments due in the period, by type (horizontal bars, with counts)."""
    title = "Mix of homework types"
    if by_type.empty or by_type["assignments"].sum() == 0:
        return empty_figure(title, "No homework was due in this period.")
    frame = by_type.sort_values("assignments")
    share = frame["share"].astype(float) * 100
    fig = go.Figure(
        go.Bar(
            x=share,
            y=frame["type"],
            orientation="h",
            marker_color=OKABE_ITO[4],
            text=[f"{s:.0f} % (n={n})" for s, n in zip(share, frame["assignments"], strict=True)],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text} of all assignments<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis={"title": {"text": "Share of assignments (%)"}, "ticksuffix": " %"},
        yaxis={"title": {"text": ""}},
        showlegend=False,
    )
    fig.update_xaxes(range=[0, max(share.max() * 1.3, 10)])
    return styled(fig, title, height=max(260, 40 * len(frame) + 80))


def completion_by_group_figure(
    frame: pd.DataFrame, key: str, title: str, axis_title: str
) -> go.Figure:
    """Completion rate per group (type, difficulty, days allowed), every bar labelled with N.

    Groups with too few reviewed assignments keep their place with a "too few" label only.
    """
    if frame.empty or frame["reviewed"].sum() == 0:
        return empty_figure(title, "No reviewed homework in this period.")
    rates = _shown_rate(frame)
    labels = _labels(frame)
    categories = [str(value) for value in frame[key]]
    fig = go.Figure(
        go.Bar(
            x=categories,
            y=rates.fillna(0),
            marker_color=[OKABE_ITO[2] if pd.notna(r) else BAR_COLOUR for r in rates],
            marker_pattern_shape=["" if pd.notna(r) else "/" for r in rates],
            text=labels,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis={"title": {"text": axis_title}, "type": "category"},
        yaxis={"title": {"text": RATE_AXIS}, "range": [0, 115], "ticksuffix": " %"},
        showlegend=False,
    )
    return styled(fig, title, height=340)


def completion_heatmap_figure(heatmap: pd.DataFrame) -> go.Figure:
    """Completion rate per clinician (rows) and due week (columns); blank cells read "too few"."""
    title = "Completion rate by clinician and week due"
    if heatmap.empty or heatmap["assignments"].sum() == 0:
        return empty_figure(title, "No homework was due in this period.")
    frame = heatmap.assign(
        rate=_shown_rate(heatmap),
        label=_labels(heatmap),
        week=pd.to_datetime(heatmap["due_week"]),
    )
    rates = frame.pivot_table(index="clinician", columns="week", values="rate", aggfunc="first")
    weeks = sorted(frame["week"].unique())
    clinicians = sorted(frame["clinician"].unique(), reverse=True)  # A at the top
    rates = rates.reindex(index=clinicians, columns=weeks)
    text = (
        frame.pivot_table(index="clinician", columns="week", values="label", aggfunc="first")
        .reindex(index=clinicians, columns=weeks)
        .fillna("nothing due")
    )
    short = text.map(lambda s: "few" if s.startswith("too few") else s.split(" (")[0])
    fig = go.Figure(
        go.Heatmap(
            z=rates.to_numpy(),
            x=weeks,
            y=clinicians,
            zmin=0,
            zmax=100,
            colorscale=HEATMAP_SCALE,
            colorbar={"title": {"text": "Completion (%)"}, "ticksuffix": " %"},
            text=short.to_numpy(),
            texttemplate="%{text}",
            customdata=text.to_numpy(),
            hovertemplate="%{y}, week of %{x|%d %b %Y}<br>%{customdata}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    fig.update_layout(
        xaxis={"title": {"text": "Week due (starting Monday)"}, "showgrid": False},
        yaxis={"title": {"text": ""}, "showgrid": False},
    )
    return styled(fig, title, height=max(280, 34 * len(clinicians) + 140))
