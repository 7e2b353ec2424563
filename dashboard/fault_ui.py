"""A page that meets a database fault says so in words and comes back by itself.

Instead of a traceback (which would show SQL, paths and sometimes values), the page shows
"the database cannot be reached" (or is full, read-only, busy) and checks again every
RETRY_SECONDS; once the database answers, the whole page runs again.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from dashboard.db import engine
from dashboard.filters import reseed
from data_access.store.faults import fault_line

T = TypeVar("T")

RETRY_SECONDS = 5
_SINCE_KEY = "fault_since"


def show_fault(line: str) -> None:
    """Replace the page with the fault in words, and keep checking until the database is back."""
    st.session_state[_SINCE_KEY] = time.monotonic()
    reseed()
    st.error(
        f"{line[0].upper()}{line[1:]}; retrying. This page comes back by itself as soon as the "
        "database answers again; nothing you typed in a form is lost.",
        icon=":material/cloud_off:",
    )
    _retry()


@st.fragment(run_every=dt.timedelta(seconds=RETRY_SECONDS))
def _retry() -> None:
    """Every RETRY_SECONDS: when the database answers, run the whole page again."""
    since = st.session_state.get(_SINCE_KEY)
    if since is None or time.monotonic() - since < RETRY_SECONDS - 0.5:
        return  # the first run, inside the failed page run itself
    try:
        with engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - still down: try again at the next tick
        return
    st.session_state.pop(_SINCE_KEY, None)
    st.rerun(scope="app")


def remembered(key: str, read: Callable[[], T]) -> T:
    """`read()`, kept in the session; during a database fault, the last value read, so the
    forms stay on screen with what was typed (a save then says it was not saved)."""
    try:
        value = read()
    except DBAPIError as exc:
        line = fault_line(exc)
        if line is None or key not in st.session_state:
            raise
        st.warning(f"{line.capitalize()}; retrying. Nothing can be saved until it is back.")
        return st.session_state[key]
    st.session_state[key] = value
    return value
