"""PHQ-9 item 9, the risk item: raised on any answer of 1 or more, shown first, never hidden by
dates, status or clinician-less rules, closed only by a newer PHQ-9 whose item 9 is 0, and
reviewed by a clinician with who, when and a note, written only after every check passes.

Practice: Dana treats C-0001 … C-0005; Sam supervises Dana; Cara (unsupervised) treats C-0006.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from dashboard.flag_words import answer_words, flag_label, flag_rule
from data_access.reads.filters import Filters
from data_access.reads.flags import needs_attention
from data_access.reads.risk import open_risk_items, review_risk_item
from data_access.reads.scope import scope_of
from data_access.store.errors import DataError, NotInScope
from data_access.store.schema import AuditEvent, RiskReview
from tests.builders import D, Practice

TODAY = D(2026, 6, 1)
CALM = [1, 1, 1, 1, 1, 1, 1, 1, 0]  # PHQ-9 8, item 9 "not at all"


def phq(item_9: int, rest: int = 1) -> tuple[int, list[int]]:
    """A PHQ-9 with eight items of `rest` and item 9 as given: (total, items)."""
    items = [rest] * 8 + [item_9]
    return sum(items), items


@pytest.fixture
def practice(engine: Engine) -> dict:
    p = Practice(engine)
    sam = p.clinician("Sam Super", role="supervisor")
    dana = p.clinician("Dana Doc", supervisor=sam)
    cara = p.clinician("Cara Carer")
    ids = {}
    # C-0001: item 9 = 2 on 25 May, newest PHQ-9 -> open, "more than half the days"
    ids["open"] = c = p.client(dana, intake=D(2026, 5, 1), code="C-0001")
    ids["calm_score"] = p.score(c, "PHQ-9", 8, D(2026, 5, 4), items=CALM)
    ids["open_score"] = p.score(c, "PHQ-9", phq(2)[0], D(2026, 5, 25), items=phq(2)[1])
    # C-0002: item 9 = 1 in April, then a PHQ-9 with item 9 = 0 -> closed
    ids["closed"] = c = p.client(dana, intake=D(2026, 4, 1), code="C-0002")
    p.score(c, "PHQ-9", phq(1)[0], D(2026, 4, 6), items=phq(1)[1])
    p.score(c, "PHQ-9", 8, D(2026, 4, 20), items=CALM)
    # C-0003: item 9 = 3, then a totals-only PHQ-9 (item 9 unknown) -> still open
    ids["unknown_after"] = c = p.client(dana, intake=D(2026, 4, 1), code="C-0003")
    p.score(c, "PHQ-9", phq(3)[0], D(2026, 4, 6), items=phq(3)[1])
    p.score(c, "PHQ-9", 4, D(2026, 5, 20))
    # C-0004: discharged in March, item 9 = 1 at its last PHQ-9 -> still shown
    ids["discharged"] = c = p.client(
        dana, intake=D(2026, 1, 5), discharged=D(2026, 3, 2), code="C-0004"
    )
    p.score(c, "PHQ-9", phq(1, rest=0)[0], D(2026, 2, 23), items=phq(1, rest=0)[1])
    # C-0005: totals only, PHQ-9 27 -> no risk item (item 9 never answered)
    ids["totals_only"] = c = p.client(dana, intake=D(2026, 5, 1), code="C-0005")
    p.score(c, "PHQ-9", 27, D(2026, 5, 4))
    # C-0006: Cara's, item 9 = 1
    ids["cara"] = c = p.client(cara, intake=D(2026, 5, 1), code="C-0006")
    p.score(c, "PHQ-9", phq(1)[0], D(2026, 5, 4), items=phq(1)[1])
    return {
        "engine": engine,
        "ids": ids,
        "dana": p.viewer(dana),
        "sam": p.viewer(sam),
        "cara": p.viewer(cara),
    }


def risks(practice: dict, who: str) -> list[tuple]:
    with practice["engine"].connect() as conn:
        frame = open_risk_items(conn, scope_of(conn, practice[who], Filters()))
    return [
        (r.client_code, answer_words(r.answer), r.recorded_on, r.reviewed)
        for r in frame.itertuples()
    ]


def test_an_answer_of_one_or_more_opens_a_risk_item_until_a_newer_phq9_answers_zero(practice):
    assert risks(practice, "dana") == [
        ("C-0001", "more than half the days", D(2026, 5, 25), False),
        ("C-0003", "nearly every day", D(2026, 4, 6), False),
        ("C-0004", "several days", D(2026, 2, 23), False),
    ]
    assert risks(practice, "sam") == risks(practice, "dana")  # Dana's supervisor
    assert risks(practice, "cara") == [("C-0006", "several days", D(2026, 5, 4), False)]


def test_the_risk_item_is_the_first_flag_whatever_the_dates_and_status(practice):
    """A one-week window and a discharged client (C-0004) hide none of the three risk items,
    and they come before every other flag (C-0005 and C-0006 have no recent score)."""
    with practice["engine"].connect() as conn:
        frame = needs_attention(
            conn, practice["dana"], Filters(start=D(2026, 5, 30), end=TODAY, today=TODAY)
        )
    risk_rows = frame[frame["flag"] == "risk_item"]
    assert list(frame["flag"].iloc[:3]) == ["risk_item"] * 3
    assert list(risk_rows["client_code"]) == ["C-0001", "C-0003", "C-0004"]
    first = frame.iloc[0]
    assert flag_label(first["flag"], first["reviewed"]) == "Risk item"
    assert flag_rule(first["flag"], first["facts"]) == (
        'PHQ-9 item 9, "Thoughts that you would be better off dead, or of hurting yourself": '
        '"more than half the days" (2 of 3) on 25 May 2026.'
    )


def count(engine: Engine, table) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_a_review_records_who_when_and_the_note_and_the_item_stays_listed(practice):
    engine, ids = practice["engine"], practice["ids"]
    at = dt.datetime(2026, 5, 26, 9, 30)
    review_risk_item(engine, practice["dana"], ids["open_score"], "  Safety plan agreed. ", at)
    with engine.connect() as conn:
        frame = open_risk_items(
            conn, scope_of(conn, practice["dana"], Filters()), client_ids=[ids["open"]]
        )
        event = conn.execute(select(AuditEvent)).one()
        flags = needs_attention(conn, practice["dana"], Filters(today=TODAY))
    row = frame.iloc[0]
    assert (row.reviewed, row.reviewed_by, row.reviewed_at, row.note) == (
        True, "Dana Doc", at, "Safety plan agreed.",
    )  # fmt: skip
    assert (event.action, event.client_code, event.detail) == (
        "record", "C-0001", f"kind=risk_review score={ids['open_score']}",
    )  # fmt: skip
    assert "Safety" not in event.detail  # the note stays out of the audit trail
    reviewed = flags[flags["client_code"] == "C-0001"].iloc[0]
    assert flag_label(reviewed["flag"], reviewed["reviewed"]) == "Risk item (reviewed)"
    assert flag_rule(reviewed["flag"], reviewed["facts"]).endswith(
        "Reviewed by Dana Doc on 26 May 2026."
    )
    # an unreviewed risk item now comes before the reviewed one
    assert list(flags.loc[flags["flag"] == "risk_item", "client_code"]) == [
        "C-0003", "C-0004", "C-0001",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("who", "which", "note", "error", "reason"),
    [
        ("cara", "open_score", "", NotInScope, "no such risk item among your clients"),
        ("dana", "calm_score", "", DataError, "this score has no risk item"),
        ("dana", "open_score", "x" * 1001, DataError, "keep the note under 1000 characters"),
        ("dana", "reviewed", "", DataError, "already been marked reviewed"),
    ],
)
def test_a_refused_review_writes_nothing(practice, who, which, note, error, reason):
    engine, ids = practice["engine"], practice["ids"]
    if which == "reviewed":
        review_risk_item(engine, practice["dana"], ids["open_score"])
        which = "open_score"
    before = (count(engine, RiskReview), count(engine, AuditEvent))
    with pytest.raises(error, match=reason):
        review_risk_item(engine, practice[who], ids[which], note)
    assert (count(engine, RiskReview), count(engine, AuditEvent)) == before
