"""Which pages each role sees, with stable URL paths (DESIGN.md) and titles."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import streamlit as st

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
EVERYONE = ("clinician", "supervisor", "admin")


class PageSpec(NamedTuple):
    file: str
    url_path: str
    title: str
    icon: str
    roles: tuple[str, ...] = EVERYONE


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview.py", "overview", "Overview", ":material/dashboard:"),
    PageSpec("caseload.py", "caseload", "Caseload", ":material/groups:"),
    PageSpec("client.py", "client", "Client", ":material/person:"),
    PageSpec("homework.py", "homework", "Homework", ":material/assignment:"),
    PageSpec("outcomes.py", "outcomes", "Outcomes", ":material/trending_up:"),
    PageSpec("data.py", "data", "Data", ":material/upload_file:"),
    PageSpec("admin.py", "admin", "Admin", ":material/admin_panel_settings:", ("admin",)),
)


def allowed(url_path: str, role: str) -> bool:
    """True when `role` may open the page at `url_path`."""
    return any(p.url_path == url_path and role in p.roles for p in PAGES)


def pages_for(role: str) -> list[st.Page]:
    """The pages `role` may open, in menu order (the first is the default)."""
    specs = [p for p in PAGES if role in p.roles]
    return [
        st.Page(
            str(PAGES_DIR / p.file), url_path=p.url_path, title=p.title, icon=p.icon, default=i == 0
        )
        for i, p in enumerate(specs)
    ]
