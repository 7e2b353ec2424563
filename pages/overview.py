"""Practice overview: is homework being set, is it being done, and is it small and doable?"""

import streamlit as st

from dashboard import practice_charts as charts
from dashboard.auth_ui import require_viewer
from dashboard.cache import page_data
from dashboard.db import engine
from dashboard.filters import filter_sidebar
from dashboard.on_track_ui import on_track_share
from dashboard.risk_ui import risk_list
from data_access.expected import on_track_summary
from data_access.practice import overview_data, previous_period

load = page_data("Adding up the practice's homework…")(overview_data)


load_on_track = page_data("Comparing clients with the expected course…")(on_track_summary)


viewer = require_viewer()
with engine().connect() as conn:
    filters = filter_sidebar(conn, viewer)
data = load(viewer, filters)

st.title("Practice overview")
scope = {"admin": "the whole practice", "supervisor": "you and your supervisees"}
before = previous_period(filters)
st.caption(
    f"{filters.start:%d %b %Y} – {filters.end:%d %b %Y} for "
    f"{scope.get(viewer.role, 'your own caseload')}, {filters.client_status} clients; "
    f"changes against {before.start:%d %b} – {before.end:%d %b %Y}."
)

risk_list(viewer)
on_track_share(load_on_track(viewer, filters))

cards = charts.headlines(data.current, data.previous)
for row in (cards[:4], cards[4:]):
    for column, card in zip(st.columns(4), row, strict=False):
        with column:
            st.metric(
                card.label,
                card.value,
                card.delta,
                delta_color=(
                    "off" if card.unchanged else "normal" if card.more_is_better else "inverse"
                ),
                delta_arrow="off" if card.unchanged else "auto",
                border=True,
            )
            st.caption(card.caption)

st.plotly_chart(charts.weekly_completion_figure(data.weekly), key="weekly")
st.caption(
    "Grey bars: assignments reviewed per week (right axis). Weeks with fewer than 5 reviewed "
    "show no rate, so a dip on low volume is not mistaken for a trend."
)
with st.expander("Weekly numbers"):
    st.dataframe(charts.weekly_display(data.weekly), hide_index=True)

left, right = st.columns(2)
left.plotly_chart(charts.type_mix_figure(data.mix.by_type), key="mix")
right.plotly_chart(
    charts.completion_by_group_figure(
        data.mix.by_type, "type", "Completion rate by type", "Homework type", horizontal=True
    ),
    key="by_type",
)
st.subheader("Small and doable?")
st.caption(
    "Completion by the difficulty the clinician expected (1 = very easy) and by the days "
    "allowed from setting to due date, in this practice's own data."
)
left, right = st.columns(2)
left.plotly_chart(
    charts.completion_by_group_figure(
        data.mix.by_difficulty,
        "difficulty",
        "Completion rate by expected difficulty",
        "Expected difficulty (1 = very easy, 5 = very hard)",
    ),
    key="by_difficulty",
)
right.plotly_chart(
    charts.completion_by_group_figure(
        data.mix.by_days,
        "days_allowed",
        "Completion rate by days allowed",
        "Days from setting to due date",
    ),
    key="by_days",
)
