"""Database faults in plain words: unreachable, full, read-only or busy, never a traceback.

Pages and the command line show these sentences instead of the driver's error, which would
carry SQL, paths and sometimes row values. A fault is not the data's fault: the same request
works again once the database is back, so pages retry by themselves.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from data_access.store.errors import DataError

MESSAGES = {
    "unreachable": "the database cannot be reached",
    "full": "the database is full",
    "read_only": "the database is read-only",
    "busy": "the database is busy",
}
# Lower-case fragments of SQLite's and PostgreSQL's (psycopg's) messages, first match wins.
_SIGNS = (
    ("full", ("database or disk is full", "no space left on device", "disk full")),
    ("read_only", ("readonly database", "read-only transaction", "read-only file system")),
    ("busy", ("database is locked", "database is busy", "lock timeout", "too many clients")),
    (
        "unreachable",
        (
            "unable to open database file",
            "connection refused",
            "could not connect",
            "connection failed",
            "server closed the connection",
            "terminating connection",
            "the database system is",
            "connection is closed",
            "connection timeout expired",
            "no such file or directory",
            "disk i/o error",
            "consuming input failed",
        ),
    ),
)


class DatabaseFault(DataError):
    """A write that could not be made because of the database, not the data: nothing was saved."""

    def __init__(self, record: str, kind: str) -> None:
        super().__init__(record, f"{MESSAGES[kind]}; nothing was saved")
        self.kind = kind


def classify_fault(exc: BaseException) -> str | None:
    """'unreachable', 'full', 'read_only' or 'busy' for a database fault, else None."""
    if isinstance(exc, DatabaseFault):
        return exc.kind
    if not isinstance(exc, DBAPIError):
        return None
    text = str(exc.orig or exc).lower()
    for kind, signs in _SIGNS:
        if any(sign in text for sign in signs):
            return kind
    if exc.connection_invalidated:
        return "unreachable"
    return None


def fault_line(exc: BaseException) -> str | None:
    """One line for a person (no SQL, path or value), or None when `exc` is not a fault."""
    kind = classify_fault(exc)
    return None if kind is None else MESSAGES[kind]
