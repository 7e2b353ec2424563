"""Data: record homework, sessions and scores; import a practice's files; export in scope.

Every write goes through data_access (checked first, one transaction, audited) and then clears
the page caches, so the charts on every page show the change at once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from dashboard.auth_ui import require_viewer
from dashboard.db import engine
from dashboard.navigation import PAGES_DIR
from data_access.csv_safe import to_safe_csv
from data_access.errors import DataError, NotInScope
from data_access.exporter import export_bytes
from data_access.formats import KIND_ORDER, KINDS
from data_access.importer import ImportResult, import_file, preview
from data_access.queries import assignment_types
from data_access.questionnaires import ITEMS
from data_access.recording import (
    REVIEW_STATUSES,
    FormError,
    own_client_codes,
    record_scores,
    record_session,
    review_assignment,
    reviewable_assignments,
    set_assignment,
)
from data_access.schema import ATTENDANCE, ITEM_MAX, MEASURES
from data_access.viewer import Viewer

DOCS = "docs/data-formats.md"
DATE_FORMAT = "YYYY-MM-DD"
FIELD_LABELS = {
    "type": "Type",
    "due_on": "Due date",
    "difficulty": "Difficulty",
    "instructions": "Instructions",
    "assigned_on": "Set on",
    "client": "Client",
    "status": "Status",
    "engagement": "Engagement",
    "reviewed_on": "Reviewed on",
    "held_on": "Session date",
    "attendance": "Attendance",
    "recorded_on": "Date",
    "scores": "Scores",
    "PHQ-9 items": "PHQ-9 items",
    "GAD-7 items": "GAD-7 items",
}
ENGAGEMENT_LABELS = {
    None: "not rated",
    0: "0 – not attempted",
    1: "1 – minimal",
    2: "2 – some effort",
    3: "3 – good",
    4: "4 – excellent",
}


def data_changed() -> None:
    """A write changed the data: drop cached page data so every chart re-reads it."""
    st.cache_data.clear()


def show_refusal(exc: DataError) -> None:
    """A refused form: one line per field, in words."""
    if isinstance(exc, FormError):
        for name, reason in exc.problems.items():
            st.error(f"**{FIELD_LABELS.get(name, name)}**: {reason}")
    elif isinstance(exc, NotInScope):
        st.error("This client is not available to you.")
    else:
        st.error(f"Not saved: {exc.reason}.")


def score_inputs(prefix: str) -> dict[str, int | None]:
    """One optional whole-number input per measure, labelled with its range."""
    columns = st.columns(len(MEASURES))
    values = {}
    for column, spec in zip(columns, MEASURES.values(), strict=True):
        values[spec.code] = column.number_input(
            f"{spec.code} ({spec.min_value}–{spec.max_value})",
            min_value=spec.min_value,
            max_value=spec.max_value,
            value=None,
            step=1,
            key=f"{prefix}_{spec.code}",
            help=spec.name,
        )
    return {k: (int(v) if v is not None else None) for k, v in values.items()}


def item_inputs(prefix: str) -> dict[str, list[int | None]]:
    """Optional PHQ-9 and GAD-7 item answers (0-3 each), folded away; blank means not given."""
    answers: dict[str, list[int | None]] = {}
    with st.expander("PHQ-9 / GAD-7 item answers (optional)"):
        st.caption(
            "0 not at all · 1 several days · 2 more than half the days · 3 nearly every day. "
            "Give all of a measure's items or none; they must add up to its score (leave the "
            "score empty to use their sum)."
        )
        for code, wordings in ITEMS.items():
            st.markdown(f"**{code}**")
            values = []
            for n, wording in enumerate(wordings, start=1):
                value = st.number_input(
                    f"{n}. {wording}", min_value=0, max_value=ITEM_MAX, value=None, step=1,
                    key=f"{prefix}_{code}_item_{n}",
                )  # fmt: skip
                values.append(int(value) if value is not None else None)
            answers[code] = values
    return answers


def record_section(viewer: Viewer, today: dt.date) -> None:
    """The four forms, for one of the viewer's own clients."""
    db = engine()
    with db.connect() as conn:
        codes = own_client_codes(conn, viewer)
        types = assignment_types(conn)["name"].tolist()
    if not codes:
        st.info(
            "You have no clients of your own, so there is nothing to record here. "
            "Homework, sessions and scores are recorded by each client's own clinician."
        )
        return
    wanted = st.query_params.get("client")
    code = st.selectbox(
        "Client",
        codes,
        index=codes.index(wanted) if wanted in codes else 0,
        help="Only your own clients: each client's record is kept by their clinician.",
    )
    st.page_link(
        st.Page(str(PAGES_DIR / "client.py"), url_path="client"),
        label=f"Progress page of {code}",
        query_params={"client": code},
        icon=":material/person:",
    )
    left, right = st.columns(2, gap="large")
    with left, st.form("set_homework"):
        st.subheader("Set homework")
        type_name = st.selectbox("Type", types)
        due_on = st.date_input("Due date", value=today + dt.timedelta(days=7), format=DATE_FORMAT)
        difficulty = st.select_slider(
            "Expected difficulty",
            options=[1, 2, 3, 4, 5],
            value=2,
            help="1 = very easy. Small, doable homework gets done.",
        )
        instructions = st.text_area("Instructions", max_chars=2000, height=100)
        if st.form_submit_button("Save homework", type="primary"):
            try:
                set_assignment(
                    db,
                    viewer,
                    client_code=code,
                    type_name=type_name,
                    due_on=due_on,
                    instructions=instructions,
                    difficulty=difficulty,
                    assigned_on=today,
                )
            except DataError as exc:
                show_refusal(exc)
            else:
                data_changed()
                st.success(f"Saved: {type_name} for {code}, due {due_on:%d %b %Y}.")

    with db.connect() as conn:
        homework = reviewable_assignments(conn, viewer, code)
    with right, st.form("review_homework"):
        st.subheader("Review homework")
        if not homework:
            st.caption(f"{code} has no homework yet.")
        choice = st.selectbox(
            "Homework",
            homework,
            format_func=lambda h: (
                f"{h['type']} · set {h['assigned_on']:%d %b} · due {h['due_on']:%d %b} "
                f"· {h['status'].replace('_', ' ')}"
            ),
        )
        status = st.radio(
            "Status",
            REVIEW_STATUSES,
            horizontal=True,
            format_func=lambda s: s.replace("_", " "),
        )
        engagement = st.selectbox(
            "Engagement (quality of the work)",
            list(ENGAGEMENT_LABELS),
            format_func=ENGAGEMENT_LABELS.get,
        )
        reviewed_on = st.date_input(
            "Reviewed on", value=today, key="reviewed_on", format=DATE_FORMAT
        )
        if st.form_submit_button("Save review", type="primary", disabled=not homework):
            try:
                review_assignment(
                    db,
                    viewer,
                    assignment_id=choice["id"],
                    status=status,
                    engagement=engagement,
                    reviewed_on=reviewed_on,
                    today=today,
                )
            except DataError as exc:
                show_refusal(exc)
            else:
                data_changed()
                st.success(
                    f"Saved: {choice['type']} reviewed as {status.replace('_', ' ')} "
                    f"on {reviewed_on:%d %b %Y}."
                )

    left, right = st.columns(2, gap="large")
    with left, st.form("record_session"):
        st.subheader("Record a session")
        held_on = st.date_input("Session date", value=today, key="held_on", format=DATE_FORMAT)
        attendance = st.radio(
            "Attendance",
            ATTENDANCE,
            horizontal=True,
            format_func=lambda a: a.replace("_", " "),
        )
        st.caption("Scores taken at the session (leave empty when not taken).")
        scores = score_inputs("session")
        items = item_inputs("session")
        if st.form_submit_button("Save session", type="primary"):
            try:
                record_session(
                    db,
                    viewer,
                    client_code=code,
                    held_on=held_on,
                    attendance=attendance,
                    scores=scores,
                    today=today,
                    items=items,
                )
            except DataError as exc:
                show_refusal(exc)
            else:
                data_changed()
                taken = ", ".join(f"{k} {v}" for k, v in scores.items() if v is not None)
                st.success(
                    f"Saved: session on {held_on:%d %b %Y} ({attendance.replace('_', ' ')})"
                    + (f" with {taken}." if taken else ".")
                )
    with right, st.form("record_scores"):
        st.subheader("Scores between sessions")
        recorded_on = st.date_input("Date", value=today, key="recorded_on", format=DATE_FORMAT)
        between = score_inputs("between")
        between_items = item_inputs("between")
        if st.form_submit_button("Save scores", type="primary"):
            try:
                record_scores(
                    db,
                    viewer,
                    client_code=code,
                    recorded_on=recorded_on,
                    scores=between,
                    today=today,
                    items=between_items,
                )
            except DataError as exc:
                show_refusal(exc)
            else:
                data_changed()
                st.success(f"Saved: scores on {recorded_on:%d %b %Y}.")


def show_check(result: ImportResult) -> None:
    """The summary of a checked file and, when there are problems, their table and download."""
    new, updated, unchanged, errors = st.columns(4)
    new.metric("New", f"{result.new:,}")
    updated.metric("Updated", f"{result.updated:,}")
    unchanged.metric("Unchanged", f"{result.unchanged:,}")
    errors.metric("Errors", f"{result.error_count:,}")
    if result.ok:
        return
    shown = len(result.problems)
    more = f" (the first {shown:,} are listed)" if shown < result.error_count else ""
    noun = "problem" if result.error_count == 1 else "problems"
    st.error(
        f"{result.error_count:,} {noun}{more}: nothing will be imported. "
        "Fix them in the file and upload it again."
    )
    problems = result.problems_frame()
    st.dataframe(problems, hide_index=True, width="stretch")
    st.download_button(
        "Download the problems (CSV)",
        to_safe_csv(problems),
        file_name=f"{result.kind}-problems.csv",
        mime="text/csv",
        on_click="ignore",
    )


def progress_to(bar):  # noqa: ANN001, ANN201 - a Streamlit progress element, a callback
    """The importer's progress callback, drawn on a Streamlit progress bar."""

    def progress(phase: str, done_rows: int, total: int) -> None:
        share = min(done_rows / total, 1.0) if total else 0.0
        bar.progress(share, text=f"{phase.capitalize()}: {done_rows:,} rows")

    return progress


def import_section(viewer: Viewer) -> None:
    """Upload → preview and check (nothing written) → confirm → one transaction."""
    kinds = list(KIND_ORDER) if viewer.is_admin else [k for k in KIND_ORDER if k != "clinicians"]
    limit = st.get_option("server.maxUploadSize")
    st.caption(
        "Import in this order: " + " → ".join(kinds) + ". Each file is checked in full first; "
        "nothing is written until you confirm, and then all rows are written or none. "
        "Importing the same file again changes nothing. "
        + ("" if viewer.is_admin else "You can import data of your own clients only. ")
        + f"Formats and examples: `{DOCS}`."
    )
    kind = st.selectbox("What the file holds", kinds, key="import_kind")
    st.caption("Columns: `" + ",".join(KINDS[kind]) + "`")
    upload = st.file_uploader(
        f"CSV (UTF-8, comma-separated) or Excel .xlsx file, up to {limit} MB",
        type=["csv", "xlsx"],
        key="import_file",
    )
    if upload is None:
        return
    data = upload.getvalue()
    fmt = "xlsx" if Path(upload.name).suffix.lower() == ".xlsx" else "csv"
    db = engine()
    key = (upload.file_id, kind)
    if st.session_state.get("import_checked", (None,))[0] != key:
        bar = st.progress(0.0, text="Checking every row…")
        result = import_file(
            db, kind, data, viewer=viewer, fmt=fmt, dry_run=True, progress=progress_to(bar)
        )
        bar.empty()
        st.session_state["import_checked"] = (key, result)
    result = st.session_state["import_checked"][1]

    st.markdown(f"**Preview of {upload.name}** (first rows as the file holds them)")
    rows = preview(data, fmt)
    if rows is None:
        st.caption("The file could not be read; see the problem below.")
    else:
        st.dataframe(rows, hide_index=True, width="stretch")
    show_check(result)
    if not result.ok:
        return
    done = st.session_state.get("import_done")
    if done and done[0] == key:
        st.success(f"Imported {done[1]}.")
        return
    if result.new + result.updated == 0:
        st.info("Every row is already in the database: there is nothing to import.")
        return
    if st.button(f"Import {result.rows:,} rows", type="primary"):
        bar = st.progress(0.0, text="Checking again, then writing…")
        written = import_file(db, kind, data, viewer=viewer, fmt=fmt, progress=progress_to(bar))
        bar.empty()
        if written.written:
            data_changed()
            st.session_state["import_done"] = (key, written.summary())
            st.success(f"Imported {written.summary()}.")
        else:
            st.error("The data changed since the check; nothing was written. Check it again.")
            show_check(written)


def export_section(viewer: Viewer) -> None:
    """One CSV download per kind, in the import format, limited to the viewer's scope."""
    scope = {
        "admin": "the whole practice",
        "supervisor": "your clients and those of the clinicians you supervise",
        "clinician": "your own clients",
    }[viewer.role]
    st.caption(
        f"Each file holds {scope}, in exactly the import format (it re-imports to the same "
        "data). Cells a spreadsheet would run as a formula are escaped with a leading "
        "apostrophe. Every download is recorded in the audit log."
    )
    db = engine()
    columns = st.columns(len(KIND_ORDER))
    for column, kind in zip(columns, KIND_ORDER, strict=True):
        column.download_button(
            f"{kind.capitalize()} (CSV)",
            data=lambda kind=kind: export_bytes(db, viewer, kind),
            file_name=f"{kind}.csv",
            mime="text/csv",
            on_click="ignore",
            key=f"export_{kind}",
            icon=":material/download:",
        )


viewer = require_viewer()
st.title("Data")
record_tab, import_tab, export_tab = st.tabs(["Record", "Import", "Export"])
with record_tab:
    record_section(viewer, dt.date.today())
with import_tab:
    import_section(viewer)
with export_tab:
    export_section(viewer)
