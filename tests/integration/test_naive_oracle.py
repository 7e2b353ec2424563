"""The naive version as an oracle: for any small practice, viewer and period, every practice-wide
figure the data layer computes in SQL equals what bench/naive.py computes by reading whole tables
into pandas, on SQLite and on PostgreSQL.

Each SQL shape (index walks, per-dialect branches, pre-aggregation) is then checked against the
obvious computation, not only against hand-picked cases. Days fall in a short span so that
sessions and homework often share a day and weeks hold several assignments.
"""

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from bench import naive
from data_access import exporter, insight, practice
from data_access.engine import new_engine
from data_access.filters import Filters
from data_access.schema import ATTENDANCE, MEASURES, STATUSES, monday_of
from data_access.scores import baseline_latest
from tests.conftest import DATA_TABLES
from tests.integration.test_scope_property import Generated, load

START = dt.date(2026, 3, 2)
DAYS = 56  # eight weeks: activity falls on a few shared days
TODAY = START + dt.timedelta(days=42)
OUTCOME_MEASURES = ("PHQ-9", "GAD-7")


def day(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


@st.composite
def practices(draw: st.DrawFn) -> Generated:
    """Up to 4 staff and 8 clients, each with a few sessions, assignments and scores."""
    n = draw(st.integers(1, 4))
    roles = draw(
        st.lists(st.sampled_from(["clinician", "supervisor", "admin"]), min_size=n, max_size=n)
    )
    supervisors = [
        draw(st.none() | st.integers(1, n).filter(lambda s, me=i + 1: s != me)) if n > 1 else None
        for i in range(n)
    ]
    generated = Generated(roles, supervisors)
    busy_days = st.integers(0, DAYS - 1)
    for cid in range(1, draw(st.integers(0, 8)) + 1):
        owner = draw(st.integers(1, n))
        generated.clients.append(
            dict(
                id=cid,
                code=f"C-{cid:04d}",
                clinician_id=owner,
                intake_on=day(0),
                discharged_on=draw(st.none() | st.builds(day, busy_days)),
            )
        )
        for held in sorted(draw(st.sets(busy_days, max_size=5))):
            generated.sessions.append(
                dict(
                    client_id=cid,
                    clinician_id=owner,
                    held_on=day(held),
                    attendance=draw(st.sampled_from(ATTENDANCE)),
                )
            )
        for _ in range(draw(st.integers(0, 8))):
            assigned = draw(busy_days)
            due = day(assigned + draw(st.integers(0, 16)))
            status = draw(st.sampled_from(STATUSES))
            generated.assignments.append(
                dict(
                    client_id=cid,
                    clinician_id=owner,
                    type_id=draw(st.integers(1, 3)),
                    assigned_on=day(assigned),
                    due_on=due,
                    due_week=monday_of(due),
                    status=status,
                    reviewed_on=None if status == "pending" else due,
                    instructions="",
                )
            )
        for _ in range(draw(st.integers(0, 6))):
            measure = draw(st.sampled_from(OUTCOME_MEASURES))
            spec = MEASURES[measure]
            generated.scores.append(
                dict(
                    client_id=cid,
                    measure=measure,
                    value=draw(st.integers(spec.min_value, spec.max_value)),
                    recorded_on=day(draw(busy_days)),
                )
            )
    return generated


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Callable[[], Engine]]:
    """A factory of empty databases at head, one per hypothesis example, on each dialect."""
    engines: list[Engine] = []
    if request.param == "sqlite":

        def make() -> Engine:
            path = tmp_path / f"oracle{len(engines)}.db"
            shutil.copy(sqlite_template, path)
            engines.append(new_engine(f"sqlite:///{path}"))
            return engines[-1]

    else:
        url = request.getfixturevalue("postgres_url")

        def make() -> Engine:
            engines.append(new_engine(url))
            with engines[-1].begin() as conn:
                tables = ", ".join(f'"{t}"' for t in DATA_TABLES if t != "assignment_types")
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                conn.execute(text("DELETE FROM assignment_types WHERE id > 9"))
            return engines[-1]

    yield make
    for engine in engines:
        engine.dispose()


def same(ours: pd.DataFrame, theirs: pd.DataFrame, key: str, columns: list[str]) -> None:
    """The two frames hold the same groups, and the same numbers in `columns` for each."""

    def rows(frame: pd.DataFrame) -> dict[str, list[float]]:
        return {
            str(k): [float(v) for v in values]
            for k, values in zip(frame[key], frame[columns].to_numpy(), strict=True)
        }

    left, right = rows(ours), rows(theirs)
    assert sorted(left) == sorted(right)
    for group, numbers in left.items():
        assert numbers == pytest.approx(right[group], nan_ok=True), (group, columns)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    generated=practices(),
    pick=st.integers(0, 3),
    first=st.integers(0, DAYS - 1),
    length=st.integers(0, DAYS),
)
def test_every_practice_wide_figure_agrees_with_the_naive_version(
    fresh_database, generated, pick, first, length
):
    engine = fresh_database()
    viewers = load(engine, generated)
    viewer = viewers[pick % len(viewers)]
    start, end = day(first), day(first + length)
    period = Filters(start=start, end=end, today=TODAY)
    now = Filters(today=TODAY)
    with engine.connect() as conn:
        same(
            practice.weekly_completion(conn, viewer, period),
            naive.completion_by_week(conn, viewer, start, end).rename(columns={"week": "due_week"}),
            "due_week",
            ["credit", "reviewed", "completion_rate"],
        )
        same(
            insight.homework_by_type(conn, viewer, period),
            naive.completion_by_type(conn, viewer, start, end, TODAY),
            "type",
            ["credit", "reviewed", "completion_rate"],
        )
        same(
            practice.session_counts(conn, viewer, period).assign(key=0),
            naive.setting_rate(conn, viewer, start, end).assign(key=0),
            "key",
            ["attended", "with_homework", "setting_rate"],
        )
        same(
            practice.assignment_counts(conn, viewer, now, by=("clinician_id",)),
            naive.overdue_by_clinician(conn, viewer, TODAY).rename(
                columns={"treating": "clinician_id"}
            ),
            "clinician_id",
            ["credit", "reviewed", "completion_rate", "overdue"],
        )
        ours = baseline_latest(conn, viewer, now).assign(
            key=lambda f: f["client_id"].astype(str) + f["measure"]
        )
        theirs = naive.baseline_latest(conn, viewer, OUTCOME_MEASURES, None).assign(
            key=lambda f: f["client_id"].astype(str) + f["measure"]
        )
        same(ours, theirs, "key", ["baseline", "latest", "n_scores"])
        exported = sum(len(f) for f in exporter.export_frames(conn, viewer, "assignments"))
        assert exported == naive.export(conn, viewer)
