"""Outcomes of clients not on track, by homework done after the flag: chart and table.

DataFrame (`on_track_outcomes.outcome_by_completion`) in, plotly Figure or a table in words
out, without Streamlit. Every band shows its N; bands under 5 clients read "too few".
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.insight_charts import dose_response_chart
from dashboard.outcome_words import band_table
from dashboard.theme import empty_figure, title_text

AFTER_FLAG = "Homework done after the not-on-track flag"
ASSOCIATION = (
    "Association, not cause: clients who keep doing homework after falling behind may differ "
    "in other ways (severity, circumstances, motivation). This does not show that homework "
    "brought anyone back on track."
)


def on_track_homework_chart(bands: pd.DataFrame, measure: str) -> go.Figure:
    """Mean change and reliable improvement (95 % intervals) per completion band, among
    clients flagged not on track by week 4; an empty state when there is nothing to show."""
    title = f"Not on track by week 4: {measure} outcome by homework done after the flag"
    if bands.empty:
        return empty_figure(title, "Too little history for an expected response, so no flags.")
    fig = dose_response_chart(bands, measure)
    title_text(fig, title)
    fig.update_xaxes(title=AFTER_FLAG)
    return fig


def on_track_homework_table(bands: pd.DataFrame) -> pd.DataFrame:
    """The bands in words: N, mean change and reliable improvement with 95 % intervals,
    'too few (n=3)' under 5 clients."""
    return band_table(bands, AFTER_FLAG, "Mean change, + = better (95 % CI)")
