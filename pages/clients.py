"""My clients: the clinician's day at a glance, next session first (`clients?find=&when=`).

Thin by design: read the filters, call data_access.reads.my_clients (cached), draw one row per
client with words readable without hovering; each client code opens the client page.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from dashboard.auth_ui import require_viewer
from dashboard.cache import page_data
from dashboard.clinician_words import (
    WHEN_CHOICES,
    contact_cell,
    flags_cell,
    homework_cell,
    next_session_cell,
    score_cell,
    shown_rows,
)
from dashboard.navigation import PAGES_DIR
from dashboard.pager_ui import pager
from dashboard.paging import rows_of
from dashboard.plain_text import md, md_html
from data_access.reads.my_clients import my_clients

CLIENT_PAGE = str(PAGES_DIR / "client.py")
ROWS_PER_PAGE = 50  # a team of hundreds is searched (Find) or paged, never sent at once
WIDTHS = [1.3, 1.4, 2.2, 2.0, 1.7]
HEADINGS = (
    "Client, next session",
    "Last contact",
    "Homework since the last session",
    "PHQ-9 and GAD-7",
    "Flags",
)


# One's own caseload is light (it goes first when the server is busy); a supervisor's team is not.
load_own = page_data("Reading your caseload…", light=True)(my_clients)
load_team = page_data("Reading your team's caseload…")(my_clients)


def client_link(code: str) -> None:
    """The client code as a link to the client page, in this signed-in browser session."""
    try:
        st.page_link(CLIENT_PAGE, label=code, query_params={"client": code})
    except StreamlitPageNotFoundError:  # page run on its own, without the app's menu (AppTest)
        st.markdown(f"[{md(code)}](client?client={code})")


# On a narrow screen the columns stack: the heading row goes and each cell names itself.
NARROW_CSS = """<style>
@media (max-width: 640px) { .st-key-clients_head { display: none; } }
@media (min-width: 641px) { .bs-cell-label { display: none; } }
[class*="st-key-clients_row_"] { border-top: 1px solid rgba(128, 128, 128, 0.25); }
.bs-cell-label { color: rgba(128, 128, 128, 0.95); font-size: 0.85em; }
</style>"""


def cell(column, heading: str, text: str) -> None:  # noqa: ANN001 - a Streamlit column
    """One cell: its text, led on narrow screens by its column's heading."""
    column.markdown(
        f'<span class="bs-cell-label">{heading} · </span>{text}', unsafe_allow_html=True
    )


def draw_row(row: pd.Series, today: dt.date, team: bool) -> None:
    with st.container(key=f"clients_row_{row['client_id']}"):
        cells = st.columns(WIDTHS, vertical_alignment="center")
        with cells[0]:
            client_link(row["client_code"])
            cell(st, "Next session", next_session_cell(row, today))
            if team:
                st.caption(md(row["clinician"]))
        texts = (
            contact_cell(row),
            md_html(homework_cell(row, today)),
            f"PHQ-9 {score_cell(row, 'PHQ-9')}  \nGAD-7 {score_cell(row, 'GAD-7')}",
            flags_cell(row["flags"]),
        )
        for column, heading, text in zip(cells[1:], HEADINGS[1:], texts, strict=True):
            cell(column, heading, text)


viewer = require_viewer()
today = dt.date.today()
st.title("My clients")
controls = st.columns([1.2, 1.6, 1.2], vertical_alignment="bottom")
find = controls[0].text_input(
    "Find a client", key="find", placeholder="Type part of a code", max_chars=40
)
when = controls[1].segmented_control("Sessions", WHEN_CHOICES, default=WHEN_CHOICES[0], key="when")
team = viewer.role == "supervisor" and controls[2].toggle(
    "Include my team's clients", key="team", help="Your own clients and your supervisees'."
)
table = (load_team if team else load_own)(viewer, today, team=bool(team))
if table.empty:
    st.info(
        "You have no active clients yet. Once a client is yours (an admin adds clients on the "
        "Data page, Import tab, with a clients file), their next session, homework and scores "
        "show here, and each code opens their page."
        + (" Switch on *Include my team's clients* to see your team." if team is False else "")
    )
    st.stop()
rows = shown_rows(table, find, when or WHEN_CHOICES[0], today)
st.caption(
    f"{len(rows)} of {len(table)} active clients · today is {today:%a %d %b %Y} · next booked "
    "session first, then the most urgent. Click a code to open the client."
)
if rows.empty:
    st.info("No client matches: clear the search or choose *All*.")
    st.stop()
st.html(NARROW_CSS)
shown = pager(len(rows), ROWS_PER_PAGE, "clients_page", "clients, in this order")
with st.container(key="clients_head"):
    heads = st.columns(WIDTHS)
    for column, heading in zip(heads, HEADINGS, strict=True):
        column.markdown(f"**{heading}**")
for _, row in rows_of(rows, shown).iterrows():
    draw_row(row, today, bool(team))
