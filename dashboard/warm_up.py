"""What a freshly started server does before anyone asks: import the pages' modules and fit the
expected response, so the first page view after a restart costs about what a later one does."""

from __future__ import annotations

import gc
import sys


def warm_up() -> None:
    """As the server starts, in the background: import what the pages use, make one chart of
    each kind, and fit the practice's expected response, so the first person to open a page
    after a restart waits for none of it (a first Overview cost 0.4 s more CPU without the
    imports: docs/performance.md; the fit: docs/early-warning.md). With the database down,
    the first page view fits instead. Then what start-up built is frozen out of the garbage
    collector's full passes (`gc.freeze`), which otherwise walked it during page views."""
    from sqlalchemy.exc import DBAPIError

    from data_access.reads.expected import keep_fits
    from data_access.store.config import database_url
    from data_access.store.engine import get_engine
    from data_access.store.faults import fault_line

    import_page_modules()
    try:
        keep_fits(get_engine(database_url()))
    except DBAPIError as exc:
        print(f"warm-up skipped: {fault_line(exc) or type(exc).__name__}", file=sys.stderr)
    gc.freeze()


def import_page_modules() -> None:
    """Every module of `dashboard` but the entry point and of the data layer's reads and records
    (what the pages import), and plotly's bar, line and heatmap classes with their validators, which
    plotly loads on first use."""
    import importlib
    import pkgutil

    import plotly.graph_objects as go

    import dashboard
    import data_access.reads
    import data_access.records

    for package in (dashboard, data_access.reads, data_access.records):
        for module in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            if module.name != "dashboard.app":  # Streamlit runs this file; never a second copy
                importlib.import_module(module.name)
    go.Figure([go.Bar(x=[1], y=[1]), go.Scatter(x=[1], y=[1]), go.Heatmap(z=[[1]])]).to_json()
