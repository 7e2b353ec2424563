"""Server-side sign-in sessions: a random id in an HttpOnly cookie, only its hash in the database.

Two kinds of row share the `web_sessions` table:

- `code`: a one-time sign-in code, valid for CODE_SECONDS and used once. The Streamlit script
  (which cannot set an HttpOnly cookie) makes one after a successful sign-in and sends the
  browser to the cookie route, which trades it for a session. The code is bound to the
  browser that asked for it: its row holds the hash of the code *and* that browser's nonce
  cookie, so the code alone, opened in another browser, is worth nothing (no login CSRF).
- `session`: what the cookie names. It ends on sign-out, when the account is deactivated or its
  password reset, after the idle timeout, and at the latest after MAX_SESSION_HOURS.

Times are naive UTC, like the rest of the schema. Every function takes `now` so tests can move
the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import DBAPIError

from data_access.access.viewer import Viewer
from data_access.store.config import idle_timeout_minutes
from data_access.store.engine import SQLITE_BUSY_TIMEOUT_MS, is_sqlite
from data_access.store.faults import classify_fault
from data_access.store.schema import Clinician, UserAccount, WebSession

CODE_SECONDS = 60
MAX_SESSION_HOURS = 12
TOUCH_SECONDS = 30  # last_seen_at is refreshed at most this often, to spare writes
TOUCH_WAIT_MS = 100  # how long a page view waits for SQLite's write lock before skipping it


def utc_now() -> dt.datetime:
    """The current time as the schema stores it: naive UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def token_hash(token: str) -> str:
    """SHA-256 of a random token: enough for 256-bit random ids, and what the table stores."""
    return hashlib.sha256(token.encode()).hexdigest()


def _bound(code: str, nonce: str) -> str:
    """What a code's row is found by: the code together with its browser's nonce."""
    return f"{code}.{nonce}"


def sign_out_token(token: str) -> str:
    """The per-session value a sign-out link must carry, derived from the session id, so a
    link on another site cannot sign anyone out."""
    return hashlib.sha256(f"sign-out.{token}".encode()).hexdigest()[:32]


def _new_row(
    conn: Connection, account_id: int, kind: str, now: dt.datetime, nonce: str | None = None
) -> str:
    token = secrets.token_urlsafe(32)
    conn.execute(
        insert(WebSession).values(
            token_hash=token_hash(token if nonce is None else _bound(token, nonce)),
            account_id=account_id,
            kind=kind,
            created_at=now,
            last_seen_at=now,
        )
    )
    return token


def issue_code(engine: Engine, account_id: int, nonce: str, now: dt.datetime | None = None) -> str:
    """A one-time code (valid CODE_SECONDS) that the cookie route trades for a session, only
    for the browser whose nonce cookie is `nonce`."""
    with engine.begin() as conn:
        return _new_row(conn, account_id, "code", now or utc_now(), nonce)


def exchange_code(
    engine: Engine, code: str, nonce: str, now: dt.datetime | None = None
) -> str | None:
    """Use up `code` and return a new session token, or None if the code is unknown, used,
    expired, issued to another browser (`nonce`) or its account is no longer active."""
    now = now or utc_now()
    with engine.begin() as conn:
        used = conn.execute(
            update(WebSession)
            .where(
                WebSession.token_hash == token_hash(_bound(code, nonce)),
                WebSession.kind == "code",
                WebSession.ended_at.is_(None),
            )
            .values(ended_at=now)
            .returning(WebSession.account_id, WebSession.created_at)
        ).first()
        if used is None or used.created_at < now - dt.timedelta(seconds=CODE_SECONDS):
            return None
        active = conn.execute(
            select(UserAccount.is_active).where(UserAccount.id == used.account_id)
        ).scalar()
        if not active:
            return None
        return _new_row(conn, used.account_id, "session", now)


def session_viewer(
    engine: Engine,
    token: str,
    now: dt.datetime | None = None,
    idle_minutes: int | None = None,
    touch: bool = True,
) -> Viewer | None:
    """The viewer of a live session, or None when it has ended or expired. With `touch`, the
    session counts as used now (a click); without, it is only checked (a background timer).

    A session expires `idle_minutes` (default: config.idle_timeout_minutes()) after it was last
    seen and MAX_SESSION_HOURS after it began; an expired session is ended for good.
    """
    now = now or utc_now()
    idle = dt.timedelta(
        minutes=idle_minutes if idle_minutes is not None else idle_timeout_minutes()
    )
    digest = token_hash(token)
    with engine.connect() as conn:
        row = conn.execute(
            select(
                WebSession.created_at,
                WebSession.last_seen_at,
                UserAccount.is_active,
                Clinician.id,
                Clinician.email,
                Clinician.name,
                Clinician.role,
            )
            .join(UserAccount, UserAccount.id == WebSession.account_id)
            .join(Clinician, Clinician.id == UserAccount.clinician_id)
            .where(
                WebSession.token_hash == digest,
                WebSession.kind == "session",
                WebSession.ended_at.is_(None),
            )
        ).first()
    if row is None:
        return None
    expired = (
        row.last_seen_at < now - idle
        or row.created_at < now - dt.timedelta(hours=MAX_SESSION_HOURS)
        or not row.is_active
    )
    if expired:
        _unless_busy(engine, lambda conn: _end(conn, WebSession.token_hash == digest, now))
        return None
    if touch and row.last_seen_at < now - dt.timedelta(seconds=TOUCH_SECONDS):
        _unless_busy(
            engine,
            lambda conn: conn.execute(
                update(WebSession).where(WebSession.token_hash == digest).values(last_seen_at=now)
            ),
        )
    return Viewer(row.id, row.email, row.name, row.role)


def _unless_busy(engine: Engine, change: Callable[[Connection], object]) -> None:
    """Make a bookkeeping write now, or skip it when the database cannot take it at once.

    A page view must not wait for (or fail behind) an import holding SQLite's write lock, nor
    on a full or read-only database: the last-seen time is then a little older, no more.
    """
    try:
        with engine.begin() as conn:
            if is_sqlite(conn):
                conn.exec_driver_sql(f"PRAGMA busy_timeout={TOUCH_WAIT_MS}")
            try:
                change(conn)
            finally:
                if is_sqlite(conn):
                    conn.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    except DBAPIError as exc:
        if classify_fault(exc) not in ("busy", "read_only", "full"):
            raise


def _end(conn: Connection, condition, now: dt.datetime) -> int:  # noqa: ANN001 - SQL condition
    return conn.execute(
        update(WebSession).where(condition, WebSession.ended_at.is_(None)).values(ended_at=now)
    ).rowcount


def end_session(engine: Engine, token: str, now: dt.datetime | None = None) -> bool:
    """End the session the cookie names (sign-out); True when a live session was ended."""
    with engine.begin() as conn:
        return _end(conn, WebSession.token_hash == token_hash(token), now or utc_now()) > 0


def end_account_sessions(conn: Connection, account_id: int, now: dt.datetime | None = None) -> int:
    """End every session and code of an account (deactivation, password reset); returns how
    many were live."""
    return _end(conn, WebSession.account_id == account_id, now or utc_now())
