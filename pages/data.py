"""Data: record homework, sessions and scores; import a practice's files; export in scope.

Every write goes through data_access (checked by entry_rules first, one transaction, audited)
and raises the data version, so the charts on every page, in every app process, show the change
at once. A save during a database fault says it was not saved and leaves what was typed in the
form. The homework forms are the client page's (dashboard.homework_forms); `?client=` picks the
client.
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from dashboard.auth_ui import require_viewer
from dashboard.clinician_words import choice_label
from dashboard.db import engine
from dashboard.fault_ui import remembered
from dashboard.homework_forms import (
    DATE_FORMAT,
    review_forms,
    saved,
    set_homework_form,
    show_refusal,
    show_saved,
    undo_control,
)
from dashboard.navigation import PAGES_DIR
from data_access.access.viewer import Viewer
from data_access.reads.my_clients import client_choices
from data_access.reads.queries import assignment_types
from data_access.records.csv_safe import to_safe_csv
from data_access.records.exporter import export_bytes
from data_access.records.formats import KIND_ORDER, KINDS
from data_access.records.import_reading import preview
from data_access.records.import_result import ImportResult
from data_access.records.importer import import_file
from data_access.records.questionnaires import ITEMS
from data_access.records.recording import FormError, own_client_codes, record_scores, record_session
from data_access.store.errors import DataError
from data_access.store.schema import ATTENDANCE, ITEM_MAX, MEASURES

DOCS = "docs/data-formats.md"
ATTENDANCE_HELP = (
    "Scheduled books a session ahead (it may be in the future); record attended, cancelled or "
    "no-show on the day, and a booking on that day is filled in."
)


def score_inputs(prefix: str, problems: dict[str, str]) -> dict[str, int | None]:
    """One optional whole-number input per measure, labelled with its range; a refused value
    is said in words right under its field."""
    columns = st.columns(len(MEASURES))
    values = {}
    for column, spec in zip(columns, MEASURES.values(), strict=True):
        values[spec.code] = column.number_input(
            f"{spec.code} ({spec.min_value}–{spec.max_value})",
            value=None,
            step=1,
            key=f"{prefix}_{spec.code}",
            help=spec.name,
        )
        if spec.code in problems:
            column.error(problems[spec.code], icon=":material/error:")
    return {k: (int(v) if v is not None else None) for k, v in values.items()}


def _problems(key: str) -> dict[str, str]:
    return st.session_state.get(f"{key}_problems", {})


def _refused(key: str, exc: DataError) -> None:
    """Keep a form's problems and draw it again: each score's beside its field, the rest
    above the form's button (`_other_problems`)."""
    if not isinstance(exc, FormError):
        show_refusal(exc)
        return
    st.session_state[f"{key}_problems"] = exc.problems
    st.rerun()


def _other_problems(key: str) -> None:
    """The kept problems of a refused form that belong to no score field."""
    problems = _problems(key)
    others = {k: v for k, v in problems.items() if k not in MEASURES}
    if others:
        show_refusal(FormError(key, others))


_PICKED = "record_client"  # the picked client code
_LINKED = "record_client_linked"  # the code the link (`?client=`) named when last seen


def pick_own_client(viewer: Viewer, today: dt.date) -> str:
    """The client picker (active first, last session, flag mark), kept in `?client=`."""
    def read() -> pd.DataFrame:
        with engine().connect() as conn:
            return client_choices(conn, viewer, today, own=True)

    choices = remembered("record_client_choices", read)
    ordered = choices["client_code"].tolist()
    labels = dict(zip(ordered, (choice_label(r) for _, r in choices.iterrows()), strict=True))
    # The choice lives in session state under one key, seeded from the link: a widget whose
    # index followed the URL changed identity when the URL did, and dropped the person's pick.
    wanted = st.query_params.get("client")
    if wanted in ordered and st.session_state.get(_LINKED) != wanted:
        st.session_state[_PICKED] = wanted
    if st.session_state.get(_PICKED) not in ordered:
        st.session_state[_PICKED] = ordered[0]
    code = st.selectbox(
        "Client",
        ordered,
        key=_PICKED,
        format_func=lambda c: labels.get(c, c),
        help="Only your own clients: each client's record is kept by their clinician.",
    )
    st.session_state[_LINKED] = code
    if st.query_params.get("client") != code:
        st.query_params["client"] = code
    return code
def item_keys(prefix: str) -> tuple[str, ...]:
    """The widget keys of `item_inputs(prefix)`, cleared after a save."""
    return tuple(
        f"{prefix}_{code}_item_{n}"
        for code, wordings in ITEMS.items()
        for n in range(1, len(wordings) + 1)
    )


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
    """Homework, reviews, sessions and scores, for one of the viewer's own clients."""
    db = engine()

    def choices() -> tuple[list[str], list[str]]:
        with db.connect() as conn:
            return own_client_codes(conn, viewer), assignment_types(conn)["name"].tolist()

    codes, types = remembered("record_choices", choices)
    if not codes:
        st.info(
            "You have no clients of your own, so there is nothing to record here. "
            "Homework, sessions and scores are recorded by each client's own clinician."
        )
        return
    code = pick_own_client(viewer, today)
    with suppress(StreamlitPageNotFoundError):  # the page run alone, as under AppTest
        st.page_link(
            st.Page(str(PAGES_DIR / "client.py"), url_path="client"),
            label=f"Progress page of {code}",
            query_params={"client": code},
            icon=":material/person:",
        )
    show_saved()
    undo_control(viewer)
    left, right = st.columns(2, gap="large")
    with left:
        set_homework_form(viewer, code, types, today)
    with right:
        review_forms(viewer, code, today)

    left, right = st.columns(2, gap="large")
    session_keys = (
        "held_on",
        "attendance",
        *(f"session_{m}" for m in MEASURES),
        *item_keys("session"),
    )
    with left, st.form("record_session"):
        st.subheader("Record a session")
        held_on = st.date_input("Session date", value=today, key="held_on", format=DATE_FORMAT)
        attendance = st.radio(
            "Attendance",
            ATTENDANCE,
            horizontal=True,
            format_func=lambda a: a.replace("_", " "),
            key="attendance",
            help=ATTENDANCE_HELP,
        )
        st.caption("Scores taken at the session (leave empty when not taken).")
        scores = score_inputs("session", _problems("record_session"))
        items = item_inputs("session")
        _other_problems("record_session")
        if st.form_submit_button("Save session", type="primary"):
            st.session_state.pop("record_session_problems", None)
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
                _refused("record_session", exc)
            else:
                taken = ", ".join(f"{k} {v}" for k, v in scores.items() if v is not None)
                saved(
                    f"Saved: session on {held_on:%d %b %Y} ({attendance.replace('_', ' ')})"
                    + (f" with {taken}." if taken else "."),
                    session_keys,
                )
    between_keys = ("recorded_on", *(f"between_{m}" for m in MEASURES), *item_keys("between"))
    with right, st.form("record_scores"):
        st.subheader("Scores between sessions")
        recorded_on = st.date_input("Date", value=today, key="recorded_on", format=DATE_FORMAT)
        between = score_inputs("between", _problems("record_scores"))
        between_items = item_inputs("between")
        _other_problems("record_scores")
        if st.form_submit_button("Save scores", type="primary"):
            st.session_state.pop("record_scores_problems", None)
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
                _refused("record_scores", exc)
            else:
                taken = ", ".join(f"{k} {v}" for k, v in between.items() if v is not None)
                saved(f"Saved: {taken or 'scores'} on {recorded_on:%d %b %Y}.", between_keys)


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
        bar.progress(share, text=f"{phase.capitalize()}: {done_rows:,} of {total:,} records")

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

    st.text(
        f"Preview of {upload.name} (the first rows of the known columns, as the file holds them)"
    )
    rows = preview(data, kind, fmt)
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
