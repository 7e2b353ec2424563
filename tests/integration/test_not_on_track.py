"""Not on track, against the expected response fitted from the practice's own history.

History: 44 discharged clients start at each of 12, 18 and 24 and score baseline - 2·w + e at
weeks 1-6, e running through -5 … 5 four times in every (baseline, week) cell. So by week 6
three in four clients are at baseline - 12 + 3 or better: 9 or better for those starting at 18.
"""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from sqlalchemy import Engine, delete, insert

from dashboard.flag_words import flag_label, flag_rule, not_on_track_share, off_course_rule
from data_access.reads import expected, scores
from data_access.reads.caseload import day_view
from data_access.reads.expected import active_pairs, expected_response, on_track
from data_access.reads.filters import Filters
from data_access.reads.flags import needs_attention
from data_access.reads.on_track_outcomes import alert_accuracy, outcome_by_completion
from data_access.reads.scope import scope_of
from data_access.store import score_spans
from data_access.store.data_version import current_version
from data_access.store.engine import new_engine, write
from data_access.store.schema import Client, Score
from tests.builders import D, Practice
from tests.maintained import read_live

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
        frame = on_track(conn, active_pairs(conn, scope_of(conn, viewer, Filters(today=TODAY))))
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
        day = day_view(conn, viewer, Filters(today=TODAY))
    summary = day.on_track
    # two judged (C-0003 is before week 3), one of them not on track, with the same numbers
    assert not_on_track_share(summary) == "1 of 2 (50 %)"
    (off,) = summary.off_course.itertuples()
    assert (off.client_code, off.clinician) == ("C-0001", "Dana Doc")
    assert off_course_rule(off.measures) == flag_rule("not_on_track", flagged.iloc[0]["facts"])
    # the share and the needs-attention list come from one read: the same client, not on track
    listed = day.attention.set_index("client_code")["flags"]
    assert [f.flag for f in listed["C-0001"]] == ["not_on_track"]
    assert "C-0002" not in listed.index
    # the pages key it on the day alone (Filters.on_the_day): any dates and status give the same
    narrow = Filters(start=TODAY - dt.timedelta(weeks=2), end=TODAY, client_status="discharged",
                     clinician_ids=(practice.dana,), today=TODAY)  # fmt: skip
    with engine.connect() as conn:
        same = day_view(conn, viewer, narrow.on_the_day()).on_track
        full = day_view(conn, viewer, narrow).on_track
    assert full.judged == same.judged
    assert full.off_course.drop(columns="measures").equals(same.off_course.drop(columns="measures"))
    assert narrow.on_the_day() == Filters(clinician_ids=(practice.dana,), today=TODAY)
    assert not_on_track_share(same) == "1 of 2 (50 %)"


def test_too_little_history_judges_nobody_and_one_more_client_fits_a_band(engine, practice):
    history(engine, practice.dana, per_baseline=33)  # 99 clients with 3+ scores
    assert judged(engine, practice.viewer(practice.dana)) == {}
    with engine.connect() as conn:
        fitted = expected_response(conn, "PHQ-9")
    assert not fitted.enough and fitted.clients == 99
    with write(engine, "score") as conn:  # C-0002's third score: a fit without a band is redone
        conn.execute(insert(Score), _scores(practice.on, range(1, 2)))  # on any change
    with engine.connect() as conn:
        assert expected_response(conn, "PHQ-9").enough


def _scores(client_id: int, days: range) -> list[dict]:
    """PHQ-9 scores of 8 for `client_id`, one on each of `days` days before TODAY."""
    return [
        {"client_id": client_id, "measure": "PHQ-9", "value": 8,
         "recorded_on": TODAY - dt.timedelta(days=d)}
        for d in days
    ]  # fmt: skip


def test_the_fit_stands_until_the_scores_move_by_one_percent_or_an_hour_passes(
    engine, practice, monkeypatch
):
    """History: 132 clients with 7 scores (924 PHQ-9 scores in all); C-0002 has 2. The fit is
    kept per data version; another process's write of no score, or of fewer than 1 % of the
    scores (REFIT_SHARE: 9 of 924), keeps it; the hour passing or a tenth score refits it."""
    history(engine, practice.dana, per_baseline=44)
    with engine.connect() as conn:
        first = expected_response(conn, "PHQ-9")
        assert expected_response(conn, "PHQ-9") is first and first.clients == 132
        version = current_version(conn)
    elsewhere = new_engine(engine.url.render_as_string(hide_password=False))  # another process
    with write(elsewhere, "client") as conn:  # a write, but of no score: the fit stands
        conn.execute(insert(Client).values(code="C-0009", clinician_id=practice.dana,
                                           intake_on=TODAY))  # fmt: skip
    with write(elsewhere, "scores") as conn:  # nine scores, C-0002's third among them
        conn.execute(insert(Score), _scores(practice.on, range(1, 10)))
    with engine.connect() as conn:
        assert current_version(conn) == version + 2
        assert expected_response(conn, "PHQ-9") is first
    monkeypatch.setattr(expected, "REFIT_SECONDS", 0.0)  # as if the fit were an hour old
    with engine.connect() as conn:
        refitted = expected_response(conn, "PHQ-9")
    assert refitted is not first and refitted.clients == 133
    monkeypatch.undo()
    with write(elsewhere, "score") as conn:  # one more: 10 of 924 since the first fit, but
        conn.execute(insert(Score), _scores(practice.on, range(10, 11)))  # 1 since this one
    with engine.connect() as conn:
        assert expected_response(conn, "PHQ-9") is refitted
    with write(elsewhere, "undo") as conn:  # removing the ten takes the newest ids: refit
        conn.execute(delete(Score).where(Score.client_id == practice.on, Score.value == 8))
    with engine.connect() as conn:
        assert expected_response(conn, "PHQ-9").clients == 132
    elsewhere.dispose()


def test_pages_asking_at_once_wait_for_one_fit(engine, practice, monkeypatch):
    """Eight page views needing the fit at the same moment on a fresh process fit it once."""
    history(engine, practice.dana, per_baseline=44)
    fits = []
    real_fit = expected.fit

    def slow_fit(rows, measure):  # noqa: ANN001, ANN202
        fits.append(measure)
        time.sleep(0.2)  # long enough for every other thread to arrive and wait
        return real_fit(rows, measure)

    monkeypatch.setattr(expected, "fit", slow_fit)

    def view(_: int) -> int:
        with engine.connect() as conn:
            return expected_response(conn, "PHQ-9").clients

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(view, range(8))) == {132}
    assert fits == ["PHQ-9"]


def test_above_the_edge_but_under_caseness_is_no_warning(engine, practice):
    """Clients starting at 12 are at 4 + e by week 4 (e from -5 to 5, never under 0): the 75th
    percentile is 6.5, so the edge is 7. A 9 there is above it but under PHQ-9 caseness (10),
    the non-clinical range: on track. A 10 is at caseness: not on track."""
    history(engine, practice.dana, per_baseline=44)
    intake = TODAY - dt.timedelta(weeks=4)
    for code, later in (("C-0011", 9), ("C-0012", 10)):
        client = practice.client(practice.dana, intake=intake, code=code)
        practice.score(client, "PHQ-9", 12, intake)
        practice.score(client, "PHQ-9", later, intake + dt.timedelta(weeks=4))
    judged_now = judged(engine, practice.viewer(practice.dana))
    assert judged_now["C-0011"] == (4, 7, False)
    assert judged_now["C-0012"] == (4, 7, True)


def live_and_kept(engine: Engine, table, viewer) -> pd.DataFrame:  # noqa: ANN001 - a table read
    """`table` (an early-warning read) for PHQ-9 with the first and last scores grouped from the
    scores, checked equal to the same read through the score spans (current once a write has
    recomputed what `history`'s inserts past `engine.write` marked)."""
    with read_live(scores), engine.connect() as conn:
        live = table(conn, viewer, "PHQ-9")
    with write(engine, "nothing"):
        pass
    with engine.connect() as conn:
        assert score_spans.is_current(conn)
        kept = table(conn, viewer, "PHQ-9")
    pd.testing.assert_frame_equal(kept, live)
    return kept


def test_how_well_the_alert_predicts_counts_closed_episodes_by_week_4_flag(engine, practice):
    """History clients are discharged. At weeks 3 and 4 they are above the 75th percentile
    (e = 4 or 5) when i mod 11 is 5, 6 or 7: 3 in 11, 36 of 132. Of those starting at 12, the
    four with i mod 11 = 5 are above it only at week 4, at 12 - 8 + 4 = 8: under PHQ-9
    caseness (10), so not flagged. 32 are. All end at week 6 at least 7 points better
    (12 - e, e ≤ 5): nobody ends without reliable improvement."""
    history(engine, practice.dana, per_baseline=44)
    table = live_and_kept(engine, alert_accuracy, practice.viewer(practice.dana))
    assert table[["group", "count", "total"]].to_dict("records") == [
        {"group": "flagged", "count": 0, "total": 32},
        {"group": "not_flagged", "count": 0, "total": 100},
    ]
    assert table["rate"].tolist() == [0.0, 0.0]
    assert table["ci_high"].iloc[0] == pytest.approx(0.1072, abs=1e-3)  # Wilson, 0 of 32


def flagged_client(p: Practice, code: str, week_3_4: tuple[int, int], last: int, homework) -> int:
    """A client starting at 18, scored once in weeks 3-4 and last at week 8; `homework` is
    (week set, status) pairs, set on the Monday of that week after intake."""
    intake = TODAY - dt.timedelta(weeks=10)
    client = p.client(p.dana, intake=intake, code=code)
    week, score = week_3_4
    for on_week, value in ((0, 18), (week, score), (8, last)):
        p.score(client, "PHQ-9", value, intake + dt.timedelta(weeks=on_week))
    for n, (on_week, status) in enumerate(homework):
        assigned = intake + dt.timedelta(weeks=on_week, days=n % 5)
        p.assignment(client, assigned, status, reviewed=None if status == "pending" else assigned)
    return client


def test_outcome_by_homework_after_the_flag_among_clients_not_on_track(engine, practice):
    """Edges for a start of 18: 15 at week 3, 13 at week 4. Flagged clients (17 at week 3 or
    16 at week 4) are banded by the homework set from the flag to their last score:
    - 5 did all 5 (the 3 not done before the flag and a pending one do not count) and end at
      10: change 8, each a reliable improvement;
    - 5 did ½ of 5 (one partial, 10 %): four end at 17 (change 1), one at 11 (change 7);
    - 2 did 3 of 5 (60 %) and end at 14: too few for a figure;
    - one reviewed only 4 (no rate) and one not flagged (12 at week 3) are left out."""
    history(engine, practice.dana, per_baseline=44)
    p = practice
    for i in range(5):
        done = [(1, "not_done")] * 3 + [(3, "completed")] * 5 + [(4, "pending")]
        flagged_client(p, f"HI-{i}", (3, 17), 10, done)
        flagged_client(p, f"LO-{i}", (3, 17), 11 if i == 4 else 17,
                       [(3, "partial")] + [(4, "not_done")] * 4)  # fmt: skip
    for i in range(2):
        flagged_client(p, f"MID-{i}", (4, 16), 14, [(4, "completed")] * 3 + [(5, "not_done")] * 2)
    flagged_client(p, "FEW", (3, 17), 10, [(3, "completed")] * 4)
    flagged_client(p, "CALM", (3, 12), 8, [(3, "completed")] * 5)
    table = live_and_kept(engine, outcome_by_completion, p.viewer(p.dana)).set_index("band")
    assert table["n"].to_dict() == {0: 5, 25: 0, 50: 2, 75: 5}
    assert table["too_few"].tolist() == [False, True, True, False]
    low = table.loc[0]
    assert low["mean"] == pytest.approx(2.2)  # (4 × 1 + 7) / 5
    assert (low["ci_low"], low["ci_high"]) == pytest.approx((-1.131, 5.531), abs=1e-3)  # t, 4 df
    assert (low["ri_count"], low["ri_rate"]) == (1, pytest.approx(0.2))
    assert (low["ri_low"], low["ri_high"]) == pytest.approx((0.0362, 0.6245), abs=1e-3)
    high = table.loc[75]
    assert (high["mean"], high["ci_low"], high["ci_high"]) == (8, 8, 8)
    assert (high["ri_count"], high["ri_rate"]) == (5, 1.0)
    assert high["ri_low"] == pytest.approx(0.5656, abs=1e-3)  # Wilson, 5 of 5
    assert table.loc[50, ["mean", "ri_rate"]].isna().all()


def test_outcome_by_homework_needs_the_expected_response(engine, practice):
    history(engine, practice.dana, per_baseline=33)  # 99 clients with 3+ scores: no band
    with engine.connect() as conn:
        table = outcome_by_completion(conn, practice.viewer(practice.dana), "PHQ-9")
    assert table.empty and list(table.columns)[:2] == ["band", "n"]


def test_a_server_starting_keeps_the_fit_before_anyone_asks(engine, practice, monkeypatch):
    """dashboard/app.py calls keep_fits as the server starts: page views then find it kept."""
    history(engine, practice.dana, per_baseline=44)
    expected.keep_fits(engine)

    def no_fit(rows, measure):  # noqa: ANN001, ANN202
        raise AssertionError("fitted again")

    monkeypatch.setattr(expected, "fit", no_fit)
    with engine.connect() as conn:
        assert expected_response(conn, "PHQ-9").clients == 132
