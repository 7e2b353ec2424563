"""The naive version as an oracle: for any small practice, viewer and period, every practice-wide
figure the data layer computes in SQL equals what bench/naive.py computes by reading whole tables
into pandas, on SQLite and on PostgreSQL.

Each SQL shape (index walks, per-dialect branches, pre-aggregation) is then checked against the
obvious computation, not only against hand-picked cases. Days fall in a short span so that
sessions and homework often share a day and weeks hold several assignments.
"""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import naive
from data_access.reads import assignment_counts as counts
from data_access.reads import caseload, insight, metrics, overview, practice
from data_access.reads.filters import Filters
from data_access.reads.flags import flagged_count, needs_attention
from data_access.reads.scope import scope_of
from data_access.reads.scores import baseline_latest
from data_access.records import exporter
from data_access.store.schema import ATTENDANCE, MEASURES, STATUSES, monday_of
from tests.integration.test_scope_property import Generated, load

START = dt.date(2026, 3, 2)
DAYS = 56  # eight weeks: activity falls on a few shared days
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
        draw(st.none() | st.sampled_from([s for s in range(1, n + 1) if s != me]))
        if n > 1
        else None
        for me in range(1, n + 1)
    ]
    generated = Generated(roles, supervisors)
    any_day = st.integers(0, DAYS - 1)
    for cid in range(1, draw(st.integers(0, 8)) + 1):
        owner = draw(st.integers(1, n))
        intake = draw(st.integers(0, 7))
        generated.clients.append(
            dict(
                id=cid,
                code=f"C-{cid:04d}",
                clinician_id=owner,
                intake_on=day(intake),
                discharged_on=draw(st.none() | st.builds(day, st.integers(intake, DAYS - 1))),
            )
        )
        # A client's activity clusters on a few days, so homework is often set at a session.
        busy = st.sampled_from(sorted(draw(st.sets(any_day, min_size=1, max_size=6))))
        for held in sorted(draw(st.sets(busy, max_size=5))):
            generated.sessions.append(
                dict(
                    client_id=cid,
                    clinician_id=owner,
                    held_on=day(held),
                    attendance=draw(st.sampled_from(ATTENDANCE) | st.just("attended")),
                )
            )
        for _ in range(draw(st.integers(0, 8))):
            assigned = draw(busy | any_day)
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
        scored: set[tuple[str, dt.date]] = set()  # one score per measure and day (the rule)
        for _ in range(draw(st.integers(0, 6))):
            measure = draw(st.sampled_from(OUTCOME_MEASURES))
            spec = MEASURES[measure]
            recorded_on = day(draw(busy | any_day))
            if (measure, recorded_on) in scored:
                continue
            scored.add((measure, recorded_on))
            generated.scores.append(
                dict(
                    client_id=cid,
                    measure=measure,
                    value=draw(st.integers(spec.min_value, spec.max_value)),
                    recorded_on=recorded_on,
                )
            )
    return generated


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
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    generated=practices(),
    pick=st.integers(0, 3),
    first=st.integers(0, DAYS - 1),
    length=st.sampled_from([6, 27, DAYS]) | st.integers(0, DAYS),
    today=st.builds(day, st.integers(0, DAYS + 14)),
)
def test_every_practice_wide_figure_agrees_with_the_naive_version(
    fresh_database, generated, pick, first, length, today
):
    engine = fresh_database()
    viewers = load(engine, generated)
    viewer = viewers[pick % len(viewers)]
    start, end = day(first), day(first + length)
    period = Filters(start=start, end=end, today=today)
    now = Filters(today=today)
    with engine.connect() as conn:
        same(
            overview.weekly_completion(conn, scope_of(conn, viewer, period)),
            naive.completion_by_week(conn, viewer, start, end).rename(columns={"week": "due_week"}),
            "due_week",
            ["credit", "reviewed", "completion_rate"],
        )
        same(
            insight.homework_by_type(conn, scope_of(conn, viewer, period)),
            naive.completion_by_type(conn, viewer, start, end, today),
            "type",
            ["credit", "reviewed", "completion_rate"],
        )
        same(
            practice.session_counts(conn, scope_of(conn, viewer, period)).assign(key=0),
            naive.setting_rate(conn, viewer, start, end).assign(key=0),
            "key",
            ["attended", "with_homework", "setting_rate"],
        )
        same(
            counts.assignment_counts(conn, scope_of(conn, viewer, now), by=("clinician_id",)),
            naive.overdue_by_clinician(conn, viewer, today).rename(
                columns={"treating": "clinician_id"}
            ),
            "clinician_id",
            ["credit", "reviewed", "completion_rate", "overdue"],
        )
        ours = baseline_latest(conn, scope_of(conn, viewer, now)).assign(
            key=lambda f: f["client_id"].astype(str) + f["measure"]
        )
        theirs = naive.baseline_latest(conn, viewer, OUTCOME_MEASURES, None).assign(
            key=lambda f: f["client_id"].astype(str) + f["measure"]
        )
        same(ours, theirs, "key", ["baseline", "latest", "n_scores"])
        same(
            counts.assignment_counts(conn, scope_of(conn, viewer, period), by=("clinician_id",)),
            naive.overdue_by_clinician(conn, viewer, today, start, end).rename(
                columns={"treating": "clinician_id"}
            ),
            "clinician_id",
            ["credit", "reviewed", "completion_rate", "overdue"],
        )
        same(
            caseload.completion_heatmap(conn, scope_of(conn, viewer, period)).assign(
                cell=lambda f: f["clinician_id"].astype(str) + " " + f["due_week"].astype(str)
            ),
            naive.completion_by_clinician_week(conn, viewer, start, end),
            "cell",
            ["credit", "reviewed", "completion_rate"],
        )
        ours = baseline_latest(conn, scope_of(conn, viewer, period)).assign(
            key=lambda f: f["client_id"].astype(str) + f["measure"]
        )
        theirs = naive.baseline_latest(conn, viewer, OUTCOME_MEASURES, None, start, end).assign(
            key=lambda f: f["client_id"].astype(str) + f["measure"]
        )
        same(ours, theirs, "key", ["baseline", "latest", "n_scores"])

        flags = needs_attention(conn, viewer, now)
        naive_flags = naive.needs_attention(conn, viewer, today)
        assert set(zip(flags["client_id"], flags["flag"], strict=True)) == set(
            zip(naive_flags["client_id"], naive_flags["flag"], strict=True)
        )

        summary = overview.period_summary(conn, scope_of(conn, viewer, period))
        due = naive.overdue_by_clinician(conn, viewer, today, start, end)
        setting = naive.setting_rate(conn, viewer, start, end).iloc[0]
        assert summary.active_clients == naive.active_clients(conn, viewer, start, end)
        assert summary.assignments_set == naive.assignments_set(conn, viewer, start, end)
        assert (summary.sessions_attended, summary.sessions_with_homework) == (
            setting["attended"],
            setting["with_homework"],
        )
        assert summary.reviewed == due["reviewed"].sum()
        assert metrics.credit(summary.completed, summary.partial) == due["credit"].sum()
        assert (summary.outcome_clients, summary.improved_clients) == naive.improved_clients(
            conn, viewer, start, end
        )
        flagged = flagged_count(conn, scope_of(conn, viewer, period))
        assert flagged == naive_flags["client_id"].nunique()

        exported = sum(len(f) for f in exporter.export_frames(conn, viewer, "assignments"))
        assert exported == naive.export(conn, viewer)
