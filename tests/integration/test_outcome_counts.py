"""The overview's and caseload's outcome counts, made in SQL, on a practice worked by hand.

docs/metrics.md: a client counts when they have two or more PHQ-9 or GAD-7 scores in the
period, and is reliably improved when either measure improved by at least its reliable change
(PHQ-9 6, GAD-7 4) and neither deteriorated by as much. The edges are here on purpose.
"""

from __future__ import annotations

import pytest

from data_access.reads import practice, scores
from data_access.reads.filters import Filters
from data_access.reads.scope import scope_of
from tests.builders import D, Practice

PERIOD = Filters(start=D(2026, 5, 1), end=D(2026, 5, 31), today=D(2026, 6, 1))


def _build(engine):
    p = Practice(engine)
    admin = p.viewer(p.clinician("Ada", role="admin"))
    ana, ben = p.clinician("Ana"), p.clinician("Ben")
    exactly, short, mixed, once, other = (p.client(c) for c in (ana, ana, ana, ana, ben))
    for client, measure, first, last in (
        (exactly, "PHQ-9", 18, 12),  # 6 better: exactly the reliable change, improved
        (short, "PHQ-9", 18, 13),  # 5 better: counted, not improved
        (mixed, "GAD-7", 10, 6),  # 4 better on GAD-7 ...
        (mixed, "PHQ-9", 10, 16),  # ... but 6 worse on PHQ-9: not improved
        (other, "GAD-7", 12, 15),  # 3 worse: counted, not improved
        (other, "MOOD", 2, 8),  # not an outcome measure
    ):
        p.score(client, measure, first, D(2026, 5, 4))
        p.score(client, measure, last, D(2026, 5, 25))
    p.score(once, "PHQ-9", 20, D(2026, 5, 11))  # one score: not counted
    p.score(short, "PHQ-9", 24, D(2026, 4, 20))  # before the period: were it the baseline, improved
    return admin, ana, ben


@pytest.mark.parametrize("maintained", [True, False], ids=["spans", "live"])
def test_outcome_counts_take_the_reliable_change_edge_as_improved(engine, maintained):
    admin, ana, ben = _build(engine)
    scores.READ_MAINTAINED = maintained
    try:
        with engine.connect() as conn:
            scope = scope_of(conn, admin, PERIOD)
            total = practice.outcome_counts(conn, scope)
            by = practice.outcome_counts(conn, scope, by_clinician=True)
            clients = practice.client_outcomes(conn, scope)
    finally:
        scores.READ_MAINTAINED = True
    assert total.to_dict("records") == [{"outcome_clients": 4, "improved_clients": 1}]
    by = by.set_index("clinician_id")
    assert by.loc[ana].to_dict() == {"outcome_clients": 3, "improved_clients": 1}
    assert by.loc[ben].to_dict() == {"outcome_clients": 1, "improved_clients": 0}
    assert (len(clients), int(clients["improved"].sum())) == (4, 1)  # the same rule in pandas


def test_outcome_counts_of_a_period_without_scores_are_zero(engine):
    admin, *_ = _build(engine)
    with engine.connect() as conn:
        scope = scope_of(conn, admin, Filters(start=D(2026, 7, 1), end=D(2026, 7, 31)))
        total = practice.outcome_counts(conn, scope)
        by = practice.outcome_counts(conn, scope, by_clinician=True)
    assert total.to_dict("records") == [{"outcome_clients": 0, "improved_clients": 0}]
    assert by.empty
