"""The viewer rule, as a property: for any practice and any viewer, no query returns a client
outside the viewer's scope (a clinician: own clients; a supervisor: own and direct supervisees';
an admin: everyone). The expected scope is worked out in plain Python from the generated rows.
"""

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from data_access.access.viewer import Viewer
from data_access.reads import client_queries
from data_access.reads.caseload import attention_list
from data_access.reads.filters import Filters
from data_access.reads.flags import needs_attention
from data_access.reads.insight import homework_by_type
from data_access.reads.my_clients import client_choices, my_clients
from data_access.reads.outcomes import client_frame
from data_access.reads.overview import weekly_completion
from data_access.reads.queries import get_client, visible_clients
from data_access.reads.reviews import completion_after_review, reviewed_on_time
from data_access.reads.scope import scope_of
from data_access.reads.scores import baseline_latest
from data_access.reads.since_last import since_last_session, what_to_set_next
from data_access.store.engine import new_engine, refresh_maintained
from data_access.store.errors import NotInScope
from data_access.store.schema import (
    MEASURES,
    ROLES,
    STATUSES,
    Assignment,
    Client,
    Clinician,
    Score,
    TherapySession,
    monday_of,
)

START = dt.date(2026, 1, 5)
TODAY = dt.date(2026, 6, 1)
ALL_MEASURES = tuple(MEASURES)


def day(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


@dataclass
class Generated:
    """A random practice as plain rows (clinician ids are 1-based list positions)."""

    roles: list[str]
    supervisors: list[int | None]
    clients: list[dict] = field(default_factory=list)
    sessions: list[dict] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)
    scores: list[dict] = field(default_factory=list)

    def scope(self, viewer_id: int) -> set[int]:
        """Client ids the viewer may see, by the rule in docs/security.md."""
        role = self.roles[viewer_id - 1]
        if role == "admin":
            return {c["id"] for c in self.clients}
        team = {viewer_id}
        if role == "supervisor":
            team |= {i + 1 for i, sup in enumerate(self.supervisors) if sup == viewer_id}
        return {c["id"] for c in self.clients if c["clinician_id"] in team}


@st.composite
def practices(draw: st.DrawFn) -> Generated:
    n = draw(st.integers(1, 6))
    roles = draw(st.lists(st.sampled_from(ROLES), min_size=n, max_size=n))
    supervisors = [
        draw(st.none() | st.integers(1, n).filter(lambda s, me=i + 1: s != me)) if n > 1 else None
        for i in range(n)
    ]
    practice = Generated(roles, supervisors)
    for cid in range(1, draw(st.integers(0, 10)) + 1):
        intake = draw(st.integers(0, 120))
        discharged = draw(st.none() | st.integers(intake, 160))
        practice.clients.append(
            dict(
                id=cid,
                code=f"C-{cid:04d}",
                clinician_id=draw(st.integers(1, n)),
                intake_on=day(intake),
                discharged_on=None if discharged is None else day(discharged),
            )
        )
        owner = practice.clients[-1]["clinician_id"]
        for held in sorted(draw(st.sets(st.integers(0, 147), max_size=5))):
            practice.sessions.append(
                dict(
                    client_id=cid,
                    clinician_id=owner,
                    held_on=day(held),
                    attendance=draw(st.sampled_from(["attended", "cancelled", "no_show"])),
                )
            )
        for _ in range(draw(st.integers(0, 6))):
            assigned = draw(st.integers(0, 140))
            due = day(assigned + draw(st.integers(0, 14)))
            status = draw(st.sampled_from(STATUSES))
            practice.assignments.append(
                dict(
                    client_id=cid,
                    clinician_id=owner,
                    type_id=draw(st.integers(1, 9)),
                    assigned_on=day(assigned),
                    due_on=due,
                    due_week=monday_of(due),
                    status=status,
                    reviewed_on=None if status == "pending" else due,
                    instructions="",
                )
            )
        taken: set[tuple[str, int]] = set()  # one score per measure and day
        for _ in range(draw(st.integers(0, 6))):
            measure = draw(st.sampled_from(ALL_MEASURES))
            offset = draw(st.integers(0, 147))
            if (measure, offset) in taken:
                continue
            taken.add((measure, offset))
            spec = MEASURES[measure]
            practice.scores.append(
                dict(
                    client_id=cid,
                    measure=measure,
                    value=draw(st.integers(spec.min_value, spec.max_value)),
                    recorded_on=day(offset),
                )
            )
    return practice


def load(engine, practice: Generated) -> list[Viewer]:
    """Write the practice in one transaction; return a Viewer for every clinician."""
    viewers = [
        Viewer(i + 1, f"staff{i + 1}@example.org", f"Staff {i + 1}", role)
        for i, role in enumerate(practice.roles)
    ]
    staff = [
        dict(id=v.clinician_id, email=v.email, name=v.name, role=v.role, supervisor_id=None)
        for v in viewers
    ]
    with engine.begin() as conn:
        conn.execute(insert(Clinician), staff)
        links = [
            {"id": i + 1, "supervisor_id": sup}
            for i, sup in enumerate(practice.supervisors)
            if sup is not None
        ]
        for link in links:
            conn.execute(
                Clinician.__table__.update()
                .where(Clinician.id == link["id"])
                .values(supervisor_id=link["supervisor_id"])
            )
        for model, rows in (
            (Client, practice.clients),
            (TherapySession, practice.sessions),
            (Assignment, practice.assignments),
            (Score, practice.scores),
        ):
            if rows:
                conn.execute(insert(model), rows)
        refresh_maintained(conn)  # as engine.write does: the maintained tables are read too
    return viewers


@pytest.fixture(scope="module")
def workdir():
    with tempfile.TemporaryDirectory(prefix="scope-property-") as path:
        yield Path(path)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(practice=practices(), pick=st.integers(0, 5), status=st.sampled_from(["all", "active"]))
def test_no_query_returns_a_client_outside_the_viewers_scope(
    sqlite_template, workdir, practice, pick, status
):
    path = workdir / "practice.db"
    shutil.copy(sqlite_template, path)
    engine = new_engine(f"sqlite:///{path}")
    try:
        viewers = load(engine, practice)
        viewer = viewers[pick % len(viewers)]
        scope = practice.scope(viewer.clinician_id)
        filters = Filters(client_status=status, today=TODAY)
        with engine.connect() as conn:
            listed = set(visible_clients(conn, viewer, Filters(today=TODAY))["client_id"])
            assert listed == scope

            for client in practice.clients:
                cid, code = client["id"], client["code"]
                if cid in scope:
                    assert get_client(conn, viewer, code)["client_id"] == cid
                    assert client_queries.client_header(conn, viewer, code, TODAY).client_id == cid
                    continue
                with pytest.raises(NotInScope):
                    get_client(conn, viewer, code)
                with pytest.raises(NotInScope):
                    client_queries.client_header(conn, viewer, code, TODAY)
                for rows_of in (
                    client_queries.score_series,
                    client_queries.assignment_list,
                    client_queries.session_dates,
                ):
                    assert rows_of(conn, viewer, cid, Filters(today=TODAY)).empty

            flagged = set(needs_attention(conn, viewer, filters)["client_id"])
            assert flagged <= scope

            pairs = baseline_latest(
                conn, scope_of(conn, viewer, Filters(today=TODAY)), ALL_MEASURES
            )
            scored = {s["client_id"] for s in practice.scores}
            assert set(pairs["client_id"]) == scored & scope

            reviewed = sum(
                a["client_id"] in scope and a["status"] != "pending" for a in practice.assignments
            )
            weeks = weekly_completion(conn, scope_of(conn, viewer, Filters(today=TODAY)))
            assert int(weeks["reviewed"].sum()) == reviewed
            by_type = homework_by_type(conn, scope_of(conn, viewer, Filters(today=TODAY)))
            assert int(by_type["reviewed"].sum()) == reviewed  # every assignment is set by TODAY

            # the Homework page's review figures (maintained homework days): in-scope homework only
            attended = {}
            for session in practice.sessions:
                if session["attendance"] == "attended" and session["held_on"] <= TODAY:
                    attended.setdefault(session["client_id"], []).append(session["held_on"])
            eligible = on_time = 0
            for a in practice.assignments:
                later = [d for d in attended.get(a["client_id"], []) if d > a["assigned_on"]]
                if a["client_id"] in scope and later:
                    eligible += 1
                    on_time += a["status"] != "pending" and a["reviewed_on"] <= min(later)
            everyone = reviewed_on_time(conn, scope_of(conn, viewer, Filters(today=TODAY)))
            total = everyone[everyone["clinician_id"] == -1].iloc[0]
            assert (total["eligible"], total["on_time"]) == (eligible, on_time)
            owners = {c["clinician_id"] for c in practice.clients if c["id"] in scope}
            after = completion_after_review(conn, scope_of(conn, viewer, filters))
            assert set(after["clinician_id"]) - {-1} <= owners

            assert set(attention_list(conn, scope_of(conn, viewer, filters))["client_id"]) <= scope
            assert set(client_frame(conn, viewer, filters)["client_id"]) <= scope

            own = {c["id"] for c in practice.clients if c["clinician_id"] == viewer.clinician_id}
            assert set(my_clients(conn, viewer, TODAY)["client_id"]) <= own & scope
            assert set(my_clients(conn, viewer, TODAY, team=True)["client_id"]) <= scope
            picker = set(client_choices(conn, viewer, TODAY)["client_code"])
            assert picker == {c["code"] for c in practice.clients if c["id"] in scope}
            for cid in {c["id"] for c in practice.clients} - scope:
                since = since_last_session(conn, viewer, cid, TODAY)
                assert since.last_session is None and since.scores.empty
                assert since.homework.empty and what_to_set_next(conn, viewer, cid) == []
    finally:
        engine.dispose()
