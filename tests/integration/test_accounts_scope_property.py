"""Property: for any practice, no query returns a client outside the viewer's scope.

Scope (docs/security.md): a clinician sees their own clients, a supervisor their own and their
direct supervisees' clients, an admin every client. Hypothesis builds random practices (roles,
supervision links, clients, sessions, scores) and checks the data layer's entry points that
pages use to list or open clients.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_access.reads.filters import Filters
from data_access.reads.flags import needs_attention
from data_access.reads.queries import get_client, visible_clients
from data_access.reads.scope import scope_of
from data_access.reads.scores import baseline_latest
from data_access.store.engine import new_engine
from data_access.store.errors import NotInScope
from tests.builders import D, Practice

TODAY = D(2026, 6, 1)
ROLES = ("clinician", "supervisor", "admin")

clinician_st = st.tuples(st.sampled_from(ROLES), st.integers(min_value=-1, max_value=5))
client_st = st.tuples(
    st.integers(min_value=0, max_value=5),  # treating clinician (index, wrapped)
    st.lists(st.integers(min_value=0, max_value=27), max_size=3),  # PHQ-9 scores
    st.lists(st.sampled_from(["attended", "no_show"]), max_size=3),  # sessions
    st.booleans(),  # discharged
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    clinicians=st.lists(clinician_st, min_size=1, max_size=6),
    clients=st.lists(client_st, max_size=12),
)
def test_no_query_leaves_the_viewers_scope(
    sqlite_template: Path, clinicians: list[tuple[str, int]], clients: list
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "practice.db"
        shutil.copy(sqlite_template, path)
        engine = new_engine(f"sqlite:///{path}")
        try:
            _check_practice(engine, clinicians, clients)
        finally:
            engine.dispose()


def _check_practice(engine, clinicians: list[tuple[str, int]], clients: list) -> None:  # noqa: ANN001
    practice = Practice(engine)
    ids: list[int] = []
    supervisor_of: dict[int, int | None] = {}
    for i, (role, boss) in enumerate(clinicians):
        supervisor = ids[boss % len(ids)] if boss >= 0 and ids else None
        cid = practice.clinician(f"Clinician {i}", role=role, supervisor=supervisor)
        ids.append(cid)
        supervisor_of[cid] = supervisor
    owner: dict[int, int] = {}
    code_of: dict[int, str] = {}
    for n, (who, scores, sessions, discharged) in enumerate(clients):
        clinician = ids[who % len(ids)]
        code = f"C-{n:04d}"
        client = practice.client(
            clinician,
            intake=D(2026, 1, 5),
            discharged=D(2026, 5, 1) if discharged else None,
            code=code,
        )
        owner[client], code_of[client] = clinician, code
        for k, value in enumerate(scores):
            practice.score(client, "PHQ-9", value, D(2026, 2, 1 + 7 * k))
        for k, attendance in enumerate(sessions):
            practice.session(client, D(2026, 5, 4 + 7 * k), attendance)
    roles = dict(zip(ids, (r for r, _ in clinicians), strict=True))
    filters = Filters(today=TODAY)
    for viewer_id in ids:
        viewer = practice.viewer(viewer_id)
        if roles[viewer_id] == "admin":
            scope = set(owner)
        elif roles[viewer_id] == "supervisor":
            team = {viewer_id} | {c for c, s in supervisor_of.items() if s == viewer_id}
            scope = {client for client, c in owner.items() if c in team}
        else:
            scope = {client for client, c in owner.items() if c == viewer_id}
        with engine.connect() as conn:
            assert set(visible_clients(conn, viewer, filters)["client_id"]) == scope
            assert set(needs_attention(conn, viewer, filters)["client_id"]) <= scope
            assert set(baseline_latest(conn, scope_of(conn, viewer, filters))["client_id"]) <= scope
            everyone = list(owner)
            assert set(needs_attention(conn, viewer, filters, everyone)["client_id"]) <= scope
            assert set(
                baseline_latest(conn, scope_of(conn, viewer, filters), client_ids=everyone)[
                    "client_id"
                ]
            ) <= (scope)
            for client, code in code_of.items():
                try:
                    opened = get_client(conn, viewer, code)["client_id"]
                except NotInScope:
                    opened = None
                assert opened == (client if client in scope else None)
