"""The Admin page: refused to everyone but admins; for admins, account changes that are
validated, visible at once and audited, and an audit log that filters."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from data_access.access.accounts import sign_in
from data_access.store.schema import AuditEvent
from tests.builders import Practice
from tests.pagetest import as_shown, sign_in_as

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "admin.py")


@pytest.fixture
def practice(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Practice:
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    practice = Practice(sqlite_engine)
    practice.ada = practice.clinician(
        "Ada", role="admin", email="ada@example.org", password="pw-admin-1"
    )
    practice.sam = practice.clinician(
        "Sam", role="supervisor", email="sam@example.org", password="pw-super-1"
    )
    practice.cleo = practice.clinician(
        "Cleo", supervisor=practice.sam, email="cleo@example.org", password="pw-clin-1"
    )
    return practice


def _page(practice: Practice, who: int) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    sign_in_as(at, practice.viewer(who))
    return at.run()


def _button(at: AppTest, label: str):  # noqa: ANN202 - AppTest widget
    [button] = [b for b in at.button if b.label == label]
    return button


def _by_label(widgets, label: str):  # noqa: ANN001, ANN202 - AppTest widgets
    [widget] = [w for w in widgets if w.label == label]
    return widget


@pytest.mark.parametrize("who", ["cleo", "sam"])
def test_the_page_refuses_everyone_but_admins_and_shows_nothing(
    practice: Practice, sqlite_engine: Engine, who: str
) -> None:
    at = _page(practice, getattr(practice, who))
    assert not at.exception
    assert at.error[0].value.startswith("This page is only for admins.")
    assert not at.dataframe and not at.text_input and not at.tabs
    with sqlite_engine.connect() as conn:
        event = conn.execute(select(AuditEvent.actor_email, AuditEvent.action)).one()
    assert tuple(event) == (f"{who}@example.org", "denied")


def test_an_admin_sees_every_account(practice: Practice) -> None:
    at = _page(practice, practice.ada)
    assert not at.exception
    accounts = at.dataframe[0].value
    assert accounts["email"].tolist() == ["ada@example.org", "cleo@example.org", "sam@example.org"]
    assert accounts.set_index("email").loc["cleo@example.org", "supervisor_email"] == (
        "sam@example.org"
    )


def test_creating_an_account_validates_like_the_cli(practice: Practice) -> None:
    at = _page(practice, practice.ada)
    _by_label(at.text_input, "New account's email").input("nia@example.org")
    _by_label(at.text_input, "Name").input("Nia")
    _by_label(at.text_input, "Initial password").input("short")
    at = _button(at, "Create account").click().run()
    assert [e.value for e in at.error] == ["Not changed: password must have at least 8 characters."]


def test_creating_an_account_shows_it_and_it_can_sign_in(
    practice: Practice, sqlite_engine: Engine
) -> None:
    at = _page(practice, practice.ada)
    _by_label(at.text_input, "New account's email").input("Nia@Example.org")
    _by_label(at.text_input, "Name").input("Nia")
    _by_label(at.selectbox, "Role").select("supervisor")
    _by_label(at.text_input, "Initial password").input("long enough")
    at = _button(at, "Create account").click().run()
    assert as_shown(at.success[0].value) == "Created the supervisor account nia@example.org."
    assert "nia@example.org" in at.dataframe[0].value["email"].tolist()
    assert sign_in(sqlite_engine, "nia@example.org", "long enough").viewer.role == "supervisor"


def test_re_role_and_deactivate_from_the_page(practice: Practice, sqlite_engine: Engine) -> None:
    at = _page(practice, practice.ada)
    _by_label(at.selectbox, "Account").select("cleo@example.org")
    at.run()
    _by_label(at.selectbox, "New role").select("supervisor")
    at = _button(at, "Change role").click().run()
    assert as_shown(at.success[0].value) == "cleo@example.org is now a supervisor."
    _by_label(at.selectbox, "Account").select("cleo@example.org")
    at = _button(at.run(), "Deactivate account").click().run()
    assert as_shown(at.success[0].value) == "cleo@example.org is now deactivated."
    row = at.dataframe[0].value.set_index("email").loc["cleo@example.org"]
    assert (row["role"], bool(row["active"])) == ("supervisor", False)
    assert not sign_in(sqlite_engine, "cleo@example.org", "pw-clin-1").ok


def test_an_admin_cannot_deactivate_themselves_from_the_page(practice: Practice) -> None:
    at = _page(practice, practice.ada)
    _by_label(at.selectbox, "Account").select("ada@example.org")
    at = _button(at.run(), "Deactivate account").click().run()
    assert [e.value for e in at.error] == ["Not changed: you cannot deactivate your own account."]


def test_the_audit_log_lists_and_filters_events(practice: Practice, sqlite_engine: Engine) -> None:
    sign_in(sqlite_engine, "cleo@example.org", "pw-clin-1")
    sign_in(sqlite_engine, "sam@example.org", "wrong password")
    at = _page(practice, practice.ada)
    log = at.dataframe[1].value
    assert log["action"].tolist() == ["sign_in_failed", "sign_in"]
    assert "2 events" in at.markdown[-1].value
    _by_label(at.selectbox, "Action").select("sign_in")
    at.run()
    assert at.dataframe[1].value["actor_email"].tolist() == ["cleo@example.org"]
    _by_label(at.selectbox, "Action").select("(all)")
    _by_label(at.text_input, "Who (email contains)").input("sam")
    at.run()
    assert at.dataframe[1].value["actor_email"].tolist() == ["sam@example.org"]
