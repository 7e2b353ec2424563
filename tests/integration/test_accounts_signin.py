"""Sign-in with a password: wrong password, unknown email, lockout and its expiry, deactivated
accounts, and what the audit trail records (never a password)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from data_access.access.accounts import FAILED_MESSAGE, LOCKED_MESSAGE, set_active, sign_in
from data_access.store.schema import AuditEvent, SignInAttempt
from tests.builders import Practice

T0 = dt.datetime(2026, 3, 2, 9, 0)
MIN = dt.timedelta(minutes=1)


def _practice(engine: Engine) -> Practice:
    practice = Practice(engine)
    practice.admin = practice.clinician(
        "Ada Admin", role="admin", email="ada@example.org", password="correct horse"
    )
    practice.cleo = practice.clinician("Cleo", email="cleo@example.org", password="correct horse")
    return practice


def _events(engine: Engine) -> list[tuple[str | None, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(AuditEvent.actor_email, AuditEvent.action, AuditEvent.detail).order_by(
                AuditEvent.id
            )
        ).all()
    return [tuple(r) for r in rows]


def test_right_password_signs_in_and_is_audited(engine: Engine) -> None:
    _practice(engine)
    result = sign_in(engine, "  Cleo@Example.org ", "correct horse", now=T0)
    assert result.ok
    assert (result.viewer.email, result.viewer.role) == ("cleo@example.org", "clinician")
    assert _events(engine) == [("cleo@example.org", "sign_in", "password")]


def test_wrong_password_and_unknown_email_get_the_same_answer(engine: Engine) -> None:
    _practice(engine)
    wrong = sign_in(engine, "cleo@example.org", "incorrect horse", now=T0)
    unknown = sign_in(engine, "nobody@example.org", "correct horse", now=T0)
    assert not wrong.ok and not unknown.ok
    assert wrong.message == unknown.message == FAILED_MESSAGE
    assert _events(engine) == [
        ("cleo@example.org", "sign_in_failed", "wrong password"),
        ("nobody@example.org", "sign_in_failed", "unknown email"),
    ]


def test_five_failures_in_fifteen_minutes_lock_the_email_for_fifteen_minutes(
    engine: Engine,
) -> None:
    _practice(engine)
    answers = [
        sign_in(engine, "cleo@example.org", "guess", now=T0 + i * 3 * MIN).message for i in range(5)
    ]
    # Failures at 9:00, 9:03, 9:06, 9:09 and 9:12: the fifth locks until 9:27.
    assert answers == [FAILED_MESSAGE] * 4 + [LOCKED_MESSAGE]
    locked = sign_in(engine, "cleo@example.org", "correct horse", now=T0 + 26 * MIN)
    assert not locked.ok and locked.message == LOCKED_MESSAGE
    # Attempts while locked do not extend the lock: at 9:27 the right password works again.
    assert sign_in(engine, "cleo@example.org", "correct horse", now=T0 + 27 * MIN).ok


def test_a_lock_does_not_spill_over_to_other_accounts(engine: Engine) -> None:
    _practice(engine)
    for i in range(5):
        sign_in(engine, "cleo@example.org", "guess", now=T0 + i * MIN)
    assert sign_in(engine, "ada@example.org", "correct horse", now=T0 + 5 * MIN).ok


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(engine: Engine) -> None:
    _practice(engine)
    for i in range(5):  # 9:00 … 9:16: never five within fifteen minutes
        assert sign_in(engine, "cleo@example.org", "guess", now=T0 + i * 4 * MIN).message == (
            FAILED_MESSAGE
        )
    assert sign_in(engine, "cleo@example.org", "correct horse", now=T0 + 17 * MIN).ok


def test_unknown_emails_lock_exactly_like_real_ones(engine: Engine) -> None:
    """The lock itself must not reveal which emails have accounts."""
    _practice(engine)
    real = [sign_in(engine, "cleo@example.org", "x", now=T0 + i * MIN).message for i in range(6)]
    fake = [sign_in(engine, "ghost@example.org", "x", now=T0 + i * MIN).message for i in range(6)]
    assert real == fake == [FAILED_MESSAGE] * 4 + [LOCKED_MESSAGE] * 2


def test_a_success_clears_earlier_failures(engine: Engine) -> None:
    _practice(engine)
    for i in range(4):
        sign_in(engine, "cleo@example.org", "guess", now=T0 + i * MIN)
    assert sign_in(engine, "cleo@example.org", "correct horse", now=T0 + 4 * MIN).ok
    assert sign_in(engine, "cleo@example.org", "guess", now=T0 + 5 * MIN).message == FAILED_MESSAGE
    with engine.connect() as conn:
        assert len(conn.execute(select(SignInAttempt.id)).all()) == 1


def test_a_deactivated_account_cannot_sign_in_even_with_the_right_password(
    engine: Engine,
) -> None:
    practice = _practice(engine)
    set_active(engine, practice.viewer(practice.admin), "cleo@example.org", active=False)
    result = sign_in(engine, "cleo@example.org", "correct horse", now=T0)
    assert not result.ok and result.message == FAILED_MESSAGE
    assert _events(engine)[-1] == ("cleo@example.org", "sign_in_failed", "account deactivated")
    set_active(engine, practice.viewer(practice.admin), "cleo@example.org", active=True)
    assert sign_in(engine, "cleo@example.org", "correct horse", now=T0).ok


def test_no_password_reaches_the_audit_trail(engine: Engine) -> None:
    _practice(engine)
    sign_in(engine, "cleo@example.org", "my secret guess", now=T0)
    sign_in(engine, "correct horse", "cleo@example.org", now=T0)  # fields swapped by mistake
    logged = " ".join(str(v) for event in _events(engine) for v in event)
    assert "secret" not in logged and "horse" not in logged
    assert _events(engine)[-1][0] == "(not an email address)"
    with engine.connect() as conn:
        attempts = list(conn.execute(select(SignInAttempt.email)).scalars())
    assert attempts == ["cleo@example.org", "(not an email address)"]
