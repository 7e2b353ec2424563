"""Pure rules of the sign-in layer: which role opens which page, and where sign-in may redirect."""

from __future__ import annotations

import pytest

from dashboard.navigation import PAGES, allowed
from dashboard.session_routes import safe_next, start_url

EXPECTED = {  # page → roles that may open it (README.md: admin pages only to admins)
    "clients": {"clinician", "supervisor", "admin"},
    "overview": {"clinician", "supervisor", "admin"},
    "caseload": {"clinician", "supervisor", "admin"},
    "client": {"clinician", "supervisor", "admin"},
    "homework": {"clinician", "supervisor", "admin"},
    "outcomes": {"clinician", "supervisor", "admin"},
    "data": {"clinician", "supervisor", "admin"},
    "admin": {"admin"},
}


@pytest.mark.parametrize("role", ["clinician", "supervisor", "admin"])
@pytest.mark.parametrize("url_path", list(EXPECTED))
def test_every_page_for_every_role(url_path: str, role: str) -> None:
    assert allowed(url_path, role) is (role in EXPECTED[url_path])


def test_every_page_has_an_entry_and_no_page_is_unknown() -> None:
    assert [p.url_path for p in PAGES] == list(EXPECTED)
    assert not allowed("nowhere", "admin")
    assert not allowed("overview", "visitor")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/client?client=C-0042", "/client?client=C-0042"),
        ("/", "/"),
        ("/outcomes?start=2026-01-01&clinician=3", "/outcomes?start=2026-01-01&clinician=3"),
        ("https://evil.example/", "/"),
        ("//evil.example/path", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("client", "/"),
        ("/client\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_sign_in_only_redirects_to_this_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_the_start_url_carries_the_code_and_a_safe_next_page() -> None:
    assert start_url("abc", "/client?client=C-0042") == (
        "/session/start?code=abc&next=%2Fclient%3Fclient%3DC-0042"
    )
    assert start_url("abc", "https://evil.example") == "/session/start?code=abc&next=%2F"
