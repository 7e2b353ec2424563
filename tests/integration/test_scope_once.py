"""A page's data call resolves the viewer's scope once (data_access/reads/scope.py): for a
supervisor the supervised clinicians are read in one query, not again by every query."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import event

from data_access.reads import caseload, insight, outcome_lag, outcomes, overview
from data_access.reads.client_lists import headline_clients
from data_access.reads.filters import Filters
from data_access.reads.flags import needs_attention
from data_access.reads.my_clients import my_clients
from tests.builders import D
from tests.integration.test_outcome_queries import outcome_practice

APRIL = Filters(start=D(2026, 3, 2), end=D(2026, 4, 12), today=D(2026, 4, 15))
PAGES: dict[str, Callable] = {
    "overview": lambda conn, viewer: overview.overview_data(conn, viewer, APRIL),
    "caseload": lambda conn, viewer: caseload.caseload_data(conn, viewer, APRIL),
    "homework": lambda conn, viewer: insight.homework_page(conn, viewer, APRIL),
    "outcomes": lambda conn, viewer: outcomes.client_frame(conn, viewer, APRIL),
    "lag": lambda conn, viewer: outcome_lag.lag_view(conn, viewer, APRIL),
    "my clients": lambda conn, viewer: my_clients(conn, viewer, APRIL.as_of, team=True),
    "flags": lambda conn, viewer: needs_attention(conn, viewer, APRIL),
    "attention list and on track": lambda conn, viewer: caseload.day_view(conn, viewer, APRIL),
    "last contact": lambda conn, viewer: caseload.last_contact(conn, viewer, APRIL, [1, 2, 3]),
    "headline list": lambda conn, viewer: headline_clients(conn, viewer, APRIL, "attention"),
}


@pytest.mark.parametrize("page", PAGES)
def test_a_supervisors_page_reads_the_supervised_clinicians_once(engine, page):
    p, sam, *_ = outcome_practice(engine)
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)  # every connection, worker threads too
    try:
        with engine.connect() as conn:
            PAGES[page](conn, p.viewer(sam))
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    supervised = [s for s in statements if "clinicians.supervisor_id" in s]
    assert len(supervised) == 1, supervised
