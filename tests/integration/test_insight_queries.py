"""Homework by type on hand-built practices, on SQLite and PostgreSQL, with worked answers."""

import math

import pandas as pd
import pytest

from dashboard.words import rate_label
from data_access.reads import insight, reviews
from data_access.reads.filters import EVERYONE, Filters
from data_access.reads.scope import scope_of
from tests.builders import D, Practice

MARCH = Filters(start=D(2026, 3, 1), end=D(2026, 3, 31), today=D(2026, 4, 15))
T975_DF4 = 2.776445  # t distribution, 97.5th percentile, 4 degrees of freedom


def small_practice(engine):
    """Sam supervises Dana; Olly is nobody's supervisee. Three clients have homework in March."""
    p = Practice(engine)
    sam = p.clinician("Sam Super", role="supervisor")
    dana = p.clinician("Dana Doc", supervisor=sam)
    olly = p.clinician("Olly Other")
    a, b = p.client(dana), p.client(dana)
    d = p.client(olly)
    p.client(dana)  # a client with no homework at all
    # A: Thought Record completed (eng 3) and partial (eng 1), a pending Daily Mood Log,
    # and a February Thought Record outside the window
    p.assignment(a, D(2026, 3, 2), "completed", engagement=3, reviewed=D(2026, 3, 9))
    p.assignment(a, D(2026, 3, 9), "partial", engagement=1, reviewed=D(2026, 3, 16))
    p.assignment(a, D(2026, 3, 16), "pending", type_name="Daily Mood Log")
    p.assignment(a, D(2026, 2, 20), "completed", reviewed=D(2026, 2, 27))
    # B: Thought Record not done (no rating), Daily Mood Log completed (eng 4)
    p.assignment(b, D(2026, 3, 2), "not_done", reviewed=D(2026, 3, 9))
    p.assignment(b, D(2026, 3, 9), "completed", type_name="Daily Mood Log", engagement=4)
    # D (Olly's): Reading completed
    p.assignment(d, D(2026, 3, 2), "completed", type_name="Reading / Psychoeducation")
    return p, sam, dana, olly


def by_type(engine, viewer, filters=MARCH):
    with engine.connect() as conn:
        return insight.homework_by_type(conn, scope_of(conn, viewer, filters)).set_index("type")


def test_homework_by_type_counts_what_was_set_in_the_window(engine):
    p, _, dana, _ = small_practice(engine)
    table = by_type(engine, p.viewer(dana))
    assert list(table.index) == ["Thought Record", "Daily Mood Log"]  # most often set first
    tr = table.loc["Thought Record"]
    # 3 set in March (A twice, B once); reviewed 3: 1 completed + ½ partial -> 1.5 / 3
    assert (tr["times_set"], tr["clients_set"], tr["reviewed"]) == (3, 2, 3)
    assert tr["completion_rate"] == pytest.approx(0.5)
    assert rate_label(tr["completion_rate"], tr["reviewed"]) == "too few (n=3)"
    assert tr["engagement_mean"] == pytest.approx(2.0) and tr["engagement_n"] == 2
    assert tr["share_of_clients"] == pytest.approx(1.0)  # both clients with homework
    dml = table.loc["Daily Mood Log"]
    assert (dml["times_set"], dml["completed"], dml["reviewed"]) == (2, 1, 1)
    assert dml["engagement_mean"] == pytest.approx(4.0)


def test_share_of_clients_is_over_clients_with_any_homework_in_view(engine):
    p, *_ = small_practice(engine)
    admin = p.viewer(p.clinician("Ada Admin", role="admin"))
    table = by_type(engine, admin)
    assert table["clients_with_homework"].iloc[0] == 3
    assert table.loc["Thought Record", "share_of_clients"] == pytest.approx(2 / 3)
    assert table.loc["Reading / Psychoeducation", "share_of_clients"] == pytest.approx(1 / 3)


def test_the_whole_practice_and_a_filter_naming_every_clinician_count_alike(engine):
    """A filter naming every clinician restricts the scope and names every type, the whole
    practice does neither; both must give the same table, February's assignment outside the
    window left out."""
    p, sam, dana, olly = small_practice(engine)
    admin = p.viewer(p.clinician("Ada Admin", role="admin"))
    everyone = Filters(
        start=MARCH.start, end=MARCH.end, today=MARCH.today, clinician_ids=(sam, dana, olly)
    )
    whole, named = by_type(engine, admin), by_type(engine, admin, everyone)
    pd.testing.assert_frame_equal(whole, named)
    tr = whole.loc["Thought Record"]
    assert (tr["times_set"], tr["clients_set"], tr["engagement_mean"]) == (3, 2, 2.0)
    assert list(whole["clients_set"]) == [2, 2, 1]  # Thought Record, Daily Mood Log, Reading


def test_type_filter_and_scope_restrict_the_rows(engine):
    p, sam, dana, olly = small_practice(engine)
    only_tr = Filters(
        start=MARCH.start,
        end=MARCH.end,
        today=MARCH.today,
        type_ids=(p.type_ids["Thought Record"],),
    )
    assert list(by_type(engine, p.viewer(dana), only_tr).index) == ["Thought Record"]
    assert "Reading / Psychoeducation" not in by_type(engine, p.viewer(sam)).index
    assert list(by_type(engine, p.viewer(olly)).index) == ["Reading / Psychoeducation"]


def test_clinician_mix_shows_each_clinicians_share_of_types_in_scope(engine):
    p, sam, _, _ = small_practice(engine)
    with engine.connect() as conn:
        mix = insight.clinician_type_mix(conn, scope_of(conn, p.viewer(sam), MARCH))
    shares = {(r.clinician, r.type): (r.times_set, r.share) for r in mix.itertuples()}
    assert shares == {
        ("Dana Doc", "Daily Mood Log"): (2, pytest.approx(0.4)),
        ("Dana Doc", "Thought Record"): (3, pytest.approx(0.6)),
    }  # Olly is outside Sam's scope


def test_reviewed_on_time_uses_the_next_attended_session(engine):
    p = Practice(engine)
    dana = p.clinician("Dana Doc")
    c = p.client(dana)
    for day, attendance in [(2, "attended"), (9, "attended"), (16, "cancelled"), (23, "attended")]:
        p.session(c, D(2026, 3, day), attendance)
    # next attended after 3/2 is 3/9: reviewed 3/9 on time; reviewed 3/16 late; pending not
    p.assignment(c, D(2026, 3, 2), "completed", reviewed=D(2026, 3, 9))
    p.assignment(c, D(2026, 3, 2), "completed", reviewed=D(2026, 3, 16))
    p.assignment(c, D(2026, 3, 2), "pending")
    # next attended after 3/9 is 3/23 (3/16 was cancelled): both reviewed 3/23 are on time
    p.assignment(c, D(2026, 3, 9), "completed", reviewed=D(2026, 3, 23))
    p.assignment(c, D(2026, 3, 9), "not_done", reviewed=D(2026, 3, 23))
    # set at the last session: its next session has not happened, so it does not count yet
    p.assignment(c, D(2026, 3, 23), "pending")
    with engine.connect() as conn:
        table = reviews.reviewed_on_time(conn, scope_of(conn, p.viewer(dana), MARCH))
    total = table.set_index("clinician").loc[EVERYONE]
    assert (total["eligible"], total["on_time"]) == (5, 3)
    assert rate_label(total["rate"], total["eligible"]) == "60 % (n=5)"
    dana_row = table.set_index("clinician").loc["Dana Doc"]
    assert rate_label(dana_row["rate"], dana_row["eligible"]) == "60 % (n=5)"


def improvement_practice(engine):
    """Five clients did Thought Records (3 completed each), five rarely did (1 of 3)."""
    p = Practice(engine)
    dana = p.clinician("Dana Doc")
    did_changes = [8, 6, 10, 4, 7]  # mean 7, sd sqrt(5), sem 1
    rarely_changes = [2, 1, 3, 0, 4]  # mean 2, sd sqrt(2.5), sem sqrt(0.5)
    for i, change in enumerate(did_changes):
        c = p.client(dana)
        for day in (2, 9, 16):
            p.assignment(c, D(2026, 3, day), "completed", reviewed=D(2026, 3, day + 7))
        p.score(c, "PHQ-9", 20, D(2026, 3, 2))
        p.score(c, "PHQ-9", 20 - change, D(2026, 3, 30))
        if i < 4:  # only four have GAD-7 pairs: too few for that measure
            p.score(c, "GAD-7", 15, D(2026, 3, 2))
            p.score(c, "GAD-7", 10, D(2026, 3, 30))
    for change in rarely_changes:
        c = p.client(dana)
        for day, status in [(2, "completed"), (9, "not_done"), (16, "not_done")]:
            p.assignment(c, D(2026, 3, day), status, reviewed=D(2026, 3, day + 7))
        p.score(c, "PHQ-9", 18, D(2026, 3, 2))
        p.score(c, "PHQ-9", 18 - change, D(2026, 3, 30))
    # in neither group: 2 of 2 completed (not 3 completed, not under 50 %)
    c = p.client(dana)
    for day in (2, 9):
        p.assignment(c, D(2026, 3, day), "completed", reviewed=D(2026, 3, day + 7))
    p.score(c, "PHQ-9", 20, D(2026, 3, 2))
    p.score(c, "PHQ-9", 0, D(2026, 3, 30))
    return p, dana


def test_improvement_by_type_compares_did_it_with_rarely_did_it(engine):
    p, dana = improvement_practice(engine)
    with engine.connect() as conn:
        table = insight.improvement_by_type(conn, scope_of(conn, p.viewer(dana), MARCH))
    rows = table.set_index(["type", "measure", "group"])
    did = rows.loc[("Thought Record", "PHQ-9", insight.GROUP_DID)]
    assert did["n"] == 5 and did["mean"] == pytest.approx(7.0)
    assert (did["ci_low"], did["ci_high"]) == pytest.approx((7 - T975_DF4, 7 + T975_DF4), abs=1e-5)
    rarely = rows.loc[("Thought Record", "PHQ-9", insight.GROUP_RARELY)]
    half = T975_DF4 * math.sqrt(0.5)
    assert rarely["n"] == 5 and rarely["mean"] == pytest.approx(2.0)
    assert (rarely["ci_low"], rarely["ci_high"]) == pytest.approx((2 - half, 2 + half), abs=1e-5)
    gad = rows.loc[("Thought Record", "GAD-7", insight.GROUP_DID)]
    assert gad["n"] == 4 and gad["too_few"]


def test_improvement_by_type_is_empty_without_homework(engine):
    p = Practice(engine)
    dana = p.clinician("Dana Doc")
    with engine.connect() as conn:
        assert insight.improvement_by_type(conn, scope_of(conn, p.viewer(dana), MARCH)).empty


def test_completion_after_review_splits_homework_by_whether_the_last_one_was_reviewed(engine):
    p = Practice(engine)
    dana = p.clinician("Dana Doc")
    c = p.client(dana)
    # Feb 23: the look-back finds it; reviewed Mar 2, the day the next homework is set
    p.assignment(c, D(2026, 2, 23), "completed", reviewed=D(2026, 3, 2))
    # Mar 2 (after a review): completed + partial; reviewed Mar 16, after Mar 9's was set
    p.assignment(c, D(2026, 3, 2), "completed", reviewed=D(2026, 3, 16))
    p.assignment(c, D(2026, 3, 2), "partial", reviewed=D(2026, 3, 16))
    # Mar 9 (after no review): not done; reviewed Mar 16, the day the next is set
    p.assignment(c, D(2026, 3, 9), "not_done", reviewed=D(2026, 3, 16))
    # Mar 16 (after a review): completed
    p.assignment(c, D(2026, 3, 16), "completed", reviewed=D(2026, 3, 23))
    with engine.connect() as conn:
        table = reviews.completion_after_review(conn, scope_of(conn, p.viewer(dana), MARCH))
    dana_rows = table[table["clinician"] == "Dana Doc"].set_index("group")
    # after a review: 2 completed + 1 partial of 3 reviewed = 2.5 / 3; after none: 0 of 1
    assert dana_rows.loc[reviews.AFTER_REVIEWED, "reviewed"] == 3
    assert dana_rows.loc[reviews.AFTER_REVIEWED, "completion_rate"] == pytest.approx(2.5 / 3)
    not_reviewed = dana_rows.loc[reviews.AFTER_NOT_REVIEWED]
    assert rate_label(not_reviewed["completion_rate"], not_reviewed["reviewed"]) == "too few (n=1)"
    total = table[table["clinician_id"] == -1].set_index("group").loc[reviews.AFTER_REVIEWED]
    assert rate_label(total["completion_rate"], total["reviewed"]) == "too few (n=3)"  # under 5
