"""Not on track, against the expected response fitted from the practice's own history.

History: 44 discharged clients start at each of 12, 18 and 24 and score baseline - 2·w + e at
weeks 1-6, e running through -5 … 5 four times in every (baseline, week) cell. So by week 6
three in four clients are at baseline - 12 + 3 or better: 9 or better for those starting at 18.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, insert

from dashboard.flag_words import flag_label, flag_rule, not_on_track_share, off_course_rule
from data_access.reads.expected import (
    active_pairs,
    alert_accuracy,
    expected_response,
    on_track,
    on_track_summary,
)
from data_access.reads.filters import Filters
from data_access.reads.flags import needs_attention
from data_access.store.schema import Client, Score
from tests.builders import D, Practice

TODAY = D(2026, 6, 1)
START = D(2025, 1, 6)
E = range(-5, 6)


def history(engine: Engine, clinician: int, per_baseline: int) -> None:
    clients, scores = [], []
    for b_index, baseline in enumerate((12, 18, 24)):
        for i in range(per_baseline):
            cid = 10_000 + b_index * 1_000 + i
            clients.append(
                dict(
                    id=cid,
                    code=f"H-{cid}",
                    clinician_id=clinician,
                    intake_on=START,
                    discharged_on=START + dt.timedelta(weeks=8),
                )
            )
            scores.append(dict(client_id=cid, measure="PHQ-9", value=baseline, recorded_on=START))
            for week in range(1, 7):
                value = baseline - 2 * week + E[(i + week) % len(E)]
                scores.append(
                    dict(
                        client_id=cid,
                        measure="PHQ-9",
                        value=max(0, value),
                        recorded_on=START + dt.timedelta(weeks=week),
                    )
                )
    with engine.begin() as conn:
        conn.execute(insert(Client), clients)
        conn.execute(insert(Score), scores)  # fmt: skip


@pytest.fixture
def practice(engine: Engine):
    p = Practice(engine)
    p.dana = p.clinician("Dana Doc")
    intake = TODAY - dt.timedelta(weeks=6)
    p.off = p.client(p.dana, intake=intake, code="C-0001")  # 18 -> 16 at week 6
    p.on = p.client(p.dana, intake=intake, code="C-0002")  # 18 -> 9 at week 6
    p.early = p.client(p.dana, intake=intake, code="C-0003")  # 18 -> 20 at week 2 only
    for client, later, weeks in ((p.off, 16, 6), (p.on, 9, 6), (p.early, 20, 2)):
        p.score(client, "PHQ-9", 18, intake)
        p.score(client, "PHQ-9", later, intake + dt.timedelta(weeks=weeks))
    return p


def judged(engine: Engine, viewer) -> dict[str, tuple]:
    with engine.connect() as conn:
        frame = on_track(conn, active_pairs(conn, viewer, Filters(today=TODAY)))
    return {r.client_code: (r.week, r.edge, r.not_on_track) for r in frame.itertuples()}


def test_a_client_worse_than_three_in_four_by_week_6_is_not_on_track(engine, practice):
    history(engine, practice.dana, per_baseline=44)
    viewer = practice.viewer(practice.dana)
    assert judged(engine, viewer) == {"C-0001": (6, 9, True), "C-0002": (6, 9, False)}
    with engine.connect() as conn:
        flags = needs_attention(conn, viewer, Filters(today=TODAY))
    flagged = flags[flags["flag"] == "not_on_track"]
    assert list(flagged["client_code"]) == ["C-0001"]
    assert flag_label(flagged.iloc[0]["flag"]) == "Not on track"
    assert flag_rule("not_on_track", flagged.iloc[0]["facts"]) == (
        "PHQ-9 16 at week 6; clients starting at 18 in this practice are at 9 or better by "
        "week 6 at least three times in four."
    )
    with engine.connect() as conn:
        summary = on_track_summary(conn, viewer, Filters(today=TODAY))
    # two judged (C-0003 is before week 3), one of them not on track, with the same numbers
    assert not_on_track_share(summary) == "1 of 2 (50 %)"
    (off,) = summary.off_course.itertuples()
    assert (off.client_code, off.clinician) == ("C-0001", "Dana Doc")
    assert off_course_rule(off.measures) == flag_rule("not_on_track", flagged.iloc[0]["facts"])


def test_too_little_history_judges_nobody(engine, practice):
    history(engine, practice.dana, per_baseline=33)  # 99 clients with 3+ scores
    assert judged(engine, practice.viewer(practice.dana)) == {}
    with engine.connect() as conn:
        fitted = expected_response(conn, "PHQ-9")
    assert not fitted.enough and fitted.clients == 99


def test_the_fit_is_kept_until_a_score_is_added(engine, practice):
    history(engine, practice.dana, per_baseline=44)
    with engine.connect() as conn:
        first = expected_response(conn, "PHQ-9")
        assert expected_response(conn, "PHQ-9") is first
    practice.score(practice.on, "PHQ-9", 8, TODAY - dt.timedelta(days=1))  # a day not yet scored
    with engine.connect() as conn:
        assert expected_response(conn, "PHQ-9") is not first


def test_how_well_the_alert_predicts_counts_closed_episodes_by_week_4_flag(engine, practice):
    """History clients are discharged. At weeks 3 and 4 they are above the 75th percentile
    (e = 4 or 5) when i mod 11 is 5, 6 or 7: 3 in 11, so 36 of 132 are flagged. All end at
    week 6 at least 7 points better (12 - e, e ≤ 5): nobody ends without reliable improvement."""
    history(engine, practice.dana, per_baseline=44)
    with engine.connect() as conn:
        table = alert_accuracy(conn, practice.viewer(practice.dana), "PHQ-9")
    assert table[["group", "count", "total"]].to_dict("records") == [
        {"group": "Flagged not on track by week 4", "count": 0, "total": 36},
        {"group": "Not flagged by week 4", "count": 0, "total": 96},
    ]
    assert table["rate"].tolist() == [0.0, 0.0]
    assert table["ci_high"].iloc[0] == pytest.approx(0.0964, abs=1e-3)  # Wilson, 0 of 36
