"""Where the database is: DATABASE_URL, else secrets.toml, else the embedded SQLite file."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "homework.db"
SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"


def database_url(explicit: str | None = None, secrets_path: Path = SECRETS_PATH) -> str:
    """Resolve the database URL as README.md, "Where the database is", says (explicit URL first)."""
    if explicit:
        return explicit
    env = os.environ.get("DATABASE_URL")
    if env:
        return env
    if secrets_path.is_file():
        with secrets_path.open("rb") as fh:
            secrets = tomllib.load(fh)
        url = secrets.get("connections", {}).get("homework", {}).get("url")
        if url:
            return str(url)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def idle_timeout_minutes() -> int:
    """Minutes of inactivity after which a signed-in browser session ends (default 30)."""
    return int(os.environ.get("BETWEEN_SESSIONS_IDLE_MINUTES", "30"))


def page_workers() -> int:
    """How many page computations run at once (default: the CPU count); dashboard/workers.py
    says why they are bounded."""
    return max(1, int(os.environ.get("BETWEEN_SESSIONS_PAGE_WORKERS", os.cpu_count() or 2)))
