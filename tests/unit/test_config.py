"""Configuration from the environment (README.md): where the database is (DATABASE_URL, else
secrets.toml, else data/homework.db) and how many page computations run at once."""

import os
from pathlib import Path

import pytest

from data_access.store.config import DEFAULT_SQLITE_PATH, database_url, page_workers

SECRETS = '[connections.homework]\nurl = "postgresql+psycopg://app@db.example/homework"\n'


@pytest.fixture
def secrets(tmp_path: Path) -> Path:
    path = tmp_path / "secrets.toml"
    path.write_text(SECRETS)
    return path


def test_the_environment_variable_beats_secrets_toml(monkeypatch, secrets):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////srv/practice.db")
    assert database_url(secrets_path=secrets) == "sqlite:////srv/practice.db"


def test_secrets_toml_beats_the_default(monkeypatch, secrets):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url(secrets_path=secrets) == "postgresql+psycopg://app@db.example/homework"


def test_without_either_the_embedded_sqlite_file_is_used(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = database_url(secrets_path=tmp_path / "missing.toml")
    assert url == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    assert url.endswith("data/homework.db")


def test_secrets_without_the_homework_connection_fall_back_to_the_default(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    other = tmp_path / "secrets.toml"
    other.write_text('[connections.other]\nurl = "sqlite:////elsewhere.db"\n')
    assert database_url(secrets_path=other) == f"sqlite:///{DEFAULT_SQLITE_PATH}"


def test_an_empty_environment_variable_does_not_count(monkeypatch, secrets):
    monkeypatch.setenv("DATABASE_URL", "")
    assert database_url(secrets_path=secrets) == "postgresql+psycopg://app@db.example/homework"


def test_an_explicit_url_beats_everything(monkeypatch, secrets):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////srv/practice.db")
    assert database_url("sqlite:////tmp/cli.db", secrets_path=secrets) == "sqlite:////tmp/cli.db"


def test_page_computations_at_once_default_to_the_cpu_count_and_never_fall_below_one(
    monkeypatch,
):
    monkeypatch.delenv("BETWEEN_SESSIONS_PAGE_WORKERS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert page_workers() == 6
    monkeypatch.setenv("BETWEEN_SESSIONS_PAGE_WORKERS", "3")
    assert page_workers() == 3
    monkeypatch.setenv("BETWEEN_SESSIONS_PAGE_WORKERS", "0")
    assert page_workers() == 1
