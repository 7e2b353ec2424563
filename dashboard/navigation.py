"""Which pages each role sees, with stable URL paths and titles.

The first page a role may open is where sign-in lands: "My clients" for everyone, because a
clinician's first job is the next session (supervisors and admins see their own caseload).
"""

from __future__ import annotations

from collections.abc import Callable
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
    PageSpec("clients.py", "clients", "My clients", ":material/event_upcoming:"),
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


def _refusal(spec: PageSpec) -> Callable[[], None]:
    """A stand-in for a page the role may not open: it says so and shows nothing of it."""

    def refused() -> None:
        from dashboard.auth_ui import refuse, require_viewer

        refuse(require_viewer(), spec.title, spec.roles)

    refused.__name__ = f"refused_{spec.url_path}"
    return refused


def _landing(first: st.Page) -> st.Page:
    """The hidden default page at the site root: it opens the role's first page.

    Streamlit serves the default page at `/` and not under its own path, so no real page may be
    the default, or its stable URL path (`overview`) would answer "page not found".
    """

    def home() -> None:
        st.switch_page(first)

    return st.Page(home, title=first.title, url_path="home", default=True, visibility="hidden")


def pages_for(role: str) -> list[st.Page]:
    """The pages `role` may open, in menu order, behind a landing page at the site root.

    The other pages stay registered under their URL paths but hidden from the menu, and run a
    refusal instead of the page, so a link to them says "not for your role" rather than
    silently showing the default page.
    """
    specs = [p for p in PAGES if role in p.roles]
    pages = [
        st.Page(str(PAGES_DIR / p.file), url_path=p.url_path, title=p.title, icon=p.icon)
        for p in specs
    ]
    pages = [_landing(pages[0]), *pages]
    pages += [
        st.Page(_refusal(p), url_path=p.url_path, title=p.title, icon=p.icon, visibility="hidden")
        for p in PAGES
        if role not in p.roles
    ]
    return pages


def signed_out_pages(sign_in_page: Callable[[], None]) -> list[st.Page]:
    """The sign-in page at the root and under every page's URL path, so a deep link survives."""
    root = st.Page(sign_in_page, url_path="signin", title="Sign in", default=True)
    return [root] + [st.Page(sign_in_page, url_path=p.url_path, title="Sign in") for p in PAGES]
