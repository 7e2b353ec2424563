"""The shared filter sidebar, kept in URL query parameters so a link reproduces a view.

Parameters: `from`, `to` (ISO dates), `clinician` (ids, comma-separated), `status`
(active / discharged / all), `types` (assignment type ids). On entering a page the URL seeds the
widgets; after that the widgets lead and the URL follows them. Streamlit clears the query
parameters when the menu switches pages, so a page entered with no filter parameters takes the
filters last used in this browser session: the filters are shared by the pages.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st
from sqlalchemy import Connection

from data_access.access.viewer import Viewer
from data_access.reads.filters import CLIENT_STATUSES, Filters
from data_access.reads.queries import assignment_types, visible_clinicians

DEFAULT_WEEKS = 12
PARAMS = ("from", "to", "clinician", "status", "types")
EARLIEST = dt.date(2000, 1, 1)
_SEEDED = "_filters_seeded_for_page"
_WIDGETS = ("f_range", "f_clinicians", "f_status", "f_types")  # their keys in session state
_LAST = "_filters_last_params"


def _date_param(params: dict[str, str], name: str) -> dt.date | None:
    raw = params.get(name)
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _ids_param(params: dict[str, str], name: str) -> list[int]:
    raw = params.get(name) or ""
    return [int(part) for part in raw.split(",") if part.strip().isdigit()]


def _page_key() -> str:
    """The page being shown. `st.context.url` is its URL without the query string in a browser
    and None where no browser reports one (AppTest), where one script is one page anyway."""
    return st.context.url or "<no browser url>"


def _seed(today: dt.date, latest: dt.date) -> None:
    """Put the filter values into the widgets' session state, once per page visit.

    The URL's parameters win; a URL without any (as after a page switch) takes the filters
    last used in this browser session; otherwise the defaults (last 12 weeks, active clients).
    Coming back to the same page from one without filters (Caseload, a client, Caseload again)
    is a new visit too: Streamlit dropped the state of the filter widgets that page did not draw.
    """
    page = _page_key()
    if st.session_state.get(_SEEDED) == page and all(k in st.session_state for k in _WIDGETS):
        return
    params = {name: st.query_params.get(name) for name in PARAMS}
    if not any(params.values()):
        params = st.session_state.get(_LAST, {})
    start = _date_param(params, "from") or today - dt.timedelta(weeks=DEFAULT_WEEKS)
    end = _date_param(params, "to") or today
    start, end = (max(EARLIEST, min(day, latest)) for day in (start, end))
    st.session_state["f_range"] = (min(start, end), max(start, end))
    st.session_state["f_clinicians"] = _ids_param(params, "clinician")
    status = params.get("status") or "active"
    st.session_state["f_status"] = status if status in CLIENT_STATUSES else "active"
    st.session_state["f_types"] = _ids_param(params, "types")
    st.session_state[_SEEDED] = page


def reseed() -> None:
    """Take the filters from the URL again on the next run: a run that stopped before drawing
    the filter widgets (a database fault) has dropped their state."""
    st.session_state.pop(_SEEDED, None)


def _write_url(filters: Filters, shown: set[str]) -> None:
    """Mirror the filters in the URL; remember the shown ones for the next page visited."""
    params = {
        "from": filters.start.isoformat() if filters.start else None,
        "to": filters.end.isoformat() if filters.end else None,
        "clinician": ",".join(map(str, filters.clinician_ids)) or None,
        "status": filters.client_status,
        "types": ",".join(map(str, filters.type_ids)) or None,
    }
    last = {k: v for k, v in st.session_state.get(_LAST, {}).items() if k not in shown}
    st.session_state[_LAST] = last | {k: v for k, v in params.items() if v and k in shown}
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
    latest = today + dt.timedelta(days=365)
    _seed(today, latest)
    sidebar = st.sidebar
    sidebar.header("Filters")
    picked = sidebar.date_input("Date range", key="f_range", min_value=EARLIEST, max_value=latest)
    if isinstance(picked, tuple | list) and len(picked) == 2:
        start, end = picked
    else:  # half-picked range: keep its first day until the second is chosen
        picked = picked if isinstance(picked, tuple | list) else (picked,)
        start = picked[0] if picked and picked[0] else today - dt.timedelta(weeks=DEFAULT_WEEKS)
        end = max(start, today)
    clinician_ids: tuple[int, ...] = ()
    if clinicians and viewer.sees_other_clinicians:
        people = visible_clinicians(conn, viewer)
        names = {int(i): n for i, n in zip(people["clinician_id"], people["name"], strict=True)}
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
        clinician_ids = tuple(int(c) for c in chosen)
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
        type_names = {
            int(i): n for i, n in zip(catalogue["type_id"], catalogue["name"], strict=True)
        }
        st.session_state["f_types"] = [t for t in st.session_state["f_types"] if t in type_names]
        type_ids = tuple(
            int(t)
            for t in sidebar.multiselect(
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
    wanted = {
        "clinician": clinicians and viewer.sees_other_clinicians,
        "status": status,
        "types": types,
    }
    shown = {"from", "to"} | {name for name, drawn in wanted.items() if drawn}
    _write_url(filters, shown)
    return filters


def scope_words(viewer: Viewer, filters: Filters) -> str:
    """Whose clients a page shows, in words that match the clinician filter."""
    if filters.clinician_ids:
        n = len(filters.clinician_ids)
        return "the chosen clinician" if n == 1 else f"the {n} chosen clinicians"
    return {"admin": "the whole practice", "supervisor": "you and your supervisees"}.get(
        viewer.role, "your own caseload"
    )
