"""One meaning of "completion in a period" on every page: homework due in the period.

Dana's clients have homework set inside March but due in April, and homework set in February
but due in March, so the rule "set in the period" and the rule "due in the period" give
different answers; every page must give the due-in-the-period one, with the same n, and the
client pages must add up to it.
"""

import pytest

from dashboard.words import rate_label
from data_access.reads import insight, outcomes
from data_access.reads.caseload import caseload_data
from data_access.reads.client_queries import client_page
from data_access.reads.filters import Filters
from data_access.reads.overview import overview_data
from tests.builders import D, Practice

MARCH = dict(start=D(2026, 3, 1), end=D(2026, 3, 31), today=D(2026, 4, 20))


def test_every_page_reads_the_same_completion_for_one_clinician_and_period(engine):
    p = Practice(engine)
    dana = p.clinician("Dana Doc")
    olly = p.clinician("Olly Other")
    admin = p.viewer(p.clinician("Ada Admin", role="admin"))
    a, b = p.client(dana, intake=D(2026, 1, 5)), p.client(dana, intake=D(2026, 1, 5))
    other = p.client(olly, intake=D(2026, 1, 5))
    # due in March: a completed, partial, not done; b completed, completed, and one pending
    p.assignment(a, D(2026, 2, 26), "completed", due=D(2026, 3, 3), reviewed=D(2026, 3, 3))
    p.assignment(a, D(2026, 3, 9), "partial", due=D(2026, 3, 16), reviewed=D(2026, 3, 16))
    p.assignment(a, D(2026, 3, 16), "not_done", due=D(2026, 3, 23), reviewed=D(2026, 3, 23))
    p.assignment(b, D(2026, 3, 2), "completed", due=D(2026, 3, 9), reviewed=D(2026, 3, 9))
    p.assignment(b, D(2026, 3, 9), "completed", due=D(2026, 3, 16), reviewed=D(2026, 3, 16))
    p.assignment(b, D(2026, 3, 20), "pending", due=D(2026, 3, 27))
    # set in March, due in April: not in March's completion
    p.assignment(a, D(2026, 3, 30), "not_done", due=D(2026, 4, 6), reviewed=D(2026, 4, 6))
    p.assignment(b, D(2026, 3, 30), "not_done", due=D(2026, 4, 6), reviewed=D(2026, 4, 6))
    # another clinician's homework: never in Dana's figure
    p.assignment(other, D(2026, 3, 2), "not_done", due=D(2026, 3, 9), reviewed=D(2026, 3, 9))
    # (1 + ½ + 0 + 1 + 1) / 5 reviewed = 3.5 / 5 = 70 %
    expected_rate, expected_n = pytest.approx(0.7), 5
    dana_only = Filters(clinician_ids=(dana,), client_status="all", **MARCH)

    with engine.connect() as conn:
        overview = overview_data(conn, admin, dana_only).current
        caseload = caseload_data(conn, admin, Filters(client_status="all", **MARCH), dana)
        homework = insight.homework_page(conn, admin, dana_only)["due"]
        comparison = outcomes.clinician_comparison(
            outcomes.client_frame(conn, admin, dana_only)
        ).set_index("group")
        pages = [client_page(conn, admin, code, Filters(**MARCH)) for code in ("C-0001", "C-0002")]

    assert (overview.completion_rate, overview.reviewed) == (expected_rate, expected_n)
    row = caseload.table.set_index("clinician").loc["Dana Doc"]
    assert (row.completion_rate, row.reviewed) == (expected_rate, expected_n)
    assert caseload.clients["reviewed"].sum() == expected_n  # the drill-down rows add up
    due = homework[["completed", "partial", "reviewed"]].sum()
    assert (due.completed + due.partial / 2) / due.reviewed == expected_rate
    assert due.reviewed == expected_n
    dana_row = comparison.loc["Dana Doc"]
    assert (dana_row.completion_rate, dana_row.reviewed) == (expected_rate, expected_n)
    assert rate_label(dana_row.completion_rate, dana_row.reviewed) == "70 % (n=5)"
    # each client page (same period) reads its own share, and the shares add up
    weekly = [page.weekly for page in pages]
    assert [rate_label(page.homework_rate, page.homework_reviewed) for page in pages] == [
        "too few (n=3)",
        "too few (n=2)",
    ]
    assert sum(int(w["reviewed"].sum()) for w in weekly) == expected_n
    assert sum(float(w["credit"].sum()) for w in weekly) == pytest.approx(3.5)
