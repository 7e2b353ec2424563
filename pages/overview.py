"""Practice overview: is homework being set, is it being done, and is it small and doable?"""

from dataclasses import replace
from urllib.parse import quote

import streamlit as st

from dashboard import practice_charts as charts
from dashboard.auth_ui import require_viewer
from dashboard.cache import figure, page_data
from dashboard.day_data import load_day_counts
from dashboard.db import engine
from dashboard.filters import filter_sidebar, scope_words
from dashboard.on_track_ui import on_track_share
from dashboard.pager_ui import pager
from dashboard.paging import rows_of
from dashboard.risk_ui import risk_list
from dashboard.theme import WRAP_METRICS
from dashboard.words import LIST_NAMES, days_allowed_words, difficulty_words, list_details
from data_access.reads.client_lists import LISTS, headline_clients
from data_access.reads.flags import flagged_on
from data_access.reads.overview import overview_data
from data_access.reads.practice import previous_period

ROWS_PER_PAGE = 50
load = page_data("Adding up the practice's homework…")(overview_data)


load_flagged = page_data("Finding who needs attention…")(flagged_on)


load_list = page_data("Finding the clients…")(headline_clients)


def open_list(key: str | None) -> None:
    """Show (or, with None, close) the client list of one headline; the URL keeps it."""
    if key is None:
        st.query_params.pop("list", None)
    else:
        st.query_params["list"] = key


def client_list(key: str) -> None:
    """The clients behind one headline, each code a link to the client page for this period."""
    clients = load_list(viewer, filters, key)
    st.subheader(f"{LIST_NAMES[key]}: {len(clients)} clients", anchor="client-list")
    st.caption(
        f"The clients the “{LIST_NAMES[key]}” figure counts, with the same dates and filters; "
        "each code opens the client page for these dates."
    )
    st.button("Close the list", on_click=open_list, args=(None,), icon=":material/close:")
    if clients.empty:
        st.info("No clients are counted in this figure for these filters.")
        return
    period = f"&from={filters.start}&to={filters.end}" if filters.start and filters.end else ""
    shown = rows_of(clients, pager(len(clients), ROWS_PER_PAGE, "list_page", "clients"))
    shown = shown.assign(detail=list_details(key, shown))
    st.container(key="client_list").markdown(
        charts.client_list_markdown(shown, lambda code: f"client?client={quote(code)}{period}")
    )


viewer = require_viewer()
with engine().connect() as conn:
    filters = filter_sidebar(conn, viewer)
data = load(viewer, filters)

st.title("Practice overview")
st.html(WRAP_METRICS)
before = previous_period(filters)
st.caption(
    f"{filters.start:%d %b %Y} – {filters.end:%d %b %Y} for {scope_words(viewer, filters)}, "
    f"{filters.client_status} clients; changes against {before.start:%d %b} – "
    f"{before.end:%d %b %Y} (“before”). Each figure's button lists the clients it counts."
)

risk_list(viewer)
today = load_day_counts(viewer, filters.on_the_day())
on_track_share(today.on_track)

# Flagged clients are counted as of one day (today, the previous period's last day), not per
# period: cached on that day alone, a change of dates or status does not count them again.
# Today's are the rows of Caseload's needs-attention list, read once for both pages.
now = replace(data.current, flagged_clients=today.flagged)
then = data.previous and replace(
    data.previous, flagged_clients=load_flagged(viewer, before.on_the_day())
)
cards = charts.headlines(now, then)
# Three to a row: at 1024 px four cards cut their labels and changes short.
for row in (cards[:3], cards[3:6], cards[6:]):
    for column, card in zip(st.columns(3), row, strict=False):
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
            st.button(
                "Show these clients",
                key=f"list_{card.list_key}",
                on_click=open_list,
                args=(card.list_key,),
                type="tertiary",
                icon=":material/arrow_forward:",
                help=f"List the clients counted in “{LIST_NAMES[card.list_key]}”.",
            )

listed = st.query_params.get("list")
if listed in LISTS:
    client_list(listed)

st.plotly_chart(figure(charts.weekly_completion_figure, data.weekly), key="weekly")
st.caption(
    "Grey bars: assignments reviewed per week (right axis). Weeks with fewer than 5 reviewed "
    "show no rate, so a dip on low volume is not mistaken for a trend."
)
with st.expander("Weekly numbers"):
    st.dataframe(charts.weekly_display(data.weekly), hide_index=True)

left, right = st.columns(2)
left.plotly_chart(figure(charts.type_mix_figure, data.mix.by_type), key="mix")
right.plotly_chart(
    figure(
        charts.completion_by_group_figure,
        data.mix.by_type,
        "type",
        "Completion rate by type",
        "Homework type",
        horizontal=True,
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
    figure(
        charts.completion_by_group_figure,
        data.mix.by_difficulty.assign(
            difficulty=data.mix.by_difficulty["difficulty"].map(difficulty_words)
        ),
        "difficulty",
        "Completion rate by expected difficulty",
        "Expected difficulty (1 = very easy, 5 = very hard)",
    ),
    key="by_difficulty",
)
right.plotly_chart(
    figure(
        charts.completion_by_group_figure,
        data.mix.by_days.assign(
            days_allowed=data.mix.by_days["days_allowed"].map(days_allowed_words)
        ),
        "days_allowed",
        "Completion rate by days allowed",
        "Days from setting to due date",
    ),
    key="by_days",
)
