"""The shared filter sidebar, kept in URL query parameters so a link reproduces a view.

Parameters: `from`, `to` (ISO dates), `clinician` (ids, comma-separated), `status`
(active / discharged / all), `types` (assignment type ids). The URL seeds the widgets once per
browser session; after that the widgets lead and the URL follows them.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st
from sqlalchemy import Connection

from data_access.filters import CLIENT_STATUSES, Filters
from data_access.queries import assignment_types, visible_clinicians
from data_access.viewer import Viewer

DEFAULT_WEEKS = 12
_SEEDED = "_filters_seeded_from_url"


def _date_param(name: str) -> dt.date | None:
    raw = st.query_params.get(name)
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _ids_param(name: str) -> list[int]:
    raw = st.query_params.get(name, "")
    return [int(part) for part in raw.split(",") if part.strip().isdigit()]


def _seed_from_url(today: dt.date) -> None:
    """Put the URL's filter values into the widgets' session state, once per page visit."""
    page = st.context.url
    if st.session_state.get(_SEEDED) == page:
        return
    start = _date_param("from") or today - dt.timedelta(weeks=DEFAULT_WEEKS)
    end = _date_param("to") or today
    st.session_state["f_range"] = (min(start, end), max(start, end))
    st.session_state["f_clinicians"] = _ids_param("clinician")
    status = st.query_params.get("status", "active")
    st.session_state["f_status"] = status if status in CLIENT_STATUSES else "active"
    st.session_state["f_types"] = _ids_param("types")
    st.session_state[_SEEDED] = page


def _write_url(filters: Filters) -> None:
    params = {
        "from": filters.start.isoformat() if filters.start else None,
        "to": filters.end.isoformat() if filters.end else None,
        "clinician": ",".join(map(str, filters.clinician_ids)) or None,
        "status": filters.client_status,
        "types": ",".join(map(str, filters.type_ids)) or None,
    }
    for key, value in params.items():
        if value is None:
            st.query_params.pop(key, None)
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def filter_sidebar(
    conn: Connection,
    viewer: Viewer,
    *,
    clinicians: bool = True,
    status: bool = True,
    types: bool = True,
    today: dt.date | None = None,
) -> Filters:
    """Draw the filters in the sidebar and return them; the URL is kept in step."""
    today = today or dt.date.today()
    _seed_from_url(today)
    sidebar = st.sidebar
    sidebar.header("Filters")
    picked = sidebar.date_input(
        "Date range", key="f_range", max_value=today + dt.timedelta(days=365)
    )
    start, end = picked if isinstance(picked, tuple | list) and len(picked) == 2 else (None, None)
    if start is None:
        start, end = st.session_state["f_range"][0], today
    clinician_ids: tuple[int, ...] = ()
    if clinicians and viewer.sees_other_clinicians:
        people = visible_clinicians(conn, viewer)
        names = dict(zip(people["clinician_id"], people["name"], strict=True))
        st.session_state["f_clinicians"] = [
            c for c in st.session_state["f_clinicians"] if c in names
        ]
        chosen = sidebar.multiselect(
            "Clinician",
            options=list(names),
            format_func=names.get,
            key="f_clinicians",
            placeholder="All clinicians in your scope",
        )
        clinician_ids = tuple(chosen)
    client_status = "all"
    if status:
        client_status = sidebar.radio(
            "Clients",
            CLIENT_STATUSES,
            key="f_status",
            horizontal=True,
            format_func=str.capitalize,
        )
    type_ids: tuple[int, ...] = ()
    if types:
        catalogue = assignment_types(conn)
        type_names = dict(zip(catalogue["type_id"], catalogue["name"], strict=True))
        st.session_state["f_types"] = [t for t in st.session_state["f_types"] if t in type_names]
        type_ids = tuple(
            sidebar.multiselect(
                "Assignment types",
                options=list(type_names),
                format_func=type_names.get,
                key="f_types",
                placeholder="All types",
            )
        )
    filters = Filters(
        start=start,
        end=end,
        clinician_ids=clinician_ids,
        client_status=client_status,
        type_ids=type_ids,
        today=today,
    )
    _write_url(filters)
    return filters
