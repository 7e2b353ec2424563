"""Not on track on the practice pages: the share of active clients, and the clients by
clinician, each opening the client page."""

from __future__ import annotations

import streamlit as st

from dashboard.flag_words import not_on_track_share, off_course_rule
from dashboard.risk_ui import client_link
from data_access.reads.expected import MIN_CLIENTS, OnTrackSummary


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


def on_track_clients(summary: OnTrackSummary) -> None:
    """The not-on-track clients grouped by clinician, each with the rule in numbers."""
    for clinician, rows in summary.off_course.groupby("clinician", sort=True):
        st.markdown(f"**{clinician}** ({len(rows)})")
        for row in rows.itertuples():
            left, right = st.columns([1, 6], vertical_alignment="center")
            with left:
                client_link(row.client_code)
            right.caption(off_course_rule(row.measures))
