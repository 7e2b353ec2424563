"""Not on track on the practice pages: the share of active clients, and the clients by
clinician, each opening the client page."""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from dashboard.flag_words import not_on_track_share
from dashboard.pager_ui import pager
from dashboard.paging import rows_of
from dashboard.practice_charts import off_course_markdown
from dashboard.risk_ui import TABLE_CSS
from data_access.reads.expected import MIN_CLIENTS, OnTrackSummary

PER_PAGE = 50


def on_track_share(summary: OnTrackSummary) -> None:
    """The share of judged active clients not on track; it opens the list of them."""
    st.metric(
        "Active clients not on track",
        not_on_track_share(summary),
        help=(
            "From week 3 after the first PHQ-9/GAD-7: worse than three in four of this "
            "practice's clients who started at the same score were by then. Judged only with "
            f"{MIN_CLIENTS} or more clients with 3+ scores in the practice."
        ),
        border=True,
    )
    if not summary.off_course.empty:
        with st.expander(f"Open the {len(summary.off_course)} clients not on track"):
            on_track_clients(summary)


def on_track_clients(summary: OnTrackSummary, key: str = "on_track_page") -> None:
    """The not-on-track clients by clinician, each with the rule in numbers, PER_PAGE a page
    with the count in words."""
    off = summary.off_course.sort_values(["clinician", "client_code"])
    shown = pager(len(off), PER_PAGE, key, "clients not on track")
    st.html(TABLE_CSS)
    st.container(key="off_course_table").markdown(
        off_course_markdown(rows_of(off, shown), lambda c: f"client?client={quote(c)}")
    )
