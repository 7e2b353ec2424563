"""Client progress: what a clinician looks at before a session (`client?client=CODE&from=&to=`).

Thin by design: read the URL, call data_access.client_queries (cached), draw with
dashboard.client_charts. Views and exports are audited; out-of-scope clients are refused.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import client_charts as charts
from dashboard.auth_ui import require_viewer
from dashboard.db import engine
from dashboard.theme import STATUS_STYLE
from data_access import audit
from data_access.client_queries import ClientPage, client_page
from data_access.config import database_url
from data_access.csv_safe import to_safe_csv
from data_access.engine import get_engine
from data_access.errors import NotInScope
from data_access.filters import Filters
from data_access.queries import visible_clients
from data_access.schema import MEASURES
from data_access.viewer import Viewer

CACHE_SECONDS = 300
STATUS_MARKS = {
    "completed": "● Completed",
    "partial": "◆ Partial",
    "not_done": "✕ Not done",
    "overdue": "▲ Overdue",
    "pending": "○ Pending",
}
_AUDITED = "_client_page_audited"  # (action, code) pairs already written this browser session


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _client_codes(url: str, viewer: Viewer) -> list[str]:
    with get_engine(url).connect() as conn:
        return visible_clients(conn, viewer)["client_code"].tolist()


@st.cache_data(ttl=CACHE_SECONDS, show_spinner="Loading the client…")
def _load(
    url: str,
    viewer: Viewer,
    code: str,
    start: dt.date | None,
    end: dt.date | None,
    today: dt.date,
) -> ClientPage:
    with get_engine(url).connect() as conn:
        return client_page(conn, viewer, code, Filters(start=start, end=end, today=today))


def _date_param(name: str) -> dt.date | None:
    raw = st.query_params.get(name)
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _set_param(name: str, value: str | None) -> None:
    if value is None:
        st.query_params.pop(name, None)
    elif st.query_params.get(name) != value:
        st.query_params[name] = value


def _audit_once(viewer: Viewer, action: str, code: str) -> None:
    """Write `action` for `code` once per browser session (not on every rerun)."""
    done = st.session_state.setdefault(_AUDITED, set())
    if (action, code) in done:
        return
    with engine().begin() as conn:
        audit.record(conn, viewer, action, code[:40], "client page")
    done.add((action, code))


def _audit_export(viewer: Viewer, code: str, rows: int) -> None:
    with engine().begin() as conn:
        audit.record(conn, viewer, "export", code, f"client page assignments CSV, {rows} rows")


def _pick_client(codes: list[str], requested: str) -> str:
    """Sidebar picker over the viewer's clients, kept in step with `?client=`."""
    picked = st.sidebar.selectbox(
        "Client (search by code)",
        codes,
        index=codes.index(requested) if requested in codes else None,
        placeholder="Type a client code to search",
        help="Only your clients are listed.",
    )
    if picked and picked != requested:
        _set_param("client", picked)
        return picked
    return requested


def _date_window(intake: dt.date, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """Sidebar From/To dates, kept in `?from=&to=`; absent means the whole course."""
    start, end = _date_param("from"), _date_param("to")
    if (start or end) and st.sidebar.button("Show the whole course"):
        start = end = None
    low = min(intake, today)
    new_start = st.sidebar.date_input("From", min(start or low, today), max_value=today)
    new_end = st.sidebar.date_input("To", min(end or today, today), max_value=today)
    start = None if new_start == low else new_start
    end = None if new_end == today else new_end
    if start and end and start > end:
        st.sidebar.warning("From is after To: the dates were swapped.")
        start, end = end, start
    _set_param("from", start.isoformat() if start else None)
    _set_param("to", end.isoformat() if end else None)
    return start, end


def _words(change: float) -> str:
    if change > 0:
        return f"{change:g} better"
    if change < 0:
        return f"{-change:g} worse"
    return "none"


def _blank_missing(values: pd.Series, missing: str) -> pd.Series:
    """Values as text, with `missing` in words instead of a literal "None" or "<NA>"."""
    return pd.Series(
        [missing if pd.isna(v) else str(v) for v in values], index=values.index, dtype=object
    )


def _header(page: ClientPage) -> None:
    h = page.header
    st.title(f"Client {h.client_code}")
    ended = f" · discharged {h.discharged_on:%d %b %Y}" if h.status == "discharged" else ""
    st.caption(f"Clinician {h.clinician} · intake {h.intake_on:%d %b %Y}{ended}")
    # Short values with the N in the label, in two rows, so nothing is cut off at 1024 px.
    value, _, n = page.homework_summary.partition(" (")
    top = st.columns(3)
    top[0].metric("Status", h.status.capitalize())
    top[1].metric("Weeks in treatment", h.weeks_in_treatment)
    top[2].metric(
        "Attended / missed",
        f"{h.sessions_attended} / {h.sessions_missed}",
        help=f"Sessions attended / missed (no-shows). Cancelled: {h.sessions_cancelled}.",
    )
    bottom = st.columns(3)
    bottom[0].metric(
        f"Completion ({n}" if n else "Completion",
        value,
        help="Completion of homework due in the chosen dates: (completed + ½ partial) / "
        "reviewed, the rule every page uses; n = reviewed.",
    )
    bottom[1].metric("Assignments due in the dates", len(page.assignments))
    if h.status == "discharged":
        st.info("Discharged: needs-attention flags are raised only for active clients.")
    elif page.flags.empty:
        st.success("No needs-attention flags today.")
    else:
        for flag in page.flags.itertuples():
            st.warning(f"**{flag.label}**: {flag.rule}", icon=":material/flag:")


def _headline(page: ClientPage, measure: str) -> float | None:
    """Baseline, latest, change and verdict beside a trend; returns the baseline for the band."""
    rows = page.headlines[page.headlines["measure"] == measure]
    if rows.empty:
        st.markdown(f"**No {measure} scores yet** in this period.")
        return None
    r = rows.iloc[0]
    st.metric("Baseline", int(r.baseline), help=f"First score, {r.baseline_on:%d %b %Y}")
    st.metric("Latest", int(r.latest), help=f"Most recent score, {r.latest_on:%d %b %Y}")
    if r.n_scores >= 2:
        st.metric("Change (points)", _words(r.change), help="From baseline to latest")
    scores = "1 score" if r.n_scores == 1 else f"{r.n_scores} scores"
    st.markdown(f"**{r.verdict.capitalize()}** ({scores})")
    cutoff = MEASURES[measure].caseness
    if cutoff is not None:
        st.caption(
            f"Caseness ≥ {cutoff}; reliable change ≥ {MEASURES[measure].reliable_change} points."
        )
    return float(r.baseline)


def _trends(page: ClientPage) -> None:
    st.subheader("Mood and symptoms")
    if page.scores.empty:
        st.info("No mood or symptom scores recorded yet in this period.")
        return
    for measure in ("PHQ-9", "GAD-7", "MOOD"):
        chart, numbers = st.columns([3, 1], vertical_alignment="center")
        with numbers:
            baseline = _headline(page, measure)
        band = baseline if MEASURES[measure].caseness is not None else None
        chart.plotly_chart(
            charts.trend_figure(page.scores, page.sessions, measure, band),
            key=f"trend_{measure}",
        )


def _homework(page: ClientPage, today: dt.date) -> None:
    st.subheader("Homework")
    if page.assignments.empty:
        st.info("No homework set in this period.")
        if not page.scores.empty:
            st.plotly_chart(charts.homework_and_scores_figure(page.homework_scores))
        return
    st.plotly_chart(charts.homework_timeline(page.assignments, today), key="timeline")
    st.plotly_chart(charts.weekly_completion_figure(page.weekly), key="weekly")
    st.plotly_chart(charts.type_mix_figure(page.types), key="types")
    st.plotly_chart(charts.homework_and_scores_figure(page.homework_scores), key="together")


def _table(page: ClientPage, viewer: Viewer) -> None:
    st.subheader("Assignments")
    frame = page.assignments
    if frame.empty:
        st.info("No assignments in this period.")
        return
    left, right = st.columns(2)
    statuses = left.multiselect(
        "Status",
        [s for s in STATUS_MARKS if s in set(frame["shown_status"])],
        format_func=lambda s: STATUS_STYLE[s]["label"],
        placeholder="All statuses",
    )
    types = right.multiselect("Type", sorted(frame["type"].unique()), placeholder="All types")
    if statuses:
        frame = frame[frame["shown_status"].isin(statuses)]
    if types:
        frame = frame[frame["type"].isin(types)]
    shown = pd.DataFrame(
        {
            "Due": frame["due_on"],
            "Set": frame["assigned_on"],
            "Type": frame["type"],
            "Status": frame["shown_status"].map(STATUS_MARKS),
            "Difficulty (1–5)": _blank_missing(frame["difficulty"], "not rated"),
            "Engagement (0–4)": _blank_missing(frame["engagement"], "not rated"),
            "Reviewed": _blank_missing(frame["reviewed_on"], "not yet"),
            "Instructions": frame["instructions"].fillna(""),
        }
    )
    st.dataframe(shown, hide_index=True)
    code = page.header.client_code
    export = frame.assign(status=frame["shown_status"]).drop(columns=["shown_status"])
    export.insert(0, "client_code", code)
    st.download_button(
        f"Download these {len(export)} assignments (CSV)",
        data=to_safe_csv(export),
        file_name=f"{code}-assignments.csv",
        mime="text/csv",
        on_click=_audit_export,
        args=(viewer, code, len(export)),
        icon=":material/download:",
    )


viewer = require_viewer()
today = dt.date.today()
url = database_url()
requested = (st.query_params.get("client") or "").strip()
code = _pick_client(_client_codes(url, viewer), requested)
if not code:
    st.title("Client")
    st.info("Pick a client in the sidebar (type to search by code).")
    st.stop()
try:
    page = _load(url, viewer, code, _date_param("from"), _date_param("to"), today)
except NotInScope:
    st.title("Client")
    st.error("This client is not available. Pick one of your clients in the sidebar.")
    _audit_once(viewer, "denied", code)
    st.stop()
start, end = _date_window(page.header.intake_on, today)
page = _load(url, viewer, code, start, end, today)
_audit_once(viewer, "view_client", code)
_header(page)
_trends(page)
_homework(page, today)
_table(page, viewer)
