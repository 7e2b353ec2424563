"""The completion credit and the overdue rule are each one definition in `reads/metrics.py`;
evaluated by SQLite and PostgreSQL they give what they give in Python (docs/metrics.md).
"""

from sqlalchemy import func, select

from data_access.reads import metrics
from data_access.store.schema import Assignment
from tests.builders import D, Practice

TODAY = D(2026, 3, 10)


def test_sql_and_python_apply_the_same_credit_and_overdue_rule(engine):
    p = Practice(engine)
    client = p.client(p.clinician("Ana"))
    cases = [  # (status, due): overdue only when pending and due before today
        ("pending", D(2026, 3, 9)),  # overdue
        ("pending", TODAY),  # due today: not yet
        ("pending", D(2026, 3, 11)),
        ("completed", D(2026, 3, 1)),  # credit 1
        ("partial", D(2026, 3, 1)),  # credit 0.5
        ("not_done", D(2026, 3, 1)),  # credit 0
    ]
    ids = [p.assignment(client, D(2026, 3, 1), status, due=due) for status, due in cases]
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Assignment.id,
                metrics.overdue(TODAY),
                metrics.assignment_credit(Assignment.status),
            ).order_by(Assignment.id)
        ).all()
        group = conn.execute(
            select(metrics.completion_credit(), metrics.reviewed_count(), func.count())
        ).one()

    assert [r[0] for r in rows] == ids
    assert [bool(r[1]) for r in rows] == [True, False, False, False, False, False]
    assert [bool(r[1]) for r in rows] == [metrics.is_overdue(s, d, TODAY) for s, d in cases]
    assert [float(r[2]) for r in rows] == [0.0, 0.0, 0.0, 1.0, 0.5, 0.0]
    # 1 completed + 1 partial over 3 reviewed: credit 1.5, rate 50 %
    assert tuple(group) == (1.5, 3, 6)
    assert metrics.completion_rate(1, 1, 3) == group[0] / group[1] == 0.5
