"""What "baseline" and "latest" mean, on a hand-built practice, on SQLite and PostgreSQL.

The two dialects reduce scores with different query shapes (SQLite seeks per client, PostgreSQL
groups), so this pins both to the same answers. Today is Monday 1 June 2026.

  C-0001 (Dana)    PHQ-9  Mar 2: 9
                          Jan 5: 18 (entered after the March score)
                          Feb 2: 12
                   (one score per measure and day: the database refuses a second)
                   GAD-7  Feb 2: 8 (one score)
  C-0002 (Dana)    no scores at all
  C-0003 (Olly)    PHQ-9  Jan 5: 20, Mar 2: 14; discharged Apr 6
"""

import pytest

from data_access.reads.filters import Filters
from data_access.reads.scope import scope_of
from data_access.reads.scores import baseline_latest
from tests.builders import D, Practice

TODAY = D(2026, 6, 1)
COLUMNS = ["client_code", "measure", "baseline", "latest", "baseline_on", "latest_on", "n_scores"]


@pytest.fixture
def practice(engine):
    p = Practice(engine)
    p.sam = p.clinician("Sam Super", role="supervisor")
    p.dana = p.clinician("Dana Doc", supervisor=p.sam)
    p.olly = p.clinician("Olly Other")
    p.admin = p.clinician("Ada Admin", role="admin")
    p.c1 = p.client(p.dana, intake=D(2026, 1, 5))
    p.c2 = p.client(p.dana, intake=D(2026, 1, 5))
    p.c3 = p.client(p.olly, intake=D(2026, 1, 5), discharged=D(2026, 4, 6))
    for value, day in [(9, D(2026, 3, 2)), (18, D(2026, 1, 5)), (12, D(2026, 2, 2))]:
        p.score(p.c1, "PHQ-9", value, day)
    p.score(p.c1, "GAD-7", 8, D(2026, 2, 2))
    p.score(p.c3, "PHQ-9", 20, D(2026, 1, 5))
    p.score(p.c3, "PHQ-9", 14, D(2026, 3, 2))
    return p


def rows(p, viewer_id, measures=("PHQ-9", "GAD-7"), client_ids=None, **filters):
    with p.engine.connect() as conn:
        frame = baseline_latest(
            conn,
            scope_of(conn, p.viewer(viewer_id), Filters(today=TODAY, **filters)),
            measures,
            client_ids,
        )
    return [tuple(r) for r in frame[COLUMNS].itertuples(index=False)]


def test_the_first_and_the_last_day_decide_not_the_order_entered(practice):
    """Baseline: the earliest day's score (18, entered last); latest: the last day's (9)."""
    assert rows(practice, practice.admin) == [
        ("C-0001", "GAD-7", 8, 8, D(2026, 2, 2), D(2026, 2, 2), 1),
        ("C-0001", "PHQ-9", 18, 9, D(2026, 1, 5), D(2026, 3, 2), 3),
        ("C-0003", "PHQ-9", 20, 14, D(2026, 1, 5), D(2026, 3, 2), 2),
    ]  # C-0002 has no scores, so no rows; one score gives baseline == latest and N = 1


def test_the_window_chooses_which_scores_count(practice):
    """From Jan 6 to Mar 1 only Feb 2 is inside; C-0003 has nothing inside, so no row."""
    assert rows(practice, practice.admin, start=D(2026, 1, 6), end=D(2026, 3, 1)) == [
        ("C-0001", "GAD-7", 8, 8, D(2026, 2, 2), D(2026, 2, 2), 1),
        ("C-0001", "PHQ-9", 12, 12, D(2026, 2, 2), D(2026, 2, 2), 1),
    ]
    # up to Feb 2 (both ends inclusive): Jan 5's score to Feb 2's
    assert rows(practice, practice.admin, ("PHQ-9",), end=D(2026, 2, 2)) == [
        ("C-0001", "PHQ-9", 18, 12, D(2026, 1, 5), D(2026, 2, 2), 2),
        ("C-0003", "PHQ-9", 20, 20, D(2026, 1, 5), D(2026, 1, 5), 1),
    ]


def test_each_viewer_gets_only_their_clients(practice):
    p = practice
    danas = [r for r in rows(p, p.admin) if r[0] == "C-0001"]
    assert rows(p, p.dana) == rows(p, p.sam) == danas  # Sam supervises Dana
    assert [r[0] for r in rows(p, p.olly)] == ["C-0003"]
    assert rows(p, p.dana, client_ids=[p.c3]) == []  # asking by id does not widen the scope


def test_client_filters_and_measures_narrow_the_rows(practice):
    p = practice
    assert {r[0] for r in rows(p, p.admin, client_status="active")} == {"C-0001"}
    assert {r[0] for r in rows(p, p.admin, client_status="discharged")} == {"C-0003"}
    assert {r[0] for r in rows(p, p.admin, clinician_ids=(p.olly,))} == {"C-0003"}
    assert [r[:2] for r in rows(p, p.admin, ("GAD-7",))] == [("C-0001", "GAD-7")]
    assert rows(p, p.admin, ("MOOD",)) == []
