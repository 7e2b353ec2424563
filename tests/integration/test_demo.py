"""Demo data: deterministic, well formed, with the accounts and contrasts the dashboards rely on."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest
from scipy.stats import pearsonr
from sqlalchemy import Engine, case, exists, func, select

from data_access.demo import DemoSummary, build_demo
from data_access.engine import new_engine
from data_access.errors import DataError
from data_access.passwords import verify_password
from data_access.schema import (
    MEASURES,
    Assignment,
    Client,
    Clinician,
    Score,
    Setting,
    TherapySession,
    UserAccount,
    monday_of,
)

TODAY = dt.date(2026, 3, 11)
SMALL = {"clinicians": 6, "clients": 60, "weeks": 20, "today": TODAY, "progress": False}
TABLES = (Clinician, UserAccount, Client, TherapySession, Assignment, Score, Setting)


def _build(tmp_path: Path, name: str = "demo.db", **overrides: object) -> Engine:
    engine = new_engine(f"sqlite:///{tmp_path / name}")
    build_demo(engine, **{**SMALL, **overrides})
    return engine


def _rows(engine: Engine, model: type) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(model.__table__).order_by(model.id))]


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            model.__tablename__: conn.execute(select(func.count()).select_from(model)).scalar_one()
            for model in TABLES
        }


def test_same_seed_and_day_give_identical_rows(tmp_path: Path) -> None:
    first, second = _build(tmp_path, "a.db"), _build(tmp_path, "b.db")
    other_seed = _build(tmp_path, "c.db", seed=8)
    for model in (Client, TherapySession, Assignment, Score):
        assert _rows(first, model) == _rows(second, model), model.__tablename__
    assert _rows(first, Score) != _rows(other_seed, Score)


def test_summary_counts_what_was_written(tmp_path: Path) -> None:
    engine = new_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    summary = build_demo(engine, **SMALL)
    counts = _counts(engine)
    assert isinstance(summary, DemoSummary)
    assert (summary.clinicians, summary.clients) == (6, 60)
    assert summary.sessions == counts["therapy_sessions"] > 0
    assert summary.assignments == counts["assignments"] > 0
    assert summary.scores == counts["scores"] > 0
    assert counts["settings"] == 1


def test_three_accounts_with_roles_supervision_and_demo_password(tmp_path: Path) -> None:
    engine = _build(tmp_path)
    with engine.connect() as conn:
        accounts = conn.execute(
            select(
                Clinician.email, Clinician.role, UserAccount.password_hash, UserAccount.is_active
            ).join(UserAccount, UserAccount.clinician_id == Clinician.id)
        ).all()
        people = {row.id: row for row in conn.execute(select(Clinician.__table__))}
        setting = conn.execute(select(Setting.value).where(Setting.key == "demo")).scalar_one()
    assert {(email, role) for email, role, _, _ in accounts} == {
        ("admin@demo.example", "admin"),
        ("supervisor@demo.example", "supervisor"),
        ("clinician@demo.example", "clinician"),
    }
    assert all(active and verify_password(hashed, "demo") for _, _, hashed, active in accounts)
    by_email = {person.email: person for person in people.values()}
    supervisor = by_email["supervisor@demo.example"]
    assert by_email["clinician@demo.example"].supervisor_id == supervisor.id
    supervisees = [p for p in people.values() if p.supervisor_id == supervisor.id]
    assert len(supervisees) >= 2
    for person in people.values():
        assert (person.supervisor_id is None) == (person.role in ("admin", "supervisor"))
    assert setting == "true"


def test_admin_has_no_clients_and_the_other_account_holders_do(tmp_path: Path) -> None:
    engine = _build(tmp_path)
    with engine.connect() as conn:
        caseload = dict(
            conn.execute(
                select(Clinician.email, func.count(Client.id))
                .outerjoin(Client, Client.clinician_id == Clinician.id)
                .group_by(Clinician.email)
            ).all()
        )
    assert caseload["admin@demo.example"] == 0
    assert caseload["supervisor@demo.example"] > 0
    assert caseload["clinician@demo.example"] > 0


def test_rows_are_well_formed(tmp_path: Path) -> None:
    engine = _build(tmp_path)
    with engine.connect() as conn:
        scores = conn.execute(select(Score.measure, Score.value)).all()
        assignments = conn.execute(select(Assignment.__table__)).all()
    for measure, value in scores:
        spec = MEASURES[measure]
        assert spec.min_value <= value <= spec.max_value
    assert {measure for measure, _ in scores} == set(MEASURES)
    for a in assignments:
        assert a.due_week == monday_of(a.due_on)
        assert a.assigned_on <= a.due_on <= a.assigned_on + dt.timedelta(days=7)
        assert (a.reviewed_on is None) == (a.status == "pending")
        assert a.engagement is None or a.status in ("completed", "partial")
        assert a.session_id is not None and a.external_id.startswith("DEMO-")


def test_data_runs_up_to_today(tmp_path: Path) -> None:
    engine = _build(tmp_path)
    with engine.connect() as conn:
        active = conn.execute(
            select(func.count()).select_from(Client).where(Client.discharged_on.is_(None))
        ).scalar_one()
        overdue = conn.execute(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.status == "pending", Assignment.due_on < TODAY)
        ).scalar_one()
        latest = conn.execute(select(func.max(Score.recorded_on))).scalar_one()
        discharged = conn.execute(
            select(func.count()).select_from(Client).where(Client.discharged_on.is_not(None))
        ).scalar_one()
    assert active > 0 and discharged > 0 and overdue > 0
    assert TODAY - dt.timedelta(days=7) <= latest <= TODAY


def test_one_clinician_rarely_sets_homework(tmp_path: Path) -> None:
    engine = _build(tmp_path)
    has_homework = exists().where(Assignment.session_id == TherapySession.id)
    with engine.connect() as conn:
        rates = conn.execute(
            select(TherapySession.clinician_id, func.avg(case((has_homework, 1.0), else_=0.0)))
            .where(TherapySession.attendance == "attended")
            .group_by(TherapySession.clinician_id)
        ).all()
    values = sorted(float(rate) for _, rate in rates)
    assert values[0] < 0.4
    assert values[1] > 0.5


def test_refuses_a_database_that_already_has_clients(tmp_path: Path) -> None:
    engine = _build(tmp_path)
    before = _counts(engine)
    with pytest.raises(DataError):
        build_demo(engine, **SMALL)
    assert _counts(engine) == before


def test_completion_rate_correlates_with_phq9_improvement(tmp_path: Path) -> None:
    engine = _build(tmp_path, clinicians=8, clients=400, weeks=52)
    reviewed: dict[int, list[float]] = defaultdict(list)
    phq: dict[int, list[int]] = defaultdict(list)
    with engine.connect() as conn:
        for client_id, status in conn.execute(
            select(Assignment.client_id, Assignment.status).where(Assignment.status != "pending")
        ):
            reviewed[client_id].append({"completed": 1.0, "partial": 0.5}.get(status, 0.0))
        for client_id, value in conn.execute(
            select(Score.client_id, Score.value)
            .where(Score.measure == "PHQ-9")
            .order_by(Score.client_id, Score.recorded_on)
        ):
            phq[client_id].append(value)
    clients = [c for c in reviewed if len(phq[c]) >= 2]
    completion = [sum(reviewed[c]) / len(reviewed[c]) for c in clients]
    improvement = [phq[c][0] - phq[c][-1] for c in clients]
    assert len(clients) > 250
    r, _ = pearsonr(completion, improvement)
    assert 0.1 < r < 0.6
