"""Opening a page under Streamlit's AppTest as a given viewer, and reading what it shows."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from data_access.viewer import Viewer

PAGES = Path(__file__).resolve().parents[1] / "pages"


def open_page(name: str, viewer: Viewer, query: dict[str, str] | None = None) -> AppTest:
    """Run `pages/<name>.py` signed in as `viewer`, with URL query parameters `query`."""
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)
    at.session_state["viewer"] = viewer
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def metric_values(at: AppTest) -> dict[str, str]:
    """Each headline metric's label and the value shown."""
    return {m.label: m.value for m in at.metric}


def page_text(at: AppTest) -> str:
    """The tables, markdown and captions on the page, as one string to search."""
    parts = [str(df.value.to_dict()) for df in at.dataframe]
    parts += [e.value for e in at.markdown] + [e.value for e in at.caption]
    return " ".join(parts)
