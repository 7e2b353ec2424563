"""The hand-built practice behind the overview and caseload tests, with its right answers.

Period 4–31 May 2026, "today" 1 June; previous period 6 April – 3 May. `shift` moves every date
by whole weeks (pages run with the real today, so their tests shift the practice next to it).

| client | clinician | intake / discharge | attended sessions in May (homework set?) |
| C-0001 | Ana       | 2 Mar              | 4 ✓, 11 ✓, 18 ✗; no-shows 25 and 28     |
| C-0002 | Ana       | 2 Mar / 15 May     | 5 ✓                                       |
| C-0003 | Sam (sup) | 10 May             | 12 ✓, 19 ✗                                |
| C-0004 | Ben       | 2 Mar              | 6 ✓, 13 ✓                                 |

Assignments due in May: a1 C-0001 completed (Thought Record, difficulty 2, 7 days),
a2 C-0001 partial (Daily Mood Log, 4, 7 days), a4 C-0001 pending and overdue (Thought Record, 1,
9 days), a5 C-0002 not done (Behavioural Experiment, 5, 7 days), a6 C-0003 completed (Daily Mood
Log, 1, 2 days), a7 C-0004 completed (Thought Record, 2, 7 days), a8 C-0004 completed (Exposure
Practice, 3, 14 days). a3 C-0001 (set and due in April) completed; a9 C-0004 set 13 May, due 10
June. Scores: C-0001 PHQ-9 16 -> 9 in May (reliably improved), 18 -> 16 in April; C-0004 GAD-7
8 -> 13 (reliable deterioration); C-0003 one PHQ-9 score. Sam supervises Ana; Ben is
unsupervised; Ada is the admin (no clients). Flags on 1 June: C-0001 repeated no-shows, C-0004
reliable deterioration.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from tests.builders import D, Practice

TODAY = D(2026, 6, 1)


def build_practice(engine: Engine, shift: dt.timedelta = dt.timedelta(0)) -> Practice:
    """Write the practice above; `p.ids` names clinicians, `p.clients` the client ids."""
    assert shift.days % 7 == 0, "shift by whole weeks so weekdays and weeks stay the same"

    def day(month: int, dom: int) -> dt.date:
        return D(2026, month, dom) + shift

    p = Practice(engine)
    sam = p.clinician("Sam Super", role="supervisor", email="sam@example.org", password="pw")
    ana = p.clinician("Ana Alder", supervisor=sam, email="ana@example.org", password="pw")
    ben = p.clinician("Ben Birch", email="ben@example.org", password="pw")
    ada = p.clinician("Ada Admin", role="admin", email="ada@example.org", password="pw")
    c1 = p.client(ana, intake=day(3, 2))
    c2 = p.client(ana, intake=day(3, 2), discharged=day(5, 15))
    c3 = p.client(sam, intake=day(5, 10))
    c4 = p.client(ben, intake=day(3, 2))
    for dom in (4, 11, 18):
        p.session(c1, day(5, dom))
    p.session(c1, day(4, 20))
    p.session(c1, day(5, 25), "no_show")
    p.session(c1, day(5, 28), "no_show")
    p.session(c2, day(5, 5))
    p.session(c3, day(5, 12))
    p.session(c3, day(5, 19))
    p.session(c4, day(5, 6))
    p.session(c4, day(5, 13))
    p.assignment(c1, day(5, 4), "completed", "Thought Record", difficulty=2)  # a1
    p.assignment(c1, day(5, 11), "partial", "Daily Mood Log", difficulty=4)  # a2
    p.assignment(c1, day(4, 20), "completed", "Thought Record")  # a3
    p.assignment(c1, day(5, 11), "pending", "Thought Record", due=day(5, 20), difficulty=1)
    p.assignment(c2, day(5, 5), "not_done", "Behavioural Experiment", difficulty=5)  # a5
    p.assignment(c3, day(5, 12), "completed", "Daily Mood Log", due=day(5, 14), difficulty=1)
    p.assignment(c4, day(5, 6), "completed", "Thought Record", difficulty=2)  # a7
    p.assignment(c4, day(5, 13), "completed", "Exposure Practice", due=day(5, 27), difficulty=3)
    p.assignment(c4, day(5, 13), "pending", "Thought Record", due=day(6, 10))  # a9
    p.score(c1, "PHQ-9", 18, day(4, 6))
    p.score(c1, "PHQ-9", 16, day(4, 27))
    p.score(c1, "PHQ-9", 16, day(5, 4))
    p.score(c1, "GAD-7", 10, day(5, 4))
    p.score(c1, "GAD-7", 9, day(5, 24))
    p.score(c1, "PHQ-9", 9, day(5, 25))
    p.score(c4, "PHQ-9", 12, day(5, 6))
    p.score(c4, "GAD-7", 8, day(5, 6))
    p.score(c4, "PHQ-9", 15, day(5, 26))
    p.score(c4, "GAD-7", 13, day(5, 27))
    p.score(c3, "PHQ-9", 14, day(5, 12))
    p.ids = {"sam": sam, "ana": ana, "ben": ben, "ada": ada}
    p.clients = {"C-0001": c1, "C-0002": c2, "C-0003": c3, "C-0004": c4}
    return p
