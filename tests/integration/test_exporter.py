"""Exports hold exactly the viewer's scope, in the import format, and each one is audited.

Practice: Sam supervises Ben; Ben treats C-0001, Cara (unsupervised) treats C-0002, Sam treats
C-0003; each client has one PHQ-9 score, totals only; Ben's C-0004 has one with its items.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from data_access.records.exporter import export_bytes
from data_access.store.schema import AuditEvent
from tests.builders import D, Practice

# C-0004 (Ben's) has a PHQ-9 of 9 with its items: eight 1s and item 9 = 1; a totals-only row
# exports its nine item cells blank.
ITEMISED = "C-0004,PHQ-9,9,2026-03-09,1,1,1,1,1,1,1,1,1"


@pytest.fixture
def viewers(engine: Engine) -> dict:
    p = Practice(engine)
    sam = p.clinician("Sam Boss", role="supervisor")
    ben = p.clinician("Ben Lindqvist", supervisor=sam)
    cara = p.clinician("Cara Mendes")
    admin = p.clinician("Ada Admin", role="admin")
    for code, who, value in (("C-0001", ben, 11), ("C-0002", cara, 12), ("C-0003", sam, 13)):
        p.score(p.client(who, code=code), "PHQ-9", value, D(2026, 3, 2))
    p.score(p.client(ben, code="C-0004"), "PHQ-9", 9, D(2026, 3, 9), items=[1] * 8 + [1])
    return {
        name: p.viewer(cid)
        for name, cid in (("ben", ben), ("sam", sam), ("cara", cara), ("admin", admin))
    }


@pytest.mark.parametrize(
    ("who", "rows"),
    [
        ("ben", ["C-0001,PHQ-9,11,2026-03-02", ITEMISED]),
        ("sam", ["C-0001,PHQ-9,11,2026-03-02", "C-0003,PHQ-9,13,2026-03-02", ITEMISED]),
        (
            "admin",
            [
                "C-0001,PHQ-9,11,2026-03-02",
                "C-0002,PHQ-9,12,2026-03-02",
                "C-0003,PHQ-9,13,2026-03-02",
                ITEMISED,
            ],
        ),
    ],
)
def test_a_score_export_holds_the_viewers_clients_only(
    engine: Engine, viewers: dict, who: str, rows: list[str]
):
    data = export_bytes(engine, viewers[who], "scores").decode("utf-8")
    header = "client_code,measure,score,recorded_on," + ",".join(f"item_{n}" for n in range(1, 10))
    padded = [r if r == ITEMISED else r + "," * 9 for r in rows]
    assert data.split("\r\n") == [header, *padded, ""]
    with engine.connect() as conn:
        event = conn.execute(select(AuditEvent)).one()
    assert (event.actor_email, event.action, event.client_code, event.detail) == (
        viewers[who].email,
        "export",
        None,
        f"kind=scores rows={len(rows)}",
    )


def test_clinicians_export_follows_supervision(engine: Engine, viewers: dict):
    data = export_bytes(engine, viewers["sam"], "clinicians").decode("utf-8").split("\r\n")
    assert data == [
        "email,name,role,supervisor_email",
        "ben.lindqvist@example.org,Ben Lindqvist,clinician,sam.boss@example.org",
        "sam.boss@example.org,Sam Boss,supervisor,",
        "",
    ]


def test_an_empty_scope_exports_just_the_header(engine: Engine):
    p = Practice(engine)
    nell = p.viewer(p.clinician("Nell New"))
    assert export_bytes(engine, nell, "assignments").decode("utf-8") == (
        "assignment_id,client_code,type,assigned_on,due_on,status,difficulty,engagement,"
        "reviewed_on,instructions\r\n"
    )
