"""Completion by due week: whole weeks, the metric's credit and N, the viewer's clients only."""

import math

from data_access.filters import Filters
from data_access.weekly import completion_by_week
from tests.builders import D, Practice

TODAY = D(2026, 3, 25)  # a Wednesday


def weeks(engine, viewer, **filters):
    with engine.connect() as conn:
        frame = completion_by_week(conn, viewer, Filters(today=TODAY, **filters))
    return {
        row.week: (row.credit, row.reviewed, None if math.isnan(row.completion_rate) else
                   round(row.completion_rate, 3))
        for row in frame.itertuples()
    }  # fmt: skip


def test_weeks_group_by_the_monday_of_the_due_date_with_credit_and_reviewed_n(engine):
    p = Practice(engine)
    sup = p.clinician("Sam Super", role="supervisor")
    doc = p.clinician("Dana Doc", supervisor=sup)
    other = p.clinician("Olu Other")
    mine, theirs = p.client(doc), p.client(other)
    # week of 2 March: due Tue 3 and Sun 8 -> completed + partial + not done = 1.5 / 3
    p.assignment(mine, D(2026, 2, 24), "completed", due=D(2026, 3, 3))
    p.assignment(mine, D(2026, 3, 1), "partial", due=D(2026, 3, 8))
    p.assignment(mine, D(2026, 3, 2), "not_done", due=D(2026, 3, 4))
    # week of 9 March: one completed, one still pending (not reviewed: no credit, no N)
    p.assignment(mine, D(2026, 3, 9), "completed", due=D(2026, 3, 9), type_name="Other")
    p.assignment(mine, D(2026, 3, 9), "pending", due=D(2026, 3, 13))
    # week of 23 March: only pending -> a week with N = 0 and no rate
    p.assignment(mine, D(2026, 3, 20), "pending", due=D(2026, 3, 24))
    # another clinician's client, outside the supervisor's team
    p.assignment(theirs, D(2026, 3, 2), "completed", due=D(2026, 3, 3))

    supervisor = p.viewer(sup)
    assert weeks(engine, supervisor) == {
        D(2026, 3, 2): (1.5, 3, 0.5),
        D(2026, 3, 9): (1.0, 1, 1.0),
        D(2026, 3, 23): (0.0, 0, None),
    }
    admin_view = weeks(engine, p.viewer(p.clinician("Ada Admin", role="admin")))
    assert admin_view[D(2026, 3, 2)] == (2.5, 4, 0.625)
    assert weeks(engine, p.viewer(other)) == {D(2026, 3, 2): (1.0, 1, 1.0)}
    # a window starting mid-week counts that whole week; the end cuts at its own week
    assert set(weeks(engine, supervisor, start=D(2026, 3, 4), end=D(2026, 3, 10))) == {
        D(2026, 3, 2),
        D(2026, 3, 9),
    }
    assert weeks(engine, supervisor, type_ids=(p.type_ids["Other"],)) == {
        D(2026, 3, 9): (1.0, 1, 1.0)
    }


def test_client_filters_apply_and_an_empty_view_has_the_columns(engine):
    p = Practice(engine)
    doc = p.clinician("Dana Doc")
    gone = p.client(doc, intake=D(2026, 1, 5), discharged=D(2026, 3, 1))
    p.assignment(gone, D(2026, 2, 16), "completed", due=D(2026, 2, 20))
    viewer = p.viewer(doc)
    assert weeks(engine, viewer, client_status="discharged") == {D(2026, 2, 16): (1.0, 1, 1.0)}
    assert weeks(engine, viewer, client_status="active") == {}
    with engine.connect() as conn:
        empty = completion_by_week(conn, viewer, Filters(client_status="active", today=TODAY))
    assert list(empty.columns) == ["week", "credit", "reviewed", "completion_rate"]
