"""First look at the practice data in scope; the full page is built in its own issue."""

import streamlit as st

from dashboard.auth_ui import require_viewer
from dashboard.db import engine
from data_access.queries import visible_clients

viewer = require_viewer()
st.title(st.context.url.rsplit("/", 1)[-1].split("?")[0].capitalize() or "Overview")
with engine().connect() as conn:
    clients = visible_clients(conn, viewer)
st.metric("Clients you can see", len(clients))
st.dataframe(clients, hide_index=True)
