"""In the browser: a clinician uploads scores on the Data page, sees the preview and the
problems, fixes the file, confirms, and finds the new score on the client's page.

The server runs on a copy of the demo database, so the shared demo stays untouched.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from data_access.engine import new_engine
from data_access.schema import AuditEvent, Client, Clinician, Score
from tests.e2e.conftest import assert_no_exception, wait_for_app

HEADER = "client_code,measure,score,recorded_on"


@pytest.fixture
def own_copy(demo_db_url: str, tmp_path: Path) -> str:
    """A private copy of the demo database for a test that writes."""
    copy = tmp_path / "demo-copy.db"
    shutil.copy(make_url(demo_db_url).database, copy)
    return f"sqlite:///{copy}"


def first_client_of(url: str, email: str) -> str:
    """The first code, in order, of the clinician's own active clients."""
    engine = new_engine(url)
    with engine.connect() as conn:
        code = (
            conn.execute(
                select(Client.code)
                .join(Clinician, Clinician.id == Client.clinician_id)
                .where(Clinician.email == email, Client.discharged_on.is_(None))
                .order_by(Client.code)
            )
            .scalars()
            .first()
        )
    engine.dispose()
    return code


def sign_in_exactly(page, server, email: str, password: str, path: str) -> None:  # noqa: ANN001
    """conftest's sign_in, with exact labels: "Password" also matches the "Show password" eye."""
    page.goto(server.url(path))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email", exact=True).wait_for(state="detached")
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
    sign_in_exactly(page, server, "clinician@demo.example", "demo", path="")
    page.get_by_role("link", name="Data").click()
    wait_for_app(page)
    page.get_by_role("tab", name="Import").click()
    page.locator('[data-testid="stSelectbox"]').filter(has_text="What the file holds").click()
    page.get_by_role("option", name="scores").click()
    wait_for_app(page)

    upload(page, "scores.csv", f"{HEADER}\n{code},PHQ-9,31,{today}\n{code},BDI,9,{today}\n")
    page.get_by_text("Preview of scores.csv").wait_for()
    page.get_by_text("2 problems: nothing will be imported").wait_for()
    assert page.get_by_role("button", name="Download the problems (CSV)").is_visible()
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
    assert exported.startswith(HEADER + "\r\n")
    assert f"{code},PHQ-9,23,{today}\r\n" in exported
    engine = new_engine(own_copy)
    with engine.connect() as conn:
        last = conn.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    engine.dispose()
    assert (last.actor_email, last.action) == ("clinician@demo.example", "export")
    assert last.detail.startswith("kind=scores rows=")

    # The Record tab links the chosen client to their progress page.
    page.get_by_role("tab", name="Record").click()
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Client").first.click()
    page.get_by_role("option", name=code, exact=True).click()
    wait_for_app(page)
    page.get_by_text(f"Progress page of {code}").click()
    wait_for_app(page)
    assert f"client={code}" in page.url
    assert_no_exception(page)
    body = page.locator('[data-testid="stMain"]')
    assert code in body.inner_text()
    # The client page (issue 3) shows the latest PHQ-9 among its headline numbers.
    assert "23" in body.inner_text()
