"""Server-side sessions behind the cookie: one-time codes, idle expiry, sign-out, and what ends
every session of an account (deactivation, password reset)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from data_access.access.accounts import reset_password, set_active, set_role
from data_access.access.web_sessions import (
    end_session,
    exchange_code,
    issue_code,
    session_viewer,
    token_hash,
)
from data_access.store.schema import UserAccount, WebSession
from tests.builders import Practice

T0 = dt.datetime(2026, 3, 2, 9, 0)
NONCE = "nonce-of-cleos-browser"
MIN = dt.timedelta(minutes=1)


def _signed_in(engine: Engine) -> tuple[Practice, int, str]:
    """A practice with an admin and clinician Cleo, and a live session token for Cleo."""
    practice = Practice(engine)
    practice.admin = practice.clinician("Ada", role="admin", password="correct horse")
    cleo = practice.clinician("Cleo", email="cleo@example.org", password="correct horse")
    with engine.connect() as conn:
        account = conn.execute(
            select(UserAccount.id).where(UserAccount.clinician_id == cleo)
        ).scalar_one()
    token = exchange_code(engine, issue_code(engine, account, NONCE, now=T0), NONCE, now=T0)
    assert token is not None
    return practice, account, token


def test_a_code_buys_one_session_once(engine: Engine) -> None:
    practice, account, _ = _signed_in(engine)
    code = issue_code(engine, account, NONCE, now=T0)
    assert exchange_code(engine, code, NONCE, now=T0 + dt.timedelta(seconds=5)) is not None
    assert exchange_code(engine, code, NONCE, now=T0 + dt.timedelta(seconds=6)) is None
    assert exchange_code(engine, "made-up", NONCE, now=T0) is None


def test_a_code_is_worth_nothing_with_another_browsers_nonce(engine: Engine) -> None:
    _, account, _ = _signed_in(engine)
    code = issue_code(engine, account, NONCE, now=T0)
    assert exchange_code(engine, code, "another-browser", now=T0) is None
    assert exchange_code(engine, code, "", now=T0) is None
    assert exchange_code(engine, code, NONCE, now=T0) is not None


def test_a_code_expires_after_a_minute(engine: Engine) -> None:
    _, account, _ = _signed_in(engine)
    code = issue_code(engine, account, NONCE, now=T0)
    assert exchange_code(engine, code, NONCE, now=T0 + dt.timedelta(seconds=61)) is None


def test_a_code_is_no_session_and_a_session_no_code(engine: Engine) -> None:
    _, account, token = _signed_in(engine)
    code = issue_code(engine, account, NONCE, now=T0)
    assert session_viewer(engine, code, now=T0) is None
    assert exchange_code(engine, token, NONCE, now=T0) is None


def test_the_database_holds_only_hashes_of_tokens(engine: Engine) -> None:
    _, _, token = _signed_in(engine)
    with engine.connect() as conn:
        stored = set(conn.execute(select(WebSession.token_hash)).scalars())
    assert token not in stored and token_hash(token) in stored


def test_a_session_expires_after_thirty_idle_minutes(engine: Engine) -> None:
    _, _, token = _signed_in(engine)
    assert session_viewer(engine, token, now=T0 + 20 * MIN, idle_minutes=30).name == "Cleo"
    # Seen at 9:20, so 9:45 is 25 idle minutes: still signed in.
    assert session_viewer(engine, token, now=T0 + 45 * MIN, idle_minutes=30) is not None
    # Nothing after 9:45 until 10:16: 31 idle minutes, the session is over for good.
    assert session_viewer(engine, token, now=T0 + 76 * MIN, idle_minutes=30) is None
    assert session_viewer(engine, token, now=T0 + 46 * MIN, idle_minutes=30) is None


def test_the_idle_time_comes_from_the_configuration(engine: Engine, monkeypatch) -> None:  # noqa: ANN001
    _, _, token = _signed_in(engine)
    monkeypatch.setenv("BETWEEN_SESSIONS_IDLE_MINUTES", "5")
    assert session_viewer(engine, token, now=T0 + 6 * MIN) is None


def test_no_session_outlives_twelve_hours_even_when_busy(engine: Engine) -> None:
    _, _, token = _signed_in(engine)
    for minutes in range(20, 12 * 60, 20):
        assert session_viewer(engine, token, now=T0 + minutes * MIN) is not None
    assert session_viewer(engine, token, now=T0 + (12 * 60 + 1) * MIN) is None


def test_sign_out_ends_the_session_for_every_tab(engine: Engine) -> None:
    _, _, token = _signed_in(engine)
    assert end_session(engine, token, now=T0 + MIN)
    assert session_viewer(engine, token, now=T0 + 2 * MIN) is None
    assert not end_session(engine, token, now=T0 + 3 * MIN)


def test_deactivation_and_password_reset_end_open_sessions(engine: Engine) -> None:
    practice, account, token = _signed_in(engine)
    admin = practice.viewer(practice.admin)
    reset_password(engine, admin, "cleo@example.org", "a new password")
    assert session_viewer(engine, token, now=T0 + MIN) is None

    token = exchange_code(engine, issue_code(engine, account, NONCE, now=T0), NONCE, now=T0)
    code = issue_code(engine, account, NONCE, now=T0)
    set_active(engine, admin, "cleo@example.org", active=False)
    assert session_viewer(engine, token, now=T0 + MIN) is None
    assert exchange_code(engine, code, NONCE, now=T0 + MIN) is None


def test_a_role_change_applies_to_the_open_session(engine: Engine) -> None:
    practice, _, token = _signed_in(engine)
    set_role(engine, practice.viewer(practice.admin), "cleo@example.org", "supervisor")
    assert session_viewer(engine, token, now=T0 + MIN).role == "supervisor"


def test_a_background_check_does_not_count_as_activity(engine: Engine) -> None:
    _, _, token = _signed_in(engine)
    for minutes in (10, 20, 29):
        assert session_viewer(engine, token, now=T0 + minutes * MIN, touch=False) is not None
    assert session_viewer(engine, token, now=T0 + 31 * MIN, touch=False) is None
