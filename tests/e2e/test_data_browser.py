"""In the browser: a clinician uploads scores on the Data page, sees the preview and the
problems, fixes the file, confirms, and finds the new score on the client's page.

The server runs on a copy of the demo database, so the shared demo stays untouched.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from data_access.store.engine import new_engine
from data_access.store.schema import AuditEvent, Client, Clinician, Score
from tests.e2e.conftest import assert_no_exception, sign_in, wait_for_app

HEADER = "client_code,measure,score,recorded_on"


@pytest.fixture
def own_copy(demo_db_url: str, tmp_path: Path) -> str:
    """A private copy of the demo database for a test that writes."""
    copy = tmp_path / "demo-copy.db"
    shutil.copy(make_url(demo_db_url).database, copy)
    return f"sqlite:///{copy}"


def first_client_of(url: str, email: str) -> str:
    """The first code, in order, of the clinician's own active clients with no score today.

    The demo runs up to today, so a client may already have today's MOOD; the import below
    must be all new rows.
    """
    scored_today = select(Score.client_id).where(Score.recorded_on == dt.date.today())
    engine = new_engine(url)
    with engine.connect() as conn:
        code = (
            conn.execute(
                select(Client.code)
                .join(Clinician, Clinician.id == Client.clinician_id)
                .where(
                    Clinician.email == email,
                    Client.discharged_on.is_(None),
                    Client.id.not_in(scored_today),
                )
                .order_by(Client.code)
            )
            .scalars()
            .first()
        )
    engine.dispose()
    return code


def latest_scores_on_client_page(page, code: str) -> list[str]:  # noqa: ANN001
    """From the Data page's Record tab, follow the client's link; the "Latest" headline values."""
    page.get_by_role("tab", name="Record").click()
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Client").first.click()
    page.get_by_role("option", name=re.compile(f"^{re.escape(code)} ·")).click()  # code · last …
    wait_for_app(page)
    page.get_by_text(f"Progress page of {code}").click()
    wait_for_app(page)
    page.get_by_role("heading", name=f"Client {code}").wait_for(timeout=60_000)
    assert f"client={code}" in page.url
    assert_no_exception(page)
    latest = page.locator('[data-testid="stMetric"]').filter(has_text="Latest")
    latest.first.wait_for()
    return [m.inner_text().split("\n")[-1].strip() for m in latest.all()]


def open_data_page(page) -> None:  # noqa: ANN001
    """Go to the Data page by its address (the signed-in cookie keeps the session)."""
    page.goto("/".join(page.url.split("/", 3)[:3]) + "/data")
    wait_for_app(page)


def upload(page, name: str, text: str) -> None:  # noqa: ANN001 - playwright Page
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}
    )
    wait_for_app(page)


def test_upload_check_confirm_and_see_it_on_the_client_page(start_app, page, own_copy: str):  # noqa: ANN001
    code = first_client_of(own_copy, "clinician@demo.example")
    today = dt.date.today().isoformat()
    server = start_app(own_copy)
    sign_in(page, server, "clinician@demo.example", "demo")
    open_data_page(page)
    # Seen once before the import, so the client page's cache holds the old numbers.
    assert "23" not in latest_scores_on_client_page(page, code)
    open_data_page(page)
    page.get_by_role("tab", name="Import").click()
    page.locator('[data-testid="stSelectbox"]').filter(has_text="What the file holds").click()
    page.get_by_role("option", name="scores").click()
    wait_for_app(page)

    upload(page, "scores.csv", f"{HEADER}\n{code},PHQ-9,31,{today}\n{code},BDI,9,{today}\n")
    page.get_by_text("Preview of scores.csv").wait_for()
    page.get_by_text("2 problems: nothing will be imported").wait_for()
    page.get_by_role("button", name="Download the problems (CSV)").wait_for()
    assert page.get_by_role("button", name="Import 2 rows").count() == 0
    assert_no_exception(page)

    upload(page, "scores-fixed.csv", f"{HEADER}\n{code},PHQ-9,23,{today}\n{code},MOOD,9,{today}\n")
    page.get_by_text("Preview of scores-fixed.csv").wait_for()
    page.get_by_role("button", name="Import 2 rows").click()
    wait_for_app(page)
    expected = "Imported scores: 2 new, 0 updated, 0 unchanged, 0 errors."
    page.get_by_text(expected).wait_for()
    assert_no_exception(page)

    engine = new_engine(own_copy)
    with engine.connect() as conn:
        saved = conn.execute(
            select(Score.measure, Score.value)
            .join(Client, Client.id == Score.client_id)
            .where(Client.code == code, Score.recorded_on == dt.date.today())
            .order_by(Score.measure)
        ).all()
    engine.dispose()
    assert ("PHQ-9", 23) in saved and ("MOOD", 9) in saved

    # The export holds the new rows, in the import format, and the download is audited.
    page.get_by_role("tab", name="Export").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Scores (CSV)").click()
    exported = Path(download.value.path()).read_bytes().decode("utf-8")
    assert exported.startswith(HEADER + "," + ",".join(f"item_{n}" for n in range(1, 10)))
    assert f"{code},PHQ-9,23,{today},,,,,,,,,\r\n" in exported  # totals only: items blank
    engine = new_engine(own_copy)
    with engine.connect() as conn:
        last = conn.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    engine.dispose()
    assert (last.actor_email, last.action) == ("clinician@demo.example", "export")
    assert last.detail.startswith("kind=scores rows=")

    # The client page shows the new PHQ-9 as the latest at once: the import cleared the cache.
    assert "23" in latest_scores_on_client_page(page, code)


ITEMS_HEADER = HEADER + "," + ",".join(f"item_{n}" for n in range(1, 10))


def test_a_phq9_with_item_9_answered_2_shows_the_risk_banner_first(start_app, page, own_copy):  # noqa: ANN001
    """Items 1,1,1,1,1,1,1,1,2 make 10; a row whose items make 11 against a total of 12 is
    refused with its line, and nothing is written; then the right file raises the banner."""
    code = first_client_of(own_copy, "clinician@demo.example")
    today = dt.date.today()
    server = start_app(own_copy)
    sign_in(page, server, "clinician@demo.example", "demo")
    open_data_page(page)
    page.get_by_role("tab", name="Import").click()
    page.locator('[data-testid="stSelectbox"]').filter(has_text="What the file holds").click()
    page.get_by_role("option", name="scores").click()
    wait_for_app(page)

    wrong = f"{code},PHQ-9,12,{today},1,1,1,1,1,1,1,2,2"
    upload(page, "wrong.csv", f"{ITEMS_HEADER}\n{wrong}\n")
    page.get_by_text("1 problem: nothing will be imported").wait_for()
    reason = page.get_by_text("the items add up to 11, not to the score 12")
    reason.first.wait_for(state="attached")  # in the problems grid (drawn on a canvas)

    right = f"{code},PHQ-9,10,{today},1,1,1,1,1,1,1,1,2"
    upload(page, "right.csv", f"{ITEMS_HEADER}\n{right}\n")
    page.get_by_role("button", name="Import 1 rows").click()
    wait_for_app(page)
    page.get_by_text("Imported scores: 1 new").wait_for()

    page.goto(server.url(f"client?client={code}"))
    wait_for_app(page)
    banner = page.locator('[data-testid="stAlertContentError"]').first
    banner.wait_for(timeout=60_000)
    text = banner.inner_text()
    assert "Risk item" in text
    assert "Thoughts that you would be better off dead, or of hurting yourself" in text
    assert "more than half the days" in text and f"{today:%d %b %Y}" in text

    page.goto(server.url("caseload"))
    wait_for_app(page)
    risks = page.locator('[data-testid="stAlertContentError"]').first
    risks.wait_for(timeout=60_000)
    assert "Risk items:" in risks.inner_text()
    page.get_by_role("link", name=code).first.wait_for()
    assert_no_exception(page)
