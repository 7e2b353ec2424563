"""Streamlit entry point: sign-in gate, then `st.navigation` with the pages of the viewer's role.

`streamlit run dashboard/app.py` finds the module-level `app = App(...)` below and serves the
app through Starlette with the session-cookie routes mounted beside it. Uvicorn imports this
file as a module (to find `app`), while Streamlit runs it as `__main__` for every browser
session: only the latter draws anything.
"""

from __future__ import annotations

import threading
from pathlib import Path

from starlette.middleware import Middleware
from streamlit.starlette import App

from dashboard.route_guard import RouteGuard
from dashboard.session_routes import NonceCookie, session_routes
from dashboard.warm_up import warm_up


def main() -> None:
    """One run of the script for one browser session; a database fault shows in words."""
    import streamlit as st
    from sqlalchemy.exc import DBAPIError

    from dashboard.fault_ui import show_fault
    from data_access.store.faults import fault_line

    st.set_page_config(
        page_title="Between Sessions", page_icon=":material/psychology:", layout="wide"
    )
    try:
        run_page()
    except DBAPIError as exc:
        line = fault_line(exc)
        if line is None:
            raise
        show_fault(line)


def run_page() -> None:
    """Sign-in gate, then the page the viewer asked for."""
    import streamlit as st

    from dashboard.auth_ui import current_viewer, sign_in_form, sign_out_control
    from dashboard.link_style import LINK_STYLE
    from dashboard.navigation import pages_for, signed_out_pages

    viewer = current_viewer()
    if viewer is None:
        st.navigation(signed_out_pages(sign_in_form), position="hidden").run()
        return
    page = st.navigation(pages_for(viewer.role))
    sign_out_control(viewer)
    st.html(LINK_STYLE)
    page.run()


if __name__ == "__main__":
    main()
else:
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    app = App(
        Path(__file__),
        routes=session_routes(),
        middleware=[Middleware(NonceCookie), Middleware(RouteGuard)],
    )
