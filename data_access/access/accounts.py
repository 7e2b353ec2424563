"""User accounts: creating and administering them with validation, and signing in.

Sign-in is throttled per email: after LOCK_AFTER failures within LOCK_WINDOW the email is locked
for LOCK_FOR. Unknown emails are counted and locked exactly like real ones, and both cost one
argon2 verification, so neither the message nor the timing says whether an account exists.
Every change to an account and every sign-in is written to the audit trail in the same
transaction as the change itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.orm import aliased

from data_access.access import audit
from data_access.access.passwords import (
    DUMMY_HASH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    verify_password,
)
from data_access.access.viewer import Viewer
from data_access.access.web_sessions import end_account_sessions, utc_now
from data_access.reads.frames import read_frame
from data_access.records.text_rules import name_problem
from data_access.store.engine import write
from data_access.store.errors import DataError, NotInScope
from data_access.store.schema import ROLES, Clinician, SignInAttempt, UserAccount

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LOCK_AFTER = 5
LOCK_WINDOW = dt.timedelta(minutes=15)
LOCK_FOR = dt.timedelta(minutes=15)
FAILED_MESSAGE = "That email and password do not match an active account."
LOCKED_MESSAGE = (
    "Too many failed sign-ins for this email. "
    f"Please wait {int(LOCK_FOR.total_seconds() // 60)} minutes and try again."
)


def normalise_email(email: str) -> str:
    """Emails are matched without regard to case or surrounding spaces."""
    return email.strip().lower()


def validate_new_user(email: str, name: str, role: str, password: str | None) -> None:
    """Raise DataError for the first thing wrong with a new account's details."""
    record = f"user {email.strip() or '(no email)'}"
    if not EMAIL.match(normalise_email(email)):
        raise DataError(record, "email is not a valid address")
    if problem := name_problem(name):
        raise DataError(record, problem)
    if role not in ROLES:
        raise DataError(record, f"role must be one of {', '.join(ROLES)}")
    if password is not None:
        validate_password(record, password)


def validate_password(record: str, password: str) -> None:
    """Raise DataError when a new password is too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DataError(record, f"password must have at least {MIN_PASSWORD_LENGTH} characters")


def _clinician_id(conn: Connection, email: str) -> int | None:
    return conn.execute(
        select(Clinician.id).where(Clinician.email == normalise_email(email))
    ).scalar()


def create_user(
    engine: Engine,
    *,
    email: str,
    name: str,
    role: str,
    password: str | None,
    supervisor_email: str | None = None,
    actor: Viewer | None = None,
) -> int:
    """Create a clinician (or reuse the one with this email) and their account; returns its id.

    `password=None` makes an account that can only sign in through single sign-on. `actor` is
    the admin doing it in the dashboard (None: the command line); the creation is audited.
    """
    validate_new_user(email, name, role, password)
    email = normalise_email(email)
    record = f"user {email}"
    with write(engine, record) as conn:
        supervisor_id = None
        if supervisor_email:
            supervisor_id = _clinician_id(conn, supervisor_email)
            if supervisor_id is None:
                raise DataError(record, f"supervisor {supervisor_email} does not exist")
        clinician_id = _clinician_id(conn, email)
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
        account_id = conn.execute(
            UserAccount.__table__.insert().values(
                clinician_id=clinician_id, password_hash=password_hash, is_active=True
            )
        ).inserted_primary_key[0]
        how = "with a password" if password is not None else "for single sign-on only"
        by = "" if actor is not None else " (command line)"
        audit.record(conn, actor, "account", None, f"created {role} account {email} {how}{by}")
        return account_id


def viewer_for_email(conn: Connection, email: str) -> Viewer | None:
    """The active account's viewer for `email`, or None."""
    row = conn.execute(
        select(Clinician.id, Clinician.email, Clinician.name, Clinician.role)
        .join(UserAccount, UserAccount.clinician_id == Clinician.id)
        .where(Clinician.email == normalise_email(email), UserAccount.is_active.is_(True))
    ).first()
    return Viewer(*row) if row else None


def account_id_for(conn: Connection, viewer: Viewer) -> int | None:
    """The account id of a signed-in viewer (the key web sessions hang on)."""
    return conn.execute(
        select(UserAccount.id).where(UserAccount.clinician_id == viewer.clinician_id)
    ).scalar()


def authenticate(conn: Connection, email: str, password: str) -> Viewer | None:
    """The viewer when the email and password match an active account, else None.

    No throttling and no audit: `sign_in` is what the sign-in form uses. An unknown email
    still costs one hash verification, so timing does not reveal accounts.
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


@dataclass(frozen=True)
class SignInResult:
    """What a sign-in attempt came to: a viewer, or a message that reveals nothing."""

    viewer: Viewer | None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.viewer is not None


def locked_until(conn: Connection, email: str, now: dt.datetime) -> dt.datetime | None:
    """When the lock on `email` ends, or None when it is not locked at `now`.

    Locked: LOCK_AFTER failures within LOCK_WINDOW, the last of them less than LOCK_FOR ago.
    Attempts refused while locked are not counted, so the lock really ends after LOCK_FOR.
    """
    times = list(
        conn.execute(
            select(SignInAttempt.at)
            .where(
                SignInAttempt.email == _audit_name(email),
                SignInAttempt.at > now - LOCK_WINDOW - LOCK_FOR,
            )
            .order_by(SignInAttempt.at)
        ).scalars()
    )
    ends = [
        times[i] + LOCK_FOR
        for i in range(LOCK_AFTER - 1, len(times))
        if times[i] - times[i - LOCK_AFTER + 1] <= LOCK_WINDOW and times[i] + LOCK_FOR > now
    ]
    return max(ends) if ends else None


def _audit_name(email: str) -> str:
    """What the audit trail and the attempts table record for a typed email: never something
    that is not an email (people type passwords into the wrong box)."""
    email = normalise_email(email)[:254]
    return email if EMAIL.match(email) else "(not an email address)"


def sign_in(
    engine: Engine, email: str, password: str, now: dt.datetime | None = None
) -> SignInResult:
    """Check a password sign-in with lockout, and audit it (success or failure)."""
    now = now or utc_now()
    email = normalise_email(email)
    name = _audit_name(email)
    with engine.connect() as conn:
        locked = locked_until(conn, email, now) is not None
        row = conn.execute(
            select(UserAccount.password_hash, UserAccount.is_active)
            .join(Clinician, UserAccount.clinician_id == Clinician.id)
            .where(Clinician.email == email)
        ).first()
    # Always one verification, so a lock, an unknown email and a wrong password take as long.
    matches = verify_password(row.password_hash if row and not locked else DUMMY_HASH, password)
    with engine.begin() as conn:
        if locked:
            audit.record(conn, name, "sign_in_failed", None, "refused: locked after failures")
            return SignInResult(None, LOCKED_MESSAGE)
        if row is not None and matches and row.is_active:
            conn.execute(delete(SignInAttempt).where(SignInAttempt.email == email))
            audit.record(conn, name, "sign_in", None, "password")
            return SignInResult(viewer_for_email(conn, email))
        if row is None:
            reason = "unknown email"
        else:
            reason = "account deactivated" if matches else "wrong password"
        conn.execute(insert(SignInAttempt).values(email=name, at=now))
        audit.record(conn, name, "sign_in_failed", None, reason)
        locked = locked_until(conn, email, now) is not None
    return SignInResult(None, LOCKED_MESSAGE if locked else FAILED_MESSAGE)


def sso_viewer(conn: Connection, claims: Mapping[str, object]) -> Viewer | None:
    """The active account matching an identity provider's claims by email, or None.

    The provider must vouch for the email: a claim `email_verified` that is present and not
    true is refused. Matching ignores case and surrounding spaces, like password sign-in.
    """
    email = claims.get("email")
    if not isinstance(email, str) or not EMAIL.match(normalise_email(email)):
        return None
    if "email_verified" in claims and claims["email_verified"] not in (True, "true"):
        return None
    return viewer_for_email(conn, email)


def account_count(conn: Connection) -> int:
    """How many accounts exist (zero means the first admin must be created with the CLI)."""
    return conn.execute(select(func.count()).select_from(UserAccount)).scalar() or 0


# ---- administration (admins only; every change audited) -----------------------------------


def _require_admin(actor: Viewer) -> None:
    if not actor.is_admin:
        raise NotInScope("accounts", "only admins manage accounts")


def list_accounts(conn: Connection, actor: Viewer) -> pd.DataFrame:
    """Every account for the admin page.

    Columns: email, name, role, supervisor_email, active, sign_in ("password" / "single
    sign-on only"), created_at.
    """
    _require_admin(actor)
    boss = aliased(Clinician)
    query = (
        select(
            Clinician.email,
            Clinician.name,
            Clinician.role,
            boss.email.label("supervisor_email"),
            UserAccount.is_active.label("active"),
            (UserAccount.password_hash.is_not(None)).label("has_password"),
            UserAccount.created_at,
        )
        .join(UserAccount, UserAccount.clinician_id == Clinician.id)
        .outerjoin(boss, boss.id == Clinician.supervisor_id)
        .order_by(Clinician.email)
    )
    frame = read_frame(query, conn)
    frame["active"] = frame["active"].astype(bool)
    frame.insert(
        5,
        "sign_in",
        frame.pop("has_password").map({True: "password", False: "single sign-on only"}),
    )
    return frame


def _account(conn: Connection, email: str) -> tuple[int, int, str, bool]:
    """(account id, clinician id, role, active) for `email`, or DataError."""
    row = conn.execute(
        select(UserAccount.id, Clinician.id, Clinician.role, UserAccount.is_active)
        .join(Clinician, Clinician.id == UserAccount.clinician_id)
        .where(Clinician.email == normalise_email(email))
    ).first()
    if row is None:
        raise DataError(f"user {email}", "no account with this email")
    return tuple(row)


def _active_admins(conn: Connection) -> int:
    return conn.execute(
        select(func.count())
        .select_from(UserAccount)
        .join(Clinician, Clinician.id == UserAccount.clinician_id)
        .where(Clinician.role == "admin", UserAccount.is_active.is_(True))
    ).scalar()


def set_active(engine: Engine, actor: Viewer, email: str, active: bool) -> None:
    """Deactivate (ending every session at once) or reactivate an account."""
    _require_admin(actor)
    record = f"user {normalise_email(email)}"
    with write(engine, record) as conn:
        account_id, clinician_id, role, was_active = _account(conn, email)
        if not active and clinician_id == actor.clinician_id:
            raise DataError(record, "you cannot deactivate your own account")
        if not active and role == "admin" and was_active and _active_admins(conn) <= 1:
            raise DataError(record, "this is the last active admin account")
        conn.execute(
            update(UserAccount).where(UserAccount.id == account_id).values(is_active=active)
        )
        if not active:
            end_account_sessions(conn, account_id)
        verb = "reactivated" if active else "deactivated"
        audit.record(conn, actor, "account", None, f"{verb} account {normalise_email(email)}")


def set_role(engine: Engine, actor: Viewer, email: str, role: str) -> None:
    """Change an account's role; an admin cannot demote themselves or the last admin."""
    _require_admin(actor)
    record = f"user {normalise_email(email)}"
    if role not in ROLES:
        raise DataError(record, f"role must be one of {', '.join(ROLES)}")
    with write(engine, record) as conn:
        _, clinician_id, old, active = _account(conn, email)
        if old == role:
            return
        if old == "admin" and clinician_id == actor.clinician_id:
            raise DataError(record, "you cannot remove your own admin role")
        if old == "admin" and active and _active_admins(conn) <= 1:
            raise DataError(record, "this is the last active admin account")
        conn.execute(update(Clinician).where(Clinician.id == clinician_id).values(role=role))
        audit.record(
            conn, actor, "account", None, f"role of {normalise_email(email)}: {old} → {role}"
        )


def reset_password(engine: Engine, actor: Viewer, email: str, password: str) -> None:
    """Set a new password, end the account's sessions and lift any lock on it."""
    _require_admin(actor)
    record = f"user {normalise_email(email)}"
    validate_password(record, password)
    with write(engine, record) as conn:
        account_id, *_ = _account(conn, email)
        conn.execute(
            update(UserAccount)
            .where(UserAccount.id == account_id)
            .values(password_hash=hash_password(password))
        )
        end_account_sessions(conn, account_id)
        conn.execute(delete(SignInAttempt).where(SignInAttempt.email == normalise_email(email)))
        audit.record(conn, actor, "account", None, f"reset password of {normalise_email(email)}")


def set_supervisor(engine: Engine, actor: Viewer, email: str, supervisor_email: str | None) -> None:
    """Assign (or with None, remove) the clinician who supervises this account's clinician."""
    _require_admin(actor)
    record = f"user {normalise_email(email)}"
    with write(engine, record) as conn:
        _, clinician_id, *_ = _account(conn, email)
        supervisor_id = None
        if supervisor_email:
            supervisor_id = _clinician_id(conn, supervisor_email)
            if supervisor_id is None:
                raise DataError(record, f"supervisor {supervisor_email} does not exist")
            if supervisor_id == clinician_id:
                raise DataError(record, "a clinician cannot supervise themselves")
        conn.execute(
            update(Clinician)
            .where(Clinician.id == clinician_id)
            .values(supervisor_id=supervisor_id)
        )
        who = normalise_email(supervisor_email) if supervisor_email else "nobody"
        audit.record(conn, actor, "account", None, f"supervisor of {normalise_email(email)}: {who}")
