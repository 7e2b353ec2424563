"""The page chooser above a long list, with how many rows it shows in words."""

from __future__ import annotations

import streamlit as st

from dashboard.paging import Window, window


def pager(total: int, per_page: int, key: str, noun: str) -> Window:
    """A page number beside 'Showing 51–100 of 3,912 clients.' when the list has more than one
    page (nothing when it has one); returns the window of rows to draw."""
    pages = window(total, per_page).pages
    if pages == 1:
        return window(total, per_page)
    # other filters may leave fewer pages than the one last shown
    st.session_state[key] = min(st.session_state.get(key, 1), pages)
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    shown = window(total, per_page, left.number_input(f"Page (of {pages})", 1, pages, key=key))
    right.caption(shown.words(noun).capitalize() + ".")
    return shown
