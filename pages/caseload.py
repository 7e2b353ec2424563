"""Caseload: per clinician, is homework set and done, and which clients need attention?"""

from urllib.parse import quote, urlencode

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from dashboard import practice_charts as charts
from dashboard.auth_ui import require_viewer
from dashboard.cache import figure, page_data
from dashboard.day_data import ATTENTION_ROWS_PER_PAGE, load_day, load_last_contact
from dashboard.db import engine
from dashboard.filters import filter_sidebar, scope_words
from dashboard.flag_words import FLAG_LABELS, FLAG_RULES, not_on_track_share
from dashboard.navigation import PAGES_DIR
from dashboard.on_track_ui import on_track_clients
from dashboard.pager_ui import pager
from dashboard.paging import rows_of
from dashboard.plain_text import md
from dashboard.risk_ui import risk_list
from data_access.access import audit
from data_access.access.viewer import Viewer
from data_access.reads.caseload import caseload_data, with_attention, with_contact
from data_access.reads.filters import Filters
from data_access.records.csv_safe import to_safe_csv

CLIENT_PAGE = str(PAGES_DIR / "client.py")
CLINICIANS_PER_PAGE = 25  # caseload table rows, and heatmap rows with them


load = page_data("Adding up the caseloads…")(caseload_data)


def period_params(filters: Filters) -> dict[str, str]:
    """The chosen dates as client-page parameters, so the client opens for the same period."""
    if filters.start and filters.end:
        return {"from": filters.start.isoformat(), "to": filters.end.isoformat()}
    return {}


def client_link(code: str, rules: str, filters: Filters) -> None:
    """A link to the client page for this period that stays in this signed-in browser session."""
    params = {"client": code, **period_params(filters)}
    try:
        st.page_link(CLIENT_PAGE, label=md(code), query_params=params, help=rules, width="stretch")
    except StreamlitPageNotFoundError:  # page run on its own, without the app's menu (AppTest)
        st.markdown(f"[{md(code)}](client?{urlencode(params)})", help=rules)


def pick_drill() -> None:
    """Keep the drill-down clinician in the URL (`drill=ID`), apart from the sidebar filter."""
    chosen = st.session_state["drill_clinician"]
    if chosen is None:
        st.query_params.pop("drill", None)
    else:
        st.query_params["drill"] = str(chosen)


def drill_param() -> int | None:
    """The drill-down clinician: the widget's choice once made on this page, else the URL's."""
    if "drill_clinician" in st.session_state:
        return st.session_state["drill_clinician"]
    raw = st.query_params.get("drill") or ""
    return int(raw) if raw.isdigit() else None


def attention_words(viewer: Viewer, day: Filters, attention: pd.DataFrame) -> list[dict]:
    """These rows of the needs-attention list in words, with their last session and score."""
    contact = load_last_contact(viewer, day, tuple(int(i) for i in attention["client_id"]))
    return charts.attention_rows(with_contact(attention, contact))


def export_flagged(viewer: Viewer, day: Filters, attention: pd.DataFrame) -> bytes:
    """The needs-attention CSV, made only when the button is pressed; the download (client-level
    data) is audited."""
    flagged = attention_words(viewer, day, attention)
    with engine().begin() as conn:
        audit.record(conn, viewer, "export", None, f"needs-attention list, {len(flagged)} clients")
    return to_safe_csv(pd.DataFrame(flagged))


viewer = require_viewer()
with engine().connect() as conn:
    filters = filter_sidebar(conn, viewer)
drill = drill_param() if viewer.sees_other_clinicians else None
if drill is None and len(filters.clinician_ids) == 1:  # a link filtered to one clinician
    drill = filters.clinician_ids[0]
day = filters.on_the_day()
today = load_day(viewer, day)
data = with_attention(load(viewer, filters, drill), today.attention)

st.title("Caseload")
st.caption(
    f"{filters.start:%d %b %Y} – {filters.end:%d %b %Y} for {scope_words(viewer, filters)}, "
    f"{filters.client_status} clients. Completion counts homework due in the period; "
    f"needs-attention flags are as of {filters.as_of:%d %b %Y}."
)

# --- One row per clinician, CLINICIANS_PER_PAGE a page; the heatmap draws the same page ------
if data.table.empty:
    st.info("No clients match these filters.")
    shown_clinicians: list[str] = []
else:
    sort = st.selectbox("Sort clinicians by", list(charts.CASELOAD_SORTS), key="caseload_sort")
    table = charts.sort_caseload(data.table, sort)
    shown = pager(len(table), CLINICIANS_PER_PAGE, "caseload_page", "clinicians")
    page_rows = rows_of(table, shown)
    shown_clinicians = list(page_rows["clinician"])
    st.dataframe(
        charts.caseload_display(page_rows),
        hide_index=True,
        key="caseload_table",
        height=35 * (len(page_rows) + 1) + 3,  # the page's rows without scrolling
    )
    st.caption(
        "Homework set: share of attended sessions at which homework was set (n = sessions). "
        "Completion: (completed + ½ partial) / reviewed (n = reviewed). Reliably improved: "
        "PHQ-9 or GAD-7 (n = clients with two or more scores in the period). Under 5: too few."
        + (" The download holds every clinician." if shown.pages > 1 else "")
    )
    st.download_button(
        "Download the caseload table (CSV)",
        lambda: to_safe_csv(table[charts.CSV_COLUMNS]),
        file_name=f"caseload_{filters.start}_{filters.end}.csv",
        mime="text/csv",
        on_click="ignore",
    )

st.plotly_chart(
    figure(charts.completion_heatmap_figure, data.heatmap, shown_clinicians), key="heatmap"
)
st.caption(
    "Each cell: completion (%) of homework due that week. 'few': fewer than 5 reviewed, too few "
    "for a rate (hover for the count); blank: nothing due."
    + (
        f" Rows: the clinicians of the table's page above ({shown.words('clinicians')}), in "
        "its order; choose another page or sort to see others."
        if not data.table.empty and shown.pages > 1
        else ""
    )
)

# --- Needs attention -----------------------------------------------------------------------
st.subheader(f"Needing attention ({len(data.attention)})")
risk_list(viewer)
with st.expander("What raises each flag"):
    for flag, label in FLAG_LABELS.items():
        st.markdown(f"**{label}**: {FLAG_RULES[flag]}")
if data.attention.empty:
    st.success("No active client in scope has a needs-attention flag.")
else:
    st.caption("Risk items first, then the most urgent flag: the first page is the worst.")
    shown = pager(
        len(data.attention), ATTENTION_ROWS_PER_PAGE, "attention_page", "clients needing attention"
    )
    widths = [1.1, 1.4, 2.2, 1.6, 1.6]
    header = st.columns(widths)
    for column, title in zip(
        header, ("Client", "Clinician", "Flags", "Last session", "Last score"), strict=True
    ):
        column.markdown(f"**{title}**")
    for row in attention_words(viewer, day, data.attention.iloc[shown.start : shown.stop]):
        cells = st.columns(widths, vertical_alignment="center")
        with cells[0]:
            client_link(row["Client"], row["Rules"], filters)
        cells[1].write(row["Clinician"])
        cells[2].write(row["Flags"])
        cells[3].write(row["Last session"])
        cells[4].write(row["Last score"])
    st.download_button(
        "Download the needs-attention list (CSV)",
        lambda: export_flagged(viewer, day, data.attention),
        file_name=f"needs_attention_{filters.as_of}.csv",
        mime="text/csv",
        on_click="ignore",
    )

# --- Not on track, for supervision -------------------------------------------------------------
st.subheader("Not on track, by clinician")
on_track = today.on_track
if on_track.off_course.empty:
    st.caption(f"Active clients not on track: {not_on_track_share(on_track)}.")
else:
    st.caption(
        f"Active clients not on track: {not_on_track_share(on_track)}. Worth a supervision look."
    )
    on_track_clients(on_track, "on_track_caseload_page")

# --- Drill-down ------------------------------------------------------------------------------
st.subheader("A clinician's clients")
if viewer.sees_other_clinicians and not data.table.empty:
    names = dict(zip(data.table["clinician_id"].astype(int), data.table["clinician"], strict=True))
    st.session_state["drill_clinician"] = drill if drill in names else None
    st.selectbox(
        "Drill down to a clinician",
        [None, *names],
        format_func=lambda cid: "No one chosen" if cid is None else names.get(cid, "?"),
        key="drill_clinician",
        placeholder="No one chosen",
        on_change=pick_drill,
        help="Lists the chosen clinician's clients below; the table above keeps everyone.",
    )
if data.clients is None:
    st.caption("Choose one clinician to see their clients' completion and latest change.")
elif data.clients.empty:
    st.info("This clinician has no clients in the period.")
else:
    period = "".join(f"&{k}={v}" for k, v in period_params(filters).items())
    st.dataframe(
        charts.clients_display(
            data.clients, link=lambda code: f"client?client={quote(code)}{period}"
        ),
        hide_index=True,
        key="drill_table",
        column_config={
            "Client": st.column_config.LinkColumn("Client", display_text=r"client=([^&]+)"),
            charts.DRILL_FLAGS: st.column_config.TextColumn(width="large"),
        },
    )
    st.caption(
        "Changes are from the first to the latest score in the period, in words (better or "
        "worse). Reliable change: PHQ-9 6 points, GAD-7 4 points. The outcome compares the "
        "period; the flags are as of today and look back over the whole course (e.g. "
        "deterioration since intake), so both can be true."
    )
