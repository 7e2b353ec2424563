"""The homework forms the client page and the Data page share: set, review, undo.

One write path (data_access.records.recording, which checks entry_rules) and one look: a refusal
says why beside the field, a saved entry clears the form and says what was saved, and the person who
made an entry may take it back for 10 minutes.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.db import engine
from dashboard.fault_ui import remembered
from dashboard.plain_text import md
from dashboard.words import entry_words
from data_access.access.viewer import Viewer
from data_access.records.recording import (
    REVIEW_STATUSES,
    ChangedElsewhere,
    FormError,
    Review,
    review_assignment,
    reviewable_assignments,
    set_assignment,
)
from data_access.records.undo import LastEntry, last_entry, undo_last
from data_access.store.errors import DataError, NotInScope
from data_access.store.faults import DatabaseFault

DATE_FORMAT = "YYYY-MM-DD"
_FLASH = "_homework_forms_saved"  # the message of the last save, shown after the rerun
_SHOWN = "_review_forms_shown"  # {client code: {assignment id: item}} as last shown
ENGAGEMENT_LABELS = {
    None: "not rated",
    0: "0 – not attempted",
    1: "1 – minimal",
    2: "2 – some effort",
    3: "3 – good",
    4: "4 – excellent",
}
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
    "homework": "Homework",
    "held_on": "Session date",
    "attendance": "Attendance",
    "recorded_on": "Date",
    "scores": "Scores",
    "PHQ-9 items": "PHQ-9 items",
    "GAD-7 items": "GAD-7 items",
}


def saved(message: str, clear: tuple[str, ...] = ()) -> None:
    """After a save: forget the form's values, remember what was saved, and draw afresh
    (the save raised the data version, so every cached figure is read again)."""
    for key in clear:
        st.session_state.pop(key, None)
    st.session_state[_FLASH] = message
    st.rerun()


def show_saved() -> None:
    """The message of the save that caused this run, once."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def show_refusal(exc: DataError, only: tuple[str, ...] | None = None) -> None:
    """A refused form: one line per field, in words (`only`: just these fields)."""
    if isinstance(exc, FormError):
        for name, reason in exc.problems.items():
            if only is None or name in only:
                st.error(f"**{FIELD_LABELS.get(name, name)}**: {reason}")
    elif isinstance(exc, NotInScope):
        st.error("This client is not available to you.")
    elif isinstance(exc, DatabaseFault):
        st.error(
            f"Not saved: {exc.reason}. What you typed is still in the form: "
            "save again in a moment.",
            icon=":material/cloud_off:",
        )
    else:
        st.error(f"Not saved: {md(exc.reason)}.")


def set_homework_form(viewer: Viewer, code: str, types: list[str], today: dt.date) -> None:
    """Type, instructions, expected difficulty, set on (today) and due on; saved for `code`."""
    keys = tuple(f"hw_{k}_{code}" for k in ("type", "instructions", "difficulty", "set", "due"))
    with st.form(f"set_homework_{code}"):
        st.subheader("Set homework")
        type_name = st.selectbox("Type", types, key=keys[0])
        instructions = st.text_area(
            "Instructions",
            max_chars=2000,
            height=90,
            key=keys[1],
            placeholder="What exactly the client will do, small enough to be sure of",
        )
        left, middle, right = st.columns(3)
        difficulty = left.select_slider(
            "Expected difficulty",
            options=[1, 2, 3, 4, 5],
            value=2,
            key=keys[2],
            help="1 = very easy. Small, doable homework gets done.",
        )
        assigned_on = middle.date_input(
            "Set on", value=today, max_value=today, key=keys[3], format=DATE_FORMAT
        )
        due_on = right.date_input(
            "Due date", value=today + dt.timedelta(days=7), key=keys[4], format=DATE_FORMAT
        )
        if st.form_submit_button("Save homework", type="primary"):
            try:
                set_assignment(
                    engine(),
                    viewer,
                    client_code=code,
                    type_name=type_name,
                    due_on=due_on,
                    instructions=instructions,
                    difficulty=difficulty,
                    assigned_on=assigned_on,
                    today=today,
                )
            except DataError as exc:
                show_refusal(exc)
            else:
                saved(f"Saved: {md(type_name)} for {md(code)}, due {due_on:%d %b %Y}.", keys)


def review_forms(viewer: Viewer, code: str, today: dt.date) -> None:
    """A Review control for each pending item due by today; the status starts unchosen.

    An item reviewed by someone else since this page showed it keeps its form for one more run,
    so a save over it is told what changed instead of vanishing (no lost update)."""

    def read() -> list[dict]:
        with engine().connect() as conn:
            return reviewable_assignments(conn, viewer, code, today)

    due = remembered(f"review_due_{code}", read)
    items = {item["id"]: item for item in due}
    for item_id, item in st.session_state.get(_SHOWN, {}).get(code, {}).items():
        items.setdefault(item_id, item)  # shown last run, reviewed elsewhere since
    st.session_state[_SHOWN] = {code: {item["id"]: item for item in due}}
    st.subheader("Review homework")
    if not items:
        st.caption(
            f"Nothing of {md(code)}'s is waiting for review: no pending homework due by today."
        )
        return
    for item in items.values():
        _review_form(viewer, item, today)


def _review_form(viewer: Viewer, item: dict, today: dt.date) -> None:
    key = f"review_{item['id']}"
    with st.form(key):
        st.markdown(
            f"**{md(item['type'])}** · set {item['assigned_on']:%d %b} · "
            f"due {item['due_on']:%d %b}"
        )
        if item["instructions"]:
            st.caption(md(item["instructions"]))
        left, right = st.columns(2)
        status = left.radio(
            "Status",
            REVIEW_STATUSES,
            index=None,
            horizontal=True,
            format_func=lambda s: s.replace("_", " "),
            key=f"{key}_status",
        )
        engagement = right.selectbox(
            "Engagement (quality of the work)",
            list(ENGAGEMENT_LABELS),
            format_func=ENGAGEMENT_LABELS.get,
            key=f"{key}_engagement",
        )
        reviewed_on = st.date_input(
            "Reviewed on", value=today, max_value=today, key=f"{key}_on", format=DATE_FORMAT
        )
        if st.form_submit_button("Save review", type="primary"):
            try:
                review_assignment(
                    engine(),
                    viewer,
                    assignment_id=item["id"],
                    status=status or "",
                    engagement=engagement,
                    reviewed_on=reviewed_on,
                    today=today,
                    seen=Review("pending", None, None),
                )
            except ChangedElsewhere as exc:
                st.warning(
                    "Not saved: this homework was reviewed by someone else since you opened it. "
                    f"It now reads: {review_words(exc.current)}.",
                    icon=":material/sync_problem:",
                )
            except DataError as exc:
                show_refusal(exc)
            else:
                saved(
                    f"Saved: {md(item['type'])} reviewed as {status.replace('_', ' ')} "
                    f"on {reviewed_on:%d %b %Y}."
                )


def review_words(review: Review) -> str:
    """A stored review in words, as the second writer is told it."""
    if review.status == "pending":
        return "pending (not reviewed)"
    engagement = ENGAGEMENT_LABELS[review.engagement]
    return (
        f"{review.status.replace('_', ' ')}, engagement {engagement}, "
        f"reviewed on {review.reviewed_on:%d %b %Y}"
    )


def undo_control(viewer: Viewer) -> None:
    """'Undo my last entry' while the viewer's own last entry is under 10 minutes old."""
    def read() -> LastEntry | None:
        with engine().connect() as conn:
            return last_entry(conn, viewer)

    entry = remembered("undo_last_entry", read)
    if entry is None:
        return
    label = f"Undo my last entry ({entry_words(entry)}, {entry.at:%H:%M} UTC)"
    if st.button(label, icon=":material/undo:", key="undo_last"):
        try:
            undone = undo_last(engine(), viewer)
        except DataError as exc:
            show_refusal(exc)
        else:
            saved(f"Undone: {md(entry_words(undone))}.")
