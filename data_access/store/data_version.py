"""The data version: one counter that every write of data raises in its own transaction.

Cached page data is keyed on it, so a write by a form, an import on the command line, another
app process or a restore shows on the next page view everywhere. Raising it also takes the
write lock (SQLite) or the row's lock (PostgreSQL), which lets a writer check that nothing was
written since it read: `raise_version(conn) == seen + 1`.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from data_access.store.schema import DataVersion


def current_version(conn: Connection) -> int:
    """The data version now: a primary-key read, cheap enough for every page run."""
    return conn.execute(select(DataVersion.version).where(DataVersion.id == 1)).scalar_one()


def raise_version(conn: Connection) -> int:
    """Raise the version inside the caller's write transaction; returns the new value."""
    return conn.execute(
        update(DataVersion)
        .where(DataVersion.id == 1)
        .values(version=DataVersion.version + 1)
        .returning(DataVersion.version)
    ).scalar_one()


def set_version(conn: Connection, version: int) -> None:
    """Give a restored database a version no app process can have cached for it."""
    conn.execute(update(DataVersion).where(DataVersion.id == 1).values(version=version))
