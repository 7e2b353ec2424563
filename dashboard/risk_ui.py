"""The PHQ-9 risk item on screen: a red banner on the client page and a red list on top of the
practice pages. Read on every run, never from a cache, so a new risk item is never hidden."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from urllib.parse import quote

import pandas as pd
import streamlit as st

from dashboard.db import engine
from dashboard.flag_words import answer_words, risk_rule
from dashboard.practice_charts import risk_table_markdown
from data_access.access.viewer import Viewer
from data_access.reads.filters import Filters
from data_access.reads.risk import MAX_NOTE, open_risk_items, review_risk_item
from data_access.reads.scope import scope_of
from data_access.records.questionnaires import RISK_ITEM_WORDING
from data_access.store.errors import DataError

ICON = ":material/emergency:"
BOX_ROWS = 8  # more risk items than this scroll in a box
BOX_HEIGHT = 420
# Codes and the review column never break inside a word: "C-" over "0048" read as two things.
TABLE_CSS = """<style>
:is(.st-key-risk_table, .st-key-off_course_table, .st-key-client_list) td:first-child,
.st-key-risk_table td:last-child { white-space: nowrap; }
</style>"""


def risk_items(viewer: Viewer, client_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """The viewer's open risk items, read now (uncached)."""
    with engine().connect() as conn:
        return open_risk_items(conn, scope_of(conn, viewer, Filters()), client_ids)


def _reviewed_words(by: str, at: dt.datetime) -> str:
    return f"Reviewed by {by} on {at:%d %b %Y %H:%M}."


def risk_banner(viewer: Viewer, client_id: int) -> bool:
    """The client's open risk item as a red banner with its wording, answer and date; a form
    marks it reviewed (it stays, marked reviewed, until a newer PHQ-9 answers item 9 with 0).
    Returns whether there was one."""
    items = risk_items(viewer, [client_id])
    if items.empty:
        return False
    row = items.iloc[0]
    words = risk_rule(int(row["answer"]), row["recorded_on"])
    if row["reviewed"]:
        reviewed = _reviewed_words(row["reviewed_by"], row["reviewed_at"])
        st.error(f"**Risk item (reviewed)**: {words} {reviewed}", icon=ICON)
        if row["note"]:
            st.text(f"Review note: {row['note']}")  # plain text, never markdown
        return True
    st.error(f"**Risk item**: {words} Not reviewed yet.", icon=ICON)
    with st.form("risk_review", border=False):
        note = st.text_area(
            "Note (optional)", max_chars=MAX_NOTE, key="risk_note", placeholder="What was done"
        )
        if st.form_submit_button("Mark reviewed", type="primary"):
            try:
                review_risk_item(engine(), viewer, int(row["score_id"]), note)
            except DataError as exc:
                st.error(f"Not saved: {exc.reason}")
            else:
                st.cache_data.clear()
                st.rerun()
    return True


def risk_list(viewer: Viewer) -> None:
    """Every open risk item in the viewer's scope, above any other list and never paged: the
    count in words, then one table, unreviewed and the highest answer first; past a few rows it
    scrolls inside a box of fixed height instead of pushing the page down."""
    items = risk_items(viewer)
    if items.empty:
        return
    open_count = int((~items["reviewed"]).sum())
    st.error(
        f"**Risk items: {open_count} not reviewed, {len(items) - open_count} reviewed.** "
        "PHQ-9 item 9 answered 1 or more; shown whatever the dates and filters"
        + (f", all {len(items)} in the box below (scroll)." if len(items) > BOX_ROWS else "."),
        icon=ICON,
    )
    items = items.sort_values(
        ["reviewed", "answer", "recorded_on"], ascending=[True, False, False], kind="stable"
    )
    columns = ["client_code", "clinician", "answer", "recorded_on", "reviewed"]
    columns += ["reviewed_by", "reviewed_at"]
    # plain lists, not iterrows: a Series per row cost more than the query on every run
    rows = [
        (
            code,
            clinician,
            f'"{answer_words(int(answer))}" ({int(answer)} of 3) on {recorded_on:%d %b %Y}',
            _reviewed_words(by, at) if reviewed else None,
        )
        for code, clinician, answer, recorded_on, reviewed, by, at in zip(
            *(items[c].tolist() for c in columns), strict=True
        )
    ]
    item = f'PHQ-9 item 9, "{RISK_ITEM_WORDING}"'
    table = risk_table_markdown(rows, lambda code: f"client?client={quote(code)}", item)
    st.html(TABLE_CSS)
    height = BOX_HEIGHT if len(items) > BOX_ROWS else "content"
    st.container(height=height, key="risk_table").markdown(table)
