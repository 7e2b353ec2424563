"""Sign-in gate and the signed-in viewer, as every page sees them."""

from __future__ import annotations

import streamlit as st

from dashboard.db import engine
from data_access.accounts import authenticate
from data_access.viewer import Viewer

VIEWER_KEY = "viewer"


def current_viewer() -> Viewer | None:
    """The signed-in viewer of this browser session, or None."""
    return st.session_state.get(VIEWER_KEY)


def require_viewer() -> Viewer:
    """The signed-in viewer; stops the page (with a message) when nobody is signed in."""
    viewer = current_viewer()
    if viewer is None:
        st.warning("Please sign in to see this page.")
        st.stop()
    return viewer


def sign_in_form() -> None:
    """The sign-in form: Email, Password, Sign in. On success the app reruns signed in."""
    st.title("Between Sessions")
    st.caption("Homework between therapy sessions, at a glance. Please sign in.")
    with st.form("sign_in"):
        email = st.text_input("Email")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        with engine().connect() as conn:
            viewer = authenticate(conn, email, password)
        if viewer is None:
            st.error("That email and password do not match an active account.")
            return
        st.session_state[VIEWER_KEY] = viewer
        st.rerun()
