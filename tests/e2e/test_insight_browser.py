"""Homework and outcomes pages in a real browser, as the demo supervisor, with the report."""

from sqlalchemy import select

from data_access.store.engine import new_engine
from data_access.store.schema import AuditEvent
from tests.e2e.conftest import assert_no_exception, sign_in, wait_for_app


def sign_in_and_open(page, server, title: str) -> None:  # noqa: ANN001 - playwright objects
    """Sign in as the demo supervisor on the page's path, then make sure that page is open."""
    sign_in(page, server, "supervisor@demo.example", path=title.lower())
    heading = page.get_by_role("heading", name=title, exact=True)
    if not heading.count():
        page.get_by_role("link", name=title).click()
    heading.wait_for()
    wait_for_app(page)


def download_report(page) -> str:  # noqa: ANN001
    button = page.get_by_role("button", name="Download supervision report (HTML)")
    button.scroll_into_view_if_needed()
    with page.expect_download() as info:
        button.click()
    return info.value.path().read_text(encoding="utf-8")


def exports(db_url: str) -> int:
    engine = new_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(AuditEvent.actor_email).where(AuditEvent.action == "export")
        ).all()
    engine.dispose()
    return sum(1 for (email,) in rows if email == "supervisor@demo.example")


def test_homework_page_and_its_report(page, demo_app, demo_db_url):
    sign_in_and_open(page, demo_app, "Homework")
    assert_no_exception(page)
    page.get_by_text("Completion rate by assignment type").first.wait_for()
    assert page.get_by_text("association, not cause").count() >= 1
    before = exports(demo_db_url)
    html = download_report(page)
    assert "<!DOCTYPE html>" in html and "plotly.js" in html.lower()  # the bundle is embedded
    assert "Plotly.newPlot" in html and "<script src=" not in html  # nothing fetched
    assert "<table" in html and "Reviewed by the next attended session" in html
    assert "Thought Record" in html
    page.wait_for_timeout(500)
    assert exports(demo_db_url) == before + 1


def test_outcomes_page_and_its_report(page, demo_app):
    sign_in_and_open(page, demo_app, "Outcomes")
    assert_no_exception(page)
    page.get_by_text("Paired outcomes (PHQ-9 with GAD-7)").first.wait_for()
    assert page.get_by_text("Caseloads differ").count() >= 1
    html = download_report(page)
    assert "plotly.js" in html.lower() and "Plotly.newPlot" in html
    assert "<table" in html and "Reliable improvement" in html and "Completion bands" in html
    assert "not proof that homework caused it" in html or "Too few clients" in html
