"""`python -m data_access import` and `export`: exit status, messages, dry run, audit as "cli"."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from data_access.cli import main
from data_access.records.formats import KIND_ORDER
from data_access.store.schema import AuditEvent, TherapySession

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(db_url: str, *args: str) -> int:
    """Run `import` quietly (no progress bar) against `db_url`."""
    return main([args[0], "--database-url", db_url, *args[1:], "--quiet"])


@pytest.fixture
def imported(engine: Engine, db_url: str) -> str:
    for kind in KIND_ORDER:
        assert run(db_url, "import", "--kind", kind, str(EXAMPLES / f"{kind}.csv")) == 0
    return db_url


def test_import_prints_the_counts_and_a_second_run_changes_nothing(imported: str, capsys):
    capsys.readouterr()
    assert run(imported, "import", "--kind", "sessions", str(EXAMPLES / "sessions.csv")) == 0
    assert capsys.readouterr().out == (
        "imported sessions: 0 new, 0 updated, 6 unchanged, 0 errors\n"
    )


def test_a_bad_file_exits_1_with_each_problem_on_stderr(
    imported: str, engine: Engine, tmp_path: Path, capsys
):
    bad = tmp_path / "sessions.csv"
    bad.write_text(
        "client_code,held_on,attendance\nC-0101,2026-03-02,late\nC-0999,2026-03-02,attended\n"
    )
    capsys.readouterr()
    assert run(imported, "import", "--kind", "sessions", str(bad)) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [  # where and why; never the row's values (a code may identify a client)
        "sessions.csv: line 2, column attendance: attendance must be one of attended, "
        "cancelled, no_show, scheduled",
        "sessions.csv: line 3, column client_code: unknown client code",
        "error: sessions: 0 new, 0 updated, 0 unchanged, 2 errors; nothing was written",
    ]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(TherapySession)).scalar() == 6


def test_dry_run_writes_nothing(imported: str, engine: Engine, tmp_path: Path, capsys):
    new = tmp_path / "new.csv"
    new.write_text("client_code,held_on,attendance\nC-0101,2026-03-02,attended\n")
    capsys.readouterr()
    assert run(imported, "import", "--kind", "sessions", str(new), "--dry-run") == 0
    assert capsys.readouterr().out.startswith(
        "would import (dry run, nothing written) sessions: 1 new"
    )
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(TherapySession)).scalar() == 6


def test_a_missing_file_is_a_clear_error(db_url: str, capsys):
    assert run(db_url, "import", "--kind", "sessions", "/nonexistent/x.csv") == 1
    assert capsys.readouterr().err == "error: /nonexistent/x.csv: no such file\n"


def test_export_to_stdout_is_the_example_file_and_is_audited_as_cli(
    imported: str, engine: Engine, tmp_path: Path, capsys
):
    capsys.readouterr()
    assert main(["export", "--database-url", imported, "--kind", "clients"]) == 0
    out = capsys.readouterr().out
    assert out.replace("\r\n", "\n") == (EXAMPLES / "clients.csv").read_text()
    target = tmp_path / "sessions.csv"
    assert (
        main(["export", "--database-url", imported, "--kind", "sessions", "--out", str(target)])
        == 0
    )
    assert capsys.readouterr().err == f"exported 6 sessions rows to {target}\n"
    with engine.connect() as conn:
        events = conn.execute(
            select(AuditEvent.actor_email, AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.action == "export")
            .order_by(AuditEvent.id)
        ).all()
    assert events == [
        ("cli", "export", "kind=clients rows=3"),
        ("cli", "export", "kind=sessions rows=6"),
    ]
