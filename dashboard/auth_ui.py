"""Sign-in gate and the signed-in viewer, as every page sees them.

Who is signed in is decided by the server-side session named in the HttpOnly cookie
(`dashboard/session_routes.py`, `data_access/access/web_sessions.py`), checked on every script run:

- A browser request with the cookie: the session is looked up (and its idle clock reset); the
  viewer comes from the database, so a deactivation, a role change, a sign-out in another tab or
  the idle timeout take effect on the next click. A cookie whose session has ended signs the
  browser out, whatever `st.session_state` holds.
- No cookie, or a cookie whose session has ended: signed out. Nothing kept in
  `st.session_state` counts, because a websocket may reconnect to a live Streamlit session
  without the cookie (another tab signed out, or a raw client naming the session's id); the
  state of a session that loses its viewer is cleared.
- A database fault while checking a cookie: the viewer this same cookie proved on the last run,
  if any (nothing can be read or saved during the fault; this only keeps what was typed on
  screen). Without a cookie a fault grants nothing.

AppTest cannot send cookies; the page tests replace `session_cookie` with one that returns a
real session token they created (`tests/pagetest.py`), so the same database check runs.
"""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode, urlsplit

import streamlit as st
from sqlalchemy.exc import DBAPIError
from streamlit.errors import StreamlitSecretNotFoundError
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import route_guard
from dashboard.db import engine
from dashboard.plain_text import md
from dashboard.session_routes import COOKIE_NAME, NONCE_COOKIE, end_url, start_url
from data_access.access import audit
from data_access.access.accounts import account_count, account_id_for, sign_in, sso_viewer
from data_access.access.viewer import Viewer
from data_access.access.web_sessions import end_session, issue_code, session_viewer
from data_access.reads.queries import is_demo
from data_access.store.config import idle_timeout_minutes
from data_access.store.faults import fault_line

VIEWER_KEY = "viewer"
ENDED_KEY = "session_ended"
DEMO_ACCOUNTS = ("admin@demo.example", "supervisor@demo.example", "clinician@demo.example")
WATCH_SECONDS = 60
ROLE_NAMES = {"clinician": "clinicians", "supervisor": "supervisors", "admin": "admins"}


def session_cookie() -> str | None:
    """The session cookie this browser sent when it connected, if any (never under AppTest)."""
    value = st.context.cookies.get(COOKIE_NAME)
    return value if isinstance(value, str) and value else None


def browser_nonce() -> str | None:
    """The nonce cookie this browser got with the page (`session_routes.NonceCookie`)."""
    value = st.context.cookies.get(NONCE_COOKIE)
    return value if isinstance(value, str) and value else None


def current_viewer() -> Viewer | None:
    """The signed-in viewer of this browser session, or None (see the module docstring)."""
    token = session_cookie()
    before = st.session_state.get(VIEWER_KEY)
    try:
        viewer = session_viewer(engine(), token) if token else None
    except DBAPIError as exc:
        # During a fault nothing can be read or saved anyway: keep the viewer this cookie proved
        # on the last run, so a form's typed values stay on screen until the database is back.
        if fault_line(exc) is None or before is None:
            raise
        return before
    if before is not None and before != viewer:
        _clear_state(ended=viewer is None)
    if viewer is not None:
        st.session_state[VIEWER_KEY] = viewer
        _bind_uploads(token)
    return viewer


def _bind_uploads(token: str) -> None:
    """Let this browser's cookie upload into this Streamlit session, and only this one."""
    ctx = get_script_run_ctx()
    if ctx is not None:
        route_guard.bind(ctx.session_id, token)


def _clear_state(ended: bool) -> None:
    """Forget everything this browser session held for a viewer who is no longer signed in."""
    st.session_state.clear()
    if ended:
        st.session_state[ENDED_KEY] = True


def require_viewer() -> Viewer:
    """The signed-in viewer; stops the page (with a message) when nobody is signed in."""
    viewer = current_viewer()
    if viewer is None:
        st.warning("Please sign in to see this page.")
        st.stop()
    return viewer


def refuse(viewer: Viewer, title: str, roles: tuple[str, ...]) -> None:
    """Say that this page is not for the viewer's role, show nothing of it, audit `denied`."""
    with engine().begin() as conn:
        audit.record(conn, viewer, "denied", None, f"page {title} (role {viewer.role})")
    st.title(title)
    allowed = " and ".join(ROLE_NAMES[r] for r in roles)
    st.error(
        f"This page is only for {allowed}. You are signed in as a {viewer.role}, "
        "so there is nothing to show here.",
        icon=":material/block:",
    )


def require_role(title: str, *roles: str) -> Viewer:
    """The signed-in viewer when their role is one of `roles`; otherwise refuse and stop."""
    viewer = require_viewer()
    if viewer.role not in roles:
        refuse(viewer, title, roles)
        st.stop()
    return viewer


def redirect(url: str) -> None:
    """Send the browser to `url` (a path on this site), with a link in case scripts are off."""
    st.html(
        f"<script>window.location.replace({json.dumps(url)});</script>",
        unsafe_allow_javascript=True,
    )
    st.link_button("Continue", url, type="primary")


def _here() -> str:
    """The path and query of the page the browser asked for: where to land after sign-in."""
    path = urlsplit(st.context.url or "/").path or "/"
    query = urlencode(st.query_params.to_dict())
    return f"{path}?{query}" if query else path


def _start_session(viewer: Viewer) -> None:
    """After a successful sign-in: hand the browser a one-time code for its session cookie."""
    nonce = browser_nonce()
    if nonce is None:
        st.error("This browser did not keep the sign-in cookie. Please reload the page.")
        st.stop()
    with engine().connect() as conn:
        account_id = account_id_for(conn, viewer)
    st.success(f"Signed in as {md(viewer.name)}. Opening the dashboard…")
    redirect(start_url(issue_code(engine(), account_id, nonce), _here()))
    st.stop()


def sso_configured() -> bool:
    """True when `.streamlit/secrets.toml` has an `[auth]` section for `st.login`."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def _sso_signed_in() -> bool:
    """True when Streamlit's OIDC login (`st.login`) has an identity for this browser."""
    return bool(st.user.get("is_logged_in"))


def _sso_section() -> None:
    """Single sign-on through Streamlit's OIDC `st.login`, matched to an account by email."""
    st.divider()
    if not _sso_signed_in():
        if st.button("Sign in with single sign-on", icon=":material/key:"):
            st.login()
        return
    email = str(st.user.get("email") or "")[:254]
    if st.button(f"Continue with single sign-on as {md(email)}", icon=":material/key:"):
        with engine().begin() as conn:
            viewer = sso_viewer(conn, st.user.to_dict())
            if viewer is None:
                audit.record(conn, email or None, "sign_in_failed", None, "single sign-on")
            else:
                audit.record(conn, viewer, "sign_in", None, "single sign-on")
        if viewer is None:
            st.error(f"There is no active account for {md(email)}. Please ask an admin.")
        else:
            _start_session(viewer)
    st.button("Use another single sign-on identity", on_click=st.logout)


def sign_in_form() -> None:
    """The sign-in page: Email, Password, Sign in; on success, the browser gets its session."""
    with st.columns([1, 2, 1])[1]:
        _sign_in_body()


def _sign_in_body() -> None:
    st.title("Between Sessions")
    st.caption("Homework between therapy sessions, at a glance. Please sign in.")
    if st.session_state.pop(ENDED_KEY, False):
        st.info(
            f"Your session has ended (signed out elsewhere, or idle for "
            f"{idle_timeout_minutes()} minutes). Please sign in again."
        )
    with engine().connect() as conn:
        demo, accounts = is_demo(conn), account_count(conn)
    if accounts == 0 and not demo:
        st.warning(
            "This database has no accounts yet. An administrator creates the first one on the "
            "server, then signs in here:\n\n"
            "```\npython -m data_access create-user --email you@example.org "
            '--name "Your Name" --role admin\n```',
            icon=":material/person_add:",
        )
    with st.form("sign_in"):
        email = st.text_input("Email", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if demo:
        st.caption(
            "Demo database: sign in as "
            + ", ".join(f"`{a}`" for a in DEMO_ACCOUNTS)
            + " with the password `demo`."
        )
    if submitted:
        result = sign_in(engine(), email, password)
        if result.ok:
            _start_session(result.viewer)
        st.error(result.message)
    if sso_configured():
        _sso_section()


@st.fragment(run_every=dt.timedelta(seconds=WATCH_SECONDS))
def _watch_session() -> None:
    """Clear the screen once the session ends (idle timeout, sign-out elsewhere), even when
    nobody clicks; the check itself does not count as activity."""
    token = session_cookie()
    try:
        ended = token is None or session_viewer(engine(), token, touch=False) is None
    except DBAPIError as exc:
        if fault_line(exc) is None:
            raise
        return  # the page itself says so when it next runs; check again at the next tick
    if ended:
        _clear_state(ended=True)
        st.rerun(scope="app")


def sign_out_control(viewer: Viewer) -> None:
    """Sidebar: who is signed in, and a Sign out button that ends the server session."""
    with st.sidebar:
        _watch_session()
        st.caption(f"Signed in as **{md(viewer.name)}** ({viewer.role})")
        if st.button("Sign out", icon=":material/logout:"):
            token = session_cookie() or ""
            end_session(engine(), token)
            with engine().begin() as conn:
                audit.record(conn, viewer, "sign_out")
            st.session_state.clear()
            redirect(end_url(token, sso_configured() and _sso_signed_in()))
            st.stop()
