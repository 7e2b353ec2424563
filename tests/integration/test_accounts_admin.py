"""Administering accounts: the same validation as the CLI, the guard rails that keep a practice
from locking itself out, single sign-on matching, and an audit event for every change."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from data_access.access.accounts import (
    create_user,
    list_accounts,
    reset_password,
    set_active,
    set_role,
    set_supervisor,
    sign_in,
    sso_viewer,
)
from data_access.store.errors import DataError, NotInScope
from data_access.store.schema import AuditEvent
from tests.builders import Practice


@pytest.fixture
def practice(engine: Engine) -> Practice:
    practice = Practice(engine)
    practice.admin = practice.clinician(
        "Ada Admin", role="admin", email="ada@example.org", password="correct horse"
    )
    practice.sam = practice.clinician(
        "Sam Super", role="supervisor", email="sam@example.org", password="correct horse"
    )
    practice.cleo = practice.clinician(
        "Cleo Clin", supervisor=practice.sam, email="cleo@example.org", password="correct horse"
    )
    return practice


def _last_event(engine: Engine) -> tuple[str | None, str, str]:
    with engine.connect() as conn:
        row = conn.execute(
            select(AuditEvent.actor_email, AuditEvent.action, AuditEvent.detail)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).one()
    return tuple(row)


def _accounts(engine: Engine, practice: Practice) -> pd.DataFrame:
    with engine.connect() as conn:
        return list_accounts(conn, practice.viewer(practice.admin)).set_index("email")


def test_the_account_list_shows_role_supervisor_and_state(engine: Engine, practice) -> None:  # noqa: ANN001
    table = _accounts(engine, practice)
    assert table.loc["cleo@example.org", ["name", "role", "supervisor_email"]].tolist() == [
        "Cleo Clin",
        "clinician",
        "sam@example.org",
    ]
    assert table["active"].tolist() == [True, True, True]
    assert set(table["sign_in"]) == {"password"}


def test_an_admin_creates_an_account_that_can_sign_in(engine: Engine, practice) -> None:  # noqa: ANN001
    admin = practice.viewer(practice.admin)
    create_user(
        engine,
        email=" Nia@Example.org",
        name="Nia New",
        role="clinician",
        password="long enough",
        supervisor_email="sam@example.org",
        actor=admin,
    )
    assert sign_in(engine, "nia@example.org", "long enough").ok
    assert _accounts(engine, practice).loc["nia@example.org", "supervisor_email"] == (
        "sam@example.org"
    )
    with engine.connect() as conn:
        created = conn.execute(
            select(AuditEvent.actor_email, AuditEvent.detail).where(AuditEvent.action == "account")
        ).one()
    assert tuple(created) == (
        "ada@example.org",
        "created clinician account nia@example.org with a password",
    )


@pytest.mark.parametrize(
    ("email", "name", "role", "password", "supervisor", "reason"),
    [
        ("not-an-email", "N", "clinician", "long enough", None, "email is not a valid address"),
        ("n@example.org", "  ", "clinician", "long enough", None, "a name must not be empty"),
        ("n@example.org", "N\nM", "clinician", "long enough", None, "control characters"),
        ("n@example.org", "N", "boss", "long enough", None, "role must be one of"),
        ("n@example.org", "N", "clinician", "short", None, "at least 8 characters"),
        ("n@example.org", "N", "clinician", "long enough", "x@example.org", "does not exist"),
        ("cleo@example.org", "C", "clinician", "long enough", None, "already exists"),
    ],
)
def test_creation_is_validated_like_the_cli(
    engine: Engine,
    practice,  # noqa: ANN001
    email: str,
    name: str,
    role: str,
    password: str,
    supervisor: str | None,
    reason: str,
) -> None:
    with pytest.raises(DataError, match=reason):
        create_user(
            engine,
            email=email,
            name=name,
            role=role,
            password=password,
            supervisor_email=supervisor,
            actor=practice.viewer(practice.admin),
        )


def test_only_admins_administer(engine: Engine, practice) -> None:  # noqa: ANN001
    sam = practice.viewer(practice.sam)
    with pytest.raises(NotInScope), engine.connect() as conn:
        list_accounts(conn, sam)
    with pytest.raises(NotInScope):
        set_role(engine, sam, "cleo@example.org", "supervisor")
    with pytest.raises(NotInScope):
        reset_password(engine, sam, "cleo@example.org", "long enough")


def test_re_role_reset_supervisor_and_deactivate_are_audited(engine: Engine, practice) -> None:  # noqa: ANN001
    admin = practice.viewer(practice.admin)
    set_role(engine, admin, "cleo@example.org", "supervisor")
    assert _last_event(engine) == (
        "ada@example.org",
        "account",
        "role of cleo@example.org: clinician → supervisor",
    )
    set_supervisor(engine, admin, "cleo@example.org", None)
    assert _last_event(engine)[2] == "supervisor of cleo@example.org: nobody"
    reset_password(engine, admin, "cleo@example.org", "brand new pass")
    assert _last_event(engine)[2] == "reset password of cleo@example.org"
    assert sign_in(engine, "cleo@example.org", "brand new pass").ok
    set_active(engine, admin, "cleo@example.org", active=False)
    assert _last_event(engine)[2] == "deactivated account cleo@example.org"
    table = _accounts(engine, practice)
    assert table.loc["cleo@example.org", ["role", "active"]].tolist() == ["supervisor", False]
    assert pd.isna(table.loc["cleo@example.org", "supervisor_email"])


def test_guard_rails_keep_an_admin_in_charge(engine: Engine, practice) -> None:  # noqa: ANN001
    admin = practice.viewer(practice.admin)
    with pytest.raises(DataError, match="your own account"):
        set_active(engine, admin, "ada@example.org", active=False)
    with pytest.raises(DataError, match="your own admin role"):
        set_role(engine, admin, "ada@example.org", "clinician")
    with pytest.raises(DataError, match="cannot supervise themselves"):
        set_supervisor(engine, admin, "cleo@example.org", "cleo@example.org")
    with pytest.raises(DataError, match="at least 8"):
        reset_password(engine, admin, "cleo@example.org", "short")
    with pytest.raises(DataError, match="no account"):
        set_role(engine, admin, "ghost@example.org", "admin")


def test_the_last_active_admin_cannot_be_demoted(engine: Engine, practice) -> None:  # noqa: ANN001
    ada = practice.viewer(practice.admin)  # a page still holding Ada as she signed in
    set_role(engine, ada, "sam@example.org", "admin")
    set_role(engine, practice.viewer(practice.sam), "ada@example.org", "clinician")
    with pytest.raises(DataError, match="last active admin"):
        set_role(engine, ada, "sam@example.org", "clinician")
    with pytest.raises(DataError, match="last active admin"):
        set_active(engine, ada, "sam@example.org", active=False)


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"email": "cleo@example.org", "email_verified": True}, "cleo@example.org"),
        ({"email": "  CLEO@example.ORG "}, "cleo@example.org"),
        ({"email": "cleo@example.org", "email_verified": False}, None),
        ({"email": "stranger@example.org", "email_verified": True}, None),
        ({"sub": "12345"}, None),
        ({"email": 42}, None),
    ],
)
def test_single_sign_on_matches_an_active_account_by_verified_email(
    engine: Engine,
    practice,  # noqa: ANN001
    claims: dict,
    expected: str | None,
) -> None:
    with engine.connect() as conn:
        viewer = sso_viewer(conn, claims)
    assert (viewer.email if viewer else None) == expected


def test_single_sign_on_refuses_a_deactivated_account(engine: Engine, practice) -> None:  # noqa: ANN001
    set_active(engine, practice.viewer(practice.admin), "cleo@example.org", active=False)
    with engine.connect() as conn:
        assert sso_viewer(conn, {"email": "cleo@example.org", "email_verified": True}) is None
