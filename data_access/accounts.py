"""User accounts: creating them with validation, and checking a password at sign-in."""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, func, select

from data_access.engine import write
from data_access.errors import DataError
from data_access.passwords import DUMMY_HASH, MIN_PASSWORD_LENGTH, hash_password, verify_password
from data_access.schema import ROLES, Clinician, UserAccount
from data_access.viewer import Viewer

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    """Emails are matched without regard to case or surrounding spaces."""
    return email.strip().lower()


def validate_new_user(email: str, name: str, role: str, password: str | None) -> None:
    """Raise DataError for the first thing wrong with a new account's details."""
    record = f"user {email.strip() or '(no email)'}"
    if not EMAIL.match(normalise_email(email)):
        raise DataError(record, "email is not a valid address")
    if not name.strip():
        raise DataError(record, "name is empty")
    if role not in ROLES:
        raise DataError(record, f"role must be one of {', '.join(ROLES)}")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise DataError(record, f"password must have at least {MIN_PASSWORD_LENGTH} characters")


def create_user(
    engine: Engine,
    *,
    email: str,
    name: str,
    role: str,
    password: str | None,
    supervisor_email: str | None = None,
) -> int:
    """Create a clinician (or reuse the one with this email) and their account; returns its id.

    `password=None` makes an account that can only sign in through single sign-on.
    """
    validate_new_user(email, name, role, password)
    email = normalise_email(email)
    record = f"user {email}"
    with write(engine, record) as conn:
        supervisor_id = None
        if supervisor_email:
            supervisor_id = conn.execute(
                select(Clinician.id).where(Clinician.email == normalise_email(supervisor_email))
            ).scalar()
            if supervisor_id is None:
                raise DataError(record, f"supervisor {supervisor_email} does not exist")
        clinician_id = conn.execute(select(Clinician.id).where(Clinician.email == email)).scalar()
        if clinician_id is None:
            clinician_id = conn.execute(
                Clinician.__table__.insert().values(
                    email=email, name=name.strip(), role=role, supervisor_id=supervisor_id
                )
            ).inserted_primary_key[0]
        else:
            conn.execute(
                Clinician.__table__.update()
                .where(Clinician.id == clinician_id)
                .values(name=name.strip(), role=role, supervisor_id=supervisor_id)
            )
        has_account = conn.execute(
            select(func.count()).where(UserAccount.clinician_id == clinician_id)
        ).scalar()
        if has_account:
            raise DataError(record, "an account with this email already exists")
        password_hash = hash_password(password) if password is not None else None
        return conn.execute(
            UserAccount.__table__.insert().values(
                clinician_id=clinician_id, password_hash=password_hash, is_active=True
            )
        ).inserted_primary_key[0]


def viewer_for_email(conn: Connection, email: str) -> Viewer | None:
    """The active account's viewer for `email`, or None."""
    row = conn.execute(
        select(Clinician.id, Clinician.email, Clinician.name, Clinician.role)
        .join(UserAccount, UserAccount.clinician_id == Clinician.id)
        .where(Clinician.email == normalise_email(email), UserAccount.is_active.is_(True))
    ).first()
    return Viewer(*row) if row else None


def authenticate(conn: Connection, email: str, password: str) -> Viewer | None:
    """The viewer when the email and password match an active account, else None.

    An unknown email still costs one hash verification, so timing does not reveal accounts.
    """
    row = conn.execute(
        select(UserAccount.password_hash, UserAccount.is_active)
        .join(Clinician, UserAccount.clinician_id == Clinician.id)
        .where(Clinician.email == normalise_email(email))
    ).first()
    if row is None:
        verify_password(DUMMY_HASH, password)
        return None
    if not verify_password(row.password_hash, password) or not row.is_active:
        return None
    return viewer_for_email(conn, email)


def account_count(conn: Connection) -> int:
    """How many accounts exist (zero means the first admin must be created with the CLI)."""
    return conn.execute(select(func.count()).select_from(UserAccount)).scalar() or 0
