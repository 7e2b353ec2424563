"""Migrations: data written at the first revision survives the upgrade to head, the models
describe head exactly, and `python -m data_access init` on a database at head changes nothing."""

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from data_access.store.engine import is_sqlite, new_engine
from data_access.store.migrate import alembic_config, current_revision, upgrade
from data_access.store.schema import Base

PROJECT = Path(__file__).resolve().parents[2]
D = dt.date
T = dt.datetime


def table(table_name: str, /, **columns: sa.types.TypeEngine) -> sa.TableClause:
    """A table as it was at revision 0001, independent of today's models."""
    return sa.table(table_name, *(sa.column(col, kind) for col, kind in columns.items()))


INT, S, DATE, TS, B = sa.Integer(), sa.String(), sa.Date(), sa.DateTime(), sa.Boolean()
AT_0001 = [
    (
        table("clinicians", id=INT, email=S, name=S, role=S, supervisor_id=INT),
        [
            dict(id=1, email="sam@example.org", name="Sam Super", role="supervisor",
                 supervisor_id=None),
            dict(id=2, email="dana@example.org", name="Dana Doc", role="clinician",
                 supervisor_id=1),
        ],
    ),
    (
        table("clients", id=INT, code=S, clinician_id=INT, intake_on=DATE, discharged_on=DATE),
        [
            dict(id=1, code="C-0001", clinician_id=2, intake_on=D(2026, 1, 5),
                 discharged_on=None),
            dict(id=2, code="C-0002", clinician_id=1, intake_on=D(2026, 1, 12),
                 discharged_on=D(2026, 4, 30)),
        ],
    ),
    (
        table("therapy_sessions", id=INT, client_id=INT, clinician_id=INT, held_on=DATE,
              attendance=S),
        [
            dict(id=1, client_id=1, clinician_id=2, held_on=D(2026, 3, 2), attendance="attended"),
            dict(id=2, client_id=1, clinician_id=2, held_on=D(2026, 3, 9), attendance="no_show"),
        ],
    ),
    (
        table("assignments", id=INT, external_id=S, client_id=INT, clinician_id=INT, type_id=INT,
              session_id=INT, assigned_on=DATE, due_on=DATE, due_week=DATE, instructions=S,
              difficulty=INT, status=S, engagement=INT, reviewed_on=DATE),
        [
            dict(id=1, external_id="A-1", client_id=1, clinician_id=2, type_id=2, session_id=1,
                 assigned_on=D(2026, 3, 2), due_on=D(2026, 3, 8), due_week=D(2026, 3, 2),
                 instructions="Two thought records, à la Beck", difficulty=2,
                 status="completed", engagement=3, reviewed_on=D(2026, 3, 9)),
            dict(id=2, external_id=None, client_id=2, clinician_id=1, type_id=5, session_id=None,
                 assigned_on=D(2026, 3, 3), due_on=D(2026, 3, 10), due_week=D(2026, 3, 9),
                 instructions="", difficulty=None, status="pending", engagement=None,
                 reviewed_on=None),
        ],
    ),
    (
        table("scores", id=INT, client_id=INT, measure=S, value=INT, recorded_on=DATE,
              session_id=INT, assignment_id=INT),
        [
            dict(id=1, client_id=1, measure="PHQ-9", value=17, recorded_on=D(2026, 3, 2),
                 session_id=1, assignment_id=None),
            dict(id=2, client_id=1, measure="MOOD", value=6, recorded_on=D(2026, 3, 3),
                 session_id=None, assignment_id=1),
        ],
    ),
    (
        table("user_accounts", id=INT, clinician_id=INT, password_hash=S, is_active=B,
              created_at=TS),
        [dict(id=1, clinician_id=2, password_hash="$argon2id$v=19$m=65536,t=3,p=4$x$y",
              is_active=True, created_at=T(2026, 3, 1, 9, 30))],
    ),
    (
        table("web_sessions", token_hash=S, account_id=INT, kind=S, created_at=TS,
              last_seen_at=TS, ended_at=TS),
        [dict(token_hash="ab" * 32, account_id=1, kind="session",
              created_at=T(2026, 3, 1, 9, 31), last_seen_at=T(2026, 3, 1, 9, 45),
              ended_at=None)],
    ),
    (
        table("sign_in_attempts", id=INT, email=S, at=TS),
        [dict(id=1, email="dana@example.org", at=T(2026, 3, 1, 9, 29))],
    ),
    (
        table("audit_events", id=INT, at=TS, actor_email=S, action=S, client_code=S, detail=S),
        [dict(id=1, at=T(2026, 3, 1, 9, 40), actor_email="dana@example.org",
              action="view_client", client_code="C-0001", detail="")],
    ),
    (table("assignment_types", id=INT, name=S, category=S),
     [dict(id=10, name="Values Card Sort", category="Cognitive")]),
    (table("settings", key=S, value=S), [dict(key="practice", value="Riverside")]),
]  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_url(request, tmp_path):
    """URL of a database with no tables at all, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    server = make_url(request.getfixturevalue("postgres_url"))
    name = f"bs_migrate_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def rows_of(engine, tbl: sa.TableClause, keys: list[str]) -> list[dict]:
    with engine.connect() as conn:
        query = sa.select(*(tbl.c[k] for k in keys)).order_by(tbl.c[keys[0]])
        return [dict(row) for row in conn.execute(query).mappings()]


def test_rows_written_at_the_first_revision_survive_the_upgrade_to_head(blank_url):
    engine = new_engine(blank_url)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as conn:
        for tbl, rows in AT_0001:
            conn.execute(sa.insert(tbl), rows)
    upgrade(engine)
    heads = MigrationContext.configure(engine.connect()).get_current_heads()
    assert current_revision(engine) == heads[0]
    for tbl, rows in AT_0001:
        keys = list(rows[0])
        kept = [row for row in rows_of(engine, tbl, keys) if row in rows]
        assert kept == sorted(rows, key=lambda r: r[keys[0]]), tbl.name
    with engine.connect() as conn:
        catalogue = conn.execute(text("SELECT count(*) FROM assignment_types")).scalar()
        measures = conn.execute(text("SELECT code FROM measures ORDER BY code")).scalars().all()
    assert catalogue == 10  # the nine seeded types and the practice's own
    assert measures == ["GAD-7", "MOOD", "PHQ-9"]
    engine.dispose()


def test_upgrading_a_sqlite_practice_gives_the_new_indexes_planner_statistics(tmp_path):
    """SQLite plans from ANALYZE's statistics; an index added by a migration has none until
    ANALYZE runs, so an upgrade that applies a revision runs it."""
    engine = new_engine(f"sqlite:///{tmp_path / 'practice.db'}")
    upgrade(engine, "0001")
    with engine.begin() as conn:
        for tbl, rows in AT_0001:
            conn.execute(sa.insert(tbl), rows)
    upgrade(engine, "0004")
    upgrade(engine)
    with engine.connect() as conn:
        analyzed = conn.execute(text("SELECT idx FROM sqlite_stat1")).scalars().all()
    assert "ix_scores_measure_client_id_recorded_on" in analyzed  # added by 0005
    engine.dispose()


def extended_statistics(engine) -> list[str]:
    """Names of PostgreSQL's extended planner statistics (SQLite has none)."""
    if is_sqlite(engine):
        return []
    with engine.connect() as conn:
        return conn.execute(text("SELECT stxname FROM pg_statistic_ext ORDER BY 1")).scalars().all()


def test_postgresql_learns_how_many_client_days_have_homework_and_can_forget_it(blank_url):
    """0006 tells PostgreSQL how many (client, day set) pairs the assignments hold, so the
    homework-setting rate merges two indexes instead of hashing every assignment. SQLite has
    no extended statistics; there the revision changes nothing, in either direction."""
    engine = new_engine(blank_url)
    upgrade(engine)
    expected = [] if is_sqlite(engine) else ["st_assignments_client_id_assigned_on"]
    assert extended_statistics(engine) == expected
    command.downgrade(alembic_config(engine), "0005")
    assert current_revision(engine) == "0005"
    assert extended_statistics(engine) == []
    upgrade(engine)
    assert extended_statistics(engine) == expected
    engine.dispose()


def test_0007_keeps_the_newest_of_each_days_doubled_scores_and_then_refuses_doubles(blank_url):
    """Client 1 has PHQ-9 on 2 Mar three times (ids 1, 2, 3: values 17, 15, 12) and GAD-7 once;
    after 0007 the PHQ-9 of 2 Mar is 12 (id 3, the newest), the GAD-7 is untouched, a fourth
    copy is refused, and the data version starts at 1. Downgrading drops only the rule."""
    engine = new_engine(blank_url)
    upgrade(engine, "0006")
    scores = table("scores", id=INT, client_id=INT, measure=S, value=INT, recorded_on=DATE)
    with engine.begin() as conn:
        for tbl, rows in AT_0001[:2]:
            conn.execute(sa.insert(tbl), rows)
        conn.execute(
            sa.insert(scores),
            [
                dict(id=1, client_id=1, measure="PHQ-9", value=17, recorded_on=D(2026, 3, 2)),
                dict(id=2, client_id=1, measure="PHQ-9", value=15, recorded_on=D(2026, 3, 2)),
                dict(id=3, client_id=1, measure="PHQ-9", value=12, recorded_on=D(2026, 3, 2)),
                dict(id=4, client_id=1, measure="GAD-7", value=9, recorded_on=D(2026, 3, 2)),
            ],
        )
    upgrade(engine)
    assert rows_of(engine, scores, ["id", "measure", "value"]) == [
        {"id": 3, "measure": "PHQ-9", "value": 12},
        {"id": 4, "measure": "GAD-7", "value": 9},
    ]
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(
            sa.insert(scores),
            [dict(id=5, client_id=1, measure="PHQ-9", value=3, recorded_on=D(2026, 3, 2))],
        )
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version FROM data_version")).scalar() == 1
    command.downgrade(alembic_config(engine), "0006")
    assert "data_version" not in sa.inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(scores),
            [dict(id=5, client_id=1, measure="PHQ-9", value=3, recorded_on=D(2026, 3, 2))],
        )
    engine.dispose()


def test_the_models_match_the_migrated_head(engine):
    """Autogenerate finds nothing to do: models and migrations describe the same schema."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def schema_and_data(engine) -> tuple:
    """Everything `init` could change: tables, columns, indexes, revision and every row."""
    inspector = sa.inspect(engine)
    tables = sorted(inspector.get_table_names())
    shape = {
        name: (
            [(c["name"], str(c["type"])) for c in inspector.get_columns(name)],
            sorted(ix["name"] for ix in inspector.get_indexes(name)),
        )
        for name in tables
    }
    with engine.connect() as conn:
        rows = {
            name: sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{name}"'))), key=repr)
            for name in tables
        }
    return shape, rows


def init(url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "data_access", "init", "--database-url", url],
        capture_output=True, text=True, cwd=PROJECT, env=env, timeout=120,
    )  # fmt: skip


def test_init_twice_creates_then_changes_nothing(blank_url):
    first = init(blank_url)
    assert first.returncode == 0, first.stderr
    engine = new_engine(blank_url)
    with engine.begin() as conn:
        conn.execute(sa.insert(AT_0001[0][0]), AT_0001[0][1])
    before = schema_and_data(engine)
    assert "assignments" in before[0] and len(before[1]["measures"]) == 3
    second = init(blank_url)
    assert second.returncode == 0, second.stderr
    assert "database is at revision" in second.stdout
    assert schema_and_data(engine) == before
    engine.dispose()


def test_sessions_can_be_scheduled_at_head_and_a_downgrade_keeps_the_bookings(blank_url):
    """0008 lets attendance be 'scheduled' on both dialects (on SQLite without rebuilding the
    table, which the sessions' foreign keys would refuse); going back refuses while a booking
    is stored, and afterwards the narrower rule holds again."""
    engine = new_engine(blank_url)
    upgrade(engine, "0006")
    with engine.begin() as conn:
        for tbl, rows in AT_0001[:4]:
            conn.execute(sa.insert(tbl), rows)
    upgrade(engine)
    sessions = AT_0001[2][0]
    booking = dict(
        id=3, client_id=1, clinician_id=2, held_on=D(2026, 3, 16), attendance="scheduled"
    )
    with engine.begin() as conn:
        conn.execute(sa.insert(sessions), [booking])
    # Later revisions first (0009's item answers go), so that 0008's refusal leaves the
    # database at 0008 on SQLite too, whose DDL does not roll back.
    command.downgrade(alembic_config(engine), "0008")
    with pytest.raises(RuntimeError, match="holds scheduled sessions"):
        command.downgrade(alembic_config(engine), "0006")
    with engine.begin() as conn:
        conn.execute(sa.delete(sessions).where(sessions.c.id == 3))
    command.downgrade(alembic_config(engine), "0006")
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(sessions), [booking])
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(sessions), [booking])
        kept = conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar_one()
    assert kept == 3  # the two sessions from before the upgrade, and the booking


def test_item_answers_and_risk_reviews_come_and_go_with_0009_keeping_the_totals(blank_url):
    """0009 adds the item columns and risk_reviews; going back to 0006 drops them, and every
    total written before or after is still there."""
    engine = new_engine(blank_url)
    upgrade(engine, "0006")
    with engine.begin() as conn:
        for tbl, rows in AT_0001:
            conn.execute(sa.insert(tbl), rows)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO scores (id, client_id, measure, value, recorded_on, item_1, item_2,"
                " item_3, item_4, item_5, item_6, item_7, item_8, item_9)"
                " VALUES (3, 1, 'PHQ-9', 11, '2026-03-16', 2, 2, 1, 1, 1, 1, 1, 0, 2)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO risk_reviews (score_id, reviewer_id, reviewed_at, note)"
                " VALUES (3, 2, '2026-03-16 10:00:00', 'safety plan agreed')"
            )
        )
    columns = {c["name"] for c in sa.inspect(engine).get_columns("scores")}
    assert {f"item_{n}" for n in range(1, 10)} <= columns
    command.downgrade(alembic_config(engine), "0006")
    inspector = sa.inspect(engine)
    assert "risk_reviews" not in inspector.get_table_names()
    assert not any(c["name"].startswith("item_") for c in inspector.get_columns("scores"))
    with engine.connect() as conn:
        totals = conn.execute(text("SELECT id, value FROM scores ORDER BY id")).all()
    assert [tuple(t) for t in totals] == [(1, 17), (2, 6), (3, 11)]
    upgrade(engine, "0009")
    assert current_revision(engine) == "0009"
    engine.dispose()
