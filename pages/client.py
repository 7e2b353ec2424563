"""Client progress: what a clinician looks at before a session (`client?client=CODE&from=&to=`).

Top first: "Since the last session", then Set homework beside what to set next, and a Review
control for each pending item due by today (the client's own clinician only), then the charts.
Thin by design: read the URL, call data_access (cached), draw with dashboard. Views and
exports are audited; out-of-scope clients are refused.
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress

import pandas as pd
import streamlit as st
from sqlalchemy import Connection
from streamlit.errors import StreamlitPageNotFoundError

from dashboard import client_charts as charts
from dashboard.auth_ui import require_viewer
from dashboard.cache import figure, page_data
from dashboard.clinician_words import (
    STATUS_WORDS,
    attendance_words,
    choice_label,
    day_words,
    suggestion_words,
    when_words,
)
from dashboard.db import engine
from dashboard.flag_words import flag_label, flag_rule, homework_beside_warning, why_no_band
from dashboard.homework_forms import (
    review_forms,
    set_homework_form,
    show_saved,
    undo_control,
)
from dashboard.navigation import PAGES_DIR
from dashboard.plain_text import md
from dashboard.risk_ui import risk_banner
from dashboard.theme import STATUS_STYLE, WRAP_METRICS
from dashboard.words import change_words, rate_label, split_rate, verdict_words
from data_access.access import audit
from data_access.access.viewer import Viewer
from data_access.reads import metrics
from data_access.reads.client_queries import ClientPage, client_page
from data_access.reads.expected import recent_homework
from data_access.reads.filters import Filters
from data_access.reads.flags import severity_rank
from data_access.reads.my_clients import client_choices
from data_access.reads.queries import assignment_types
from data_access.reads.since_last import SinceLast, Suggestion, since_last_session, what_to_set_next
from data_access.records.csv_safe import to_safe_csv
from data_access.records.questionnaires import severity
from data_access.records.recording import own_client_codes
from data_access.records.text_rules import code_problem
from data_access.store.errors import NotInScope
from data_access.store.schema import MEASURES

STATUS_MARKS = {
    "completed": "● Completed",
    "partial": "◆ Partial",
    "not_done": "✕ Not done",
    "overdue": "▲ Overdue",
    "pending": "○ Pending",
}
_AUDITED = "_client_page_audited"  # (action, code) pairs already written this browser session


@page_data()
def _choices(conn: Connection, viewer: Viewer, today: dt.date) -> pd.DataFrame:
    return client_choices(conn, viewer, today)


@page_data(light=True)
def _since(
    conn: Connection, viewer: Viewer, client_id: int, today: dt.date
) -> tuple[SinceLast, list[Suggestion], list[str], list[str]]:
    """Since the last session, what to set next, the homework catalogue and own clients."""
    return (
        since_last_session(conn, viewer, client_id, today),
        what_to_set_next(conn, viewer, client_id),
        assignment_types(conn)["name"].tolist(),
        own_client_codes(conn, viewer),
    )


@page_data("Loading the client…", light=True)
def _load(
    conn: Connection,
    viewer: Viewer,
    code: str,
    start: dt.date | None,
    end: dt.date | None,
    today: dt.date,
) -> ClientPage:
    return client_page(conn, viewer, code, Filters(start=start, end=end, today=today))


def _date_param(name: str) -> dt.date | None:
    """`?from=` / `?to=` as a date; anything else is dropped from the URL with a plain note."""
    raw = st.query_params.get(name)
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        st.warning(f"The link's '{name}' is not a date (YYYY-MM-DD), so it is left out.")
        st.query_params.pop(name, None)
        return None


def _url_window() -> tuple[dt.date | None, dt.date | None]:
    """The link's dates when they are in order; otherwise a plain note and the whole course."""
    start, end = _date_param("from"), _date_param("to")
    if start and end and start > end:
        st.warning("The link's 'from' date is after its 'to' date, so the whole course is shown.")
        _set_param("from", None)
        _set_param("to", None)
        return None, None
    return start, end


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


def _export(viewer: Viewer, code: str, export: pd.DataFrame) -> bytes:
    """The assignments CSV, made only when the button is pressed, and the download audited."""
    with engine().begin() as conn:
        audit.record(
            conn, viewer, "export", code, f"client page assignments CSV, {len(export)} rows"
        )
    return to_safe_csv(export)


def _pick_client(choices: pd.DataFrame, requested: str) -> str:
    """Sidebar picker over the viewer's clients (active first, with last session and a flag
    mark), kept in step with `?client=`."""
    codes = choices["client_code"].tolist()
    labels = dict(zip(codes, (choice_label(r) for _, r in choices.iterrows()), strict=True))
    picked = st.sidebar.selectbox(
        "Client (search by code)",
        codes,
        index=codes.index(requested) if requested in codes else None,
        format_func=labels.get,
        placeholder="Type a client code to search",
        help="Only your clients are listed: active first; ⚑ marks a needs-attention flag.",
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


def _title(page: ClientPage, viewer: Viewer) -> bool:
    """The client's code, then any PHQ-9 risk item (read uncached, first on the page), then
    clinician and intake; True when a risk item is shown."""
    h = page.header
    st.title(f"Client {md(h.client_code)}")
    risk_shown = risk_banner(viewer, h.client_id)
    ended = f" · discharged {h.discharged_on:%d %b %Y}" if h.status == "discharged" else ""
    st.caption(f"Clinician {md(h.clinician)} · intake {h.intake_on:%d %b %Y}{ended}")
    return risk_shown


def _score_line(row: pd.Series) -> str:
    band = metrics.severity_band(row["measure"], row["value"])
    change = "first score" if pd.isna(row["change"]) else change_words(float(row["change"]))
    return (
        f"{row['measure']} **{int(row['value'])}** {band} · {change} ({row['recorded_on']:%d %b})"
    )


def _since_last(page: ClientPage, since: SinceLast, today: dt.date, risk_shown: bool) -> None:
    """Last and next session, homework set at the last one, scores and no-shows since, flags."""
    st.subheader("Since the last session")
    when, homework, scores = st.columns([1.1, 1.8, 1.4])
    with when:
        last = (
            f"{day_words(since.last_session)} ({attendance_words(since.last_attendance)})"
            if since.last_session
            else "none yet"
        )
        st.markdown(
            f"**Last session:** {last}  \n**Next session:** {when_words(since.next_session, today)}"
        )
        for day in since.unrecorded:
            st.warning(f"Session of {day_words(day)} not recorded", icon=":material/event_busy:")
        if since.no_shows:
            st.markdown("**No-show since:** " + ", ".join(day_words(d) for d in since.no_shows))
    with homework:
        if since.last_attended is None:
            st.markdown("**Homework:** no session attended yet")
        elif since.homework.empty:
            st.markdown(f"**Homework set since {day_words(since.last_attended)}:** none")
        else:
            st.markdown(f"**Homework set since {day_words(since.last_attended)}:**")
            for item in since.homework.itertuples():
                line = _item_words(item, today)
                st.markdown(f"- {md(line)}")
    with scores:
        if since.scores.empty:
            st.markdown("**Scores since:** none recorded")
        else:
            st.markdown(
                "**Scores since:**  \n"
                + "  \n".join(_score_line(r) for _, r in since.scores.iterrows())
            )
    _flags(page, risk_shown)


def _item_words(item, today: dt.date) -> str:  # noqa: ANN001 - a row of SinceLast.homework
    """One homework item and its status: 'Thought Record — not reviewed yet, due 26 Nov'."""
    if item.status == "pending":
        due = "was due" if item.due_on < today else "due"
        return f"{item.type} — not reviewed yet, {due} {item.due_on.day} {item.due_on:%b}"
    return f"{item.type} — {STATUS_WORDS[item.status]}"


def _flags(page: ClientPage, risk_shown: bool) -> None:
    """The client's flags, worst first, each with the rule that raised it (a risk item is drawn
    above, uncached, so it is left out here)."""
    flags = page.flags[page.flags["flag"] != "risk_item"]
    if page.header.status == "discharged":
        st.info(
            "Discharged: needs-attention flags are raised only for active clients "
            "(a risk item is shown whatever the status)."
        )
    elif flags.empty and not risk_shown:
        st.success("No needs-attention flags today.")
    else:
        ranked = flags.assign(rank=flags["flag"].map(severity_rank))
        for flag in ranked.sort_values("rank").itertuples():
            label = flag_label(flag.flag, flag.reviewed)
            st.warning(f"**{label}**: {flag_rule(flag.flag, flag.facts)}", icon=":material/flag:")
            if flag.flag == "not_on_track":
                st.caption(homework_beside_warning(recent_homework(page.assignments)))


def _next_homework(
    viewer: Viewer, code: str, suggestions: list[Suggestion], types: list[str], today: dt.date
) -> None:
    """Set homework beside what to set next, then Review and Undo: no trip to the Data page."""
    form, ideas = st.columns([1.6, 1])
    with form:
        set_homework_form(viewer, code, types, today)
    with ideas:
        st.subheader("What to set next")
        st.caption("Suggestions from this client's own record, each with the rule behind it.")
        if not suggestions:
            st.markdown("Not enough reviewed homework yet to suggest anything.")
        for idea in suggestions:
            text, rule = suggestion_words(idea)
            st.markdown(f"- {md(text)}  \n  :grey[*Rule: {rule}*]")
    review_forms(viewer, code, today)
    undo_control(viewer)
    with suppress(StreamlitPageNotFoundError):  # the page run alone, as under AppTest
        st.page_link(
            str(PAGES_DIR / "data.py"),
            label=f"Record a session or scores for {code}, or book the next session",
            query_params={"client": code},
            icon=":material/edit_note:",
        )


def _blank_missing(values: pd.Series, missing: str) -> pd.Series:
    """Values as text, with `missing` in words instead of a literal "None" or "<NA>"."""
    return pd.Series(
        [missing if pd.isna(v) else str(v) for v in values], index=values.index, dtype=object
    )


def _header(page: ClientPage) -> None:
    h = page.header
    st.html(WRAP_METRICS)
    # A wrapping row: each value keeps its whole width, and on a narrow screen the next
    # figure moves to a new line instead of being cut off. The n of the completion rate sits in
    # its label, so the value itself stays short.
    value, n = split_rate(rate_label(page.homework_rate, page.homework_reviewed))
    with st.container(horizontal=True, wrap=True, gap="large"):
        st.metric("Status", h.status.capitalize(), width="content")
        st.metric("Weeks in treatment", h.weeks_in_treatment, width="content")
        st.metric(
            "Attended / missed",
            f"{h.sessions_attended} / {h.sessions_missed}",
            help=f"Sessions attended / missed (no-shows). Cancelled: {h.sessions_cancelled}.",
            width="content",
        )
        st.metric(
            f"Completion ({n})",
            value,
            help="Completion of homework due in the chosen dates: (completed + ½ partial) / "
            "reviewed, the rule every page uses; n = reviewed.",
            width="content",
        )
        st.metric("Assignments due in the dates", len(page.assignments), width="content")


def _headline(page: ClientPage, measure: str) -> float | None:
    """Baseline, latest, change and verdict beside a trend; returns the baseline for the band."""
    rows = page.headlines[page.headlines["measure"] == measure]
    if rows.empty:
        st.markdown(f"**No {measure} scores yet** in this period.")
        return None
    r = rows.iloc[0]
    st.metric("Baseline", int(r.baseline), help=f"First score, {r.baseline_on:%d %b %Y}")
    st.metric("Latest", int(r.latest), help=f"Most recent score, {r.latest_on:%d %b %Y}")
    band = severity(measure, int(r.latest))
    if band is not None:
        st.caption(f"Latest is in the **{band}** band.")
    if r.n_scores >= 2:
        st.metric("Change (points)", _words(r.change), help="From baseline to latest")
    scores = "1 score" if r.n_scores == 1 else f"{r.n_scores} scores"
    st.markdown(f"**{verdict_words(r.verdict).capitalize()}** ({scores})")
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
        expected = page.expected[page.expected["measure"] == measure]
        own = page.scores[page.scores["measure"] == measure]  # the cache hashes a third as much
        chart.plotly_chart(
            figure(charts.trend_figure, own, page.sessions, measure, band, expected),
            key=f"trend_{measure}",
        )
    if not page.expected.empty:
        st.caption(
            "Grey bands: how this practice's clients who started at the same score went on, "
            "week by week since their first score (middle half darker, 8 in 10 lighter, dotted "
            "median). Not on track: worse than three in four of them, from week 3."
        )
    for response in page.no_band:
        st.caption(why_no_band(response))


def _homework(page: ClientPage, today: dt.date) -> None:
    st.subheader("Homework")
    if page.assignments.empty:
        st.info("No homework set in this period.")
        if not page.scores.empty:
            st.plotly_chart(figure(charts.homework_and_scores_figure, page.homework_scores))
        return
    st.plotly_chart(figure(charts.homework_timeline, page.assignments, today), key="timeline")
    st.plotly_chart(figure(charts.weekly_completion_figure, page.weekly), key="weekly")
    st.plotly_chart(figure(charts.type_mix_figure, page.types), key="types")
    st.plotly_chart(figure(charts.homework_and_scores_figure, page.homework_scores), key="together")


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
        data=lambda: _export(viewer, code, export),
        file_name=f"{code}-assignments.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
    )


viewer = require_viewer()
today = dt.date.today()
requested = (st.query_params.get("client") or "").strip()
if requested and code_problem(requested):
    st.warning("The link's client code is not a valid code, so no client is picked.")
    requested = ""
code = _pick_client(_choices(viewer, today), requested)
if not code:
    st.title("Client")
    st.info("Pick a client in the sidebar (type to search by code).")
    st.stop()
try:
    page = _load(viewer, code, *_url_window(), today)
except NotInScope:
    st.title("Client")
    st.error("This client is not available. Pick one of your clients in the sidebar.")
    _audit_once(viewer, "denied", code)
    st.stop()
start, end = _date_window(page.header.intake_on, today)
page = _load(viewer, code, start, end, today)
_audit_once(viewer, "view_client", code)
since, suggestions, types, own = _since(viewer, page.header.client_id, today)
risk_shown = _title(page, viewer)
show_saved()
_since_last(page, since, today, risk_shown)
if code in own and page.header.status == "active":
    _next_homework(viewer, code, suggestions, types, today)
_header(page)
_trends(page)
_homework(page, today)
_table(page, viewer)
