"""The dashboard's engine: one per process for the configured database URL."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from data_access.store.config import database_url
from data_access.store.engine import get_engine


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    return get_engine(url)


def engine() -> Engine:
    """The engine for DATABASE_URL / secrets.toml / data/homework.db (created once per URL)."""
    return _engine_for(database_url())
