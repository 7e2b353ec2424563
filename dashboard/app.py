"""Streamlit entry point: sign-in gate, then `st.navigation` with the pages of the viewer's role."""

from __future__ import annotations

import streamlit as st

from dashboard.auth_ui import current_viewer, sign_in_form
from dashboard.navigation import pages_for

st.set_page_config(page_title="Between Sessions", page_icon=":material/psychology:", layout="wide")

viewer = current_viewer()
if viewer is None:
    sign_in_form()
else:
    st.navigation(pages_for(viewer.role)).run()
