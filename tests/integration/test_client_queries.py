"""The client page's data on a hand-built practice, on SQLite and PostgreSQL.

Today is Monday 1 June 2026. Dana's client C-0001 came in on Monday 2 March 2026:

  sessions  Mar 2 attended, Mar 9 attended, Mar 16 no-show, Mar 23 cancelled, Mar 30 attended
            (and Jun 8, booked after today, which is not counted)
  homework  due Sun Mar 8  Daily Mood Log          partial     -> week of Mar 2
            due Mon Mar 9  Thought Record          completed   -> week of Mar 9
            due Sun Mar 15 Behavioural Experiment  completed   -> week of Mar 9
            due Mon Mar 16 Thought Record          not done    -> week of Mar 16
            due Mon Apr 6  Thought Record          completed   -> week of Apr 6
            due Mon May 25 Thought Record          pending     -> overdue today
            due Mon Jun 1  Exposure Practice       pending     -> due today, not overdue
  scores    PHQ-9 16 (Mar 2), 13 (Mar 16), 9 (Apr 6); GAD-7 7 (Mar 2) only;
            MOOD 4 (Mon Mar 2), 6 (Mar 3), 2 (Sun Mar 8), 5 (Mon Mar 9), 7 (Mar 10), 6 (Mar 11)
"""

import math

import pytest

from dashboard.flag_words import flag_label, flag_rule
from dashboard.words import rate_label, rate_labels, verdict_words
from data_access.reads.client_queries import (
    client_page,
    homework_and_scores,
    score_series,
    weekly_scores,
)
from data_access.reads.filters import Filters
from data_access.store.errors import NotInScope
from tests.builders import D, Practice

TODAY = D(2026, 6, 1)


@pytest.fixture
def practice(engine):
    p = Practice(engine)
    p.dana = p.clinician("Dana Doc")
    p.sam = p.clinician("Sam Super", role="supervisor")
    p.olly = p.clinician("Olly Other", supervisor=p.sam)
    p.c1 = p.client(p.dana, intake=D(2026, 3, 2))  # C-0001
    p.c2 = p.client(p.olly, intake=D(2026, 3, 2))  # C-0002, not Dana's
    p.c3 = p.client(p.dana, intake=D(2026, 1, 5), discharged=D(2026, 2, 2))  # C-0003
    p.c4 = p.client(p.dana, intake=D(2026, 5, 28))  # C-0004, brand new
    c = p.c1
    for day, attendance in [(2, "attended"), (9, "attended"), (16, "no_show"), (23, "cancelled")]:
        p.session(c, D(2026, 3, day), attendance)
    p.session(c, D(2026, 3, 30))
    p.session(c, D(2026, 6, 8))
    p.assignment(c, D(2026, 3, 2), "partial", "Daily Mood Log", due=D(2026, 3, 8))
    p.assignment(c, D(2026, 3, 2), "completed", due=D(2026, 3, 9), instructions="=SUM(A1)")
    p.assignment(c, D(2026, 3, 9), "completed", "Behavioural Experiment", due=D(2026, 3, 15))
    p.assignment(c, D(2026, 3, 9), "not_done", due=D(2026, 3, 16))
    p.assignment(c, D(2026, 3, 30), "completed", due=D(2026, 4, 6))
    p.assignment(c, D(2026, 5, 18), "pending", due=D(2026, 5, 25))
    p.assignment(c, D(2026, 5, 25), "pending", "Exposure Practice", due=D(2026, 6, 1))
    for value, day in [(16, D(2026, 3, 2)), (13, D(2026, 3, 16)), (9, D(2026, 4, 6))]:
        p.score(c, "PHQ-9", value, day)
    p.score(c, "GAD-7", 7, D(2026, 3, 2))
    for value, day in [(4, 2), (6, 3), (2, 8), (5, 9), (7, 10), (6, 11)]:
        p.score(c, "MOOD", value, D(2026, 3, day))
    p.score(p.c2, "PHQ-9", 20, D(2026, 3, 2))
    return p


def load(p, viewer_id, code, **filters):
    with p.engine.connect() as conn:
        return client_page(conn, p.viewer(viewer_id), code, Filters(today=TODAY, **filters))


def test_header_counts_weeks_sessions_and_status(practice):
    page = load(practice, practice.dana, "C-0001")
    h = page.header
    assert (h.client_code, h.clinician, h.status) == ("C-0001", "Dana Doc", "active")
    assert h.weeks_in_treatment == 13  # Mar 2 to Jun 1 is 91 days
    assert (h.sessions_attended, h.sessions_missed, h.sessions_cancelled) == (3, 1, 1)
    # the last score was on Apr 6, more than 30 days ago, while active: the only flag
    assert page.flags["flag"].tolist() == ["no_recent_score"]
    assert [flag_label(flag) for flag in page.flags["flag"]] == ["No recent score"]
    assert "30 days" in flag_rule(*page.flags.iloc[0][["flag", "facts"]])


def test_discharged_client_counts_weeks_until_discharge_and_raises_no_flags(practice):
    page = load(practice, practice.dana, "C-0003")
    assert page.header.status == "discharged"
    assert page.header.weeks_in_treatment == 4  # Jan 5 to Feb 2
    assert page.flags.empty
    assert page.assignments.empty and page.weekly.empty and page.types.empty
    assert (page.homework_rate, page.homework_reviewed) == (None, 0)
    assert rate_label(page.homework_rate, page.homework_reviewed) == "too few (n=0)"


def test_headlines_use_baseline_latest_and_the_outcome_words(practice):
    heads = load(practice, practice.dana, "C-0001").headlines.set_index("measure")
    phq = heads.loc["PHQ-9"]
    # 16 -> 9: 7 points better (>= 6 reliable), a case (>= 10) at baseline and not at latest
    assert (phq.baseline, phq.latest, phq.change, phq.n_scores) == (16, 9, 7, 3)
    assert verdict_words(phq.verdict) == "reliable recovery"
    gad = heads.loc["GAD-7"]
    assert (gad.baseline, gad.latest, gad.n_scores) == (7, 7, 1)
    assert math.isnan(gad.change)
    assert verdict_words(gad.verdict) == "only one score so far: no change to judge yet"
    mood = heads.loc["MOOD"]
    assert (mood.baseline, mood.latest, mood.change) == (4, 6, 2)  # higher is better
    assert verdict_words(mood.verdict) == "reliable improvement"


def test_assignments_show_overdue_only_when_pending_and_past_due(practice):
    frame = load(practice, practice.dana, "C-0001").assignments
    assert frame["due_on"].tolist()[:2] == [D(2026, 6, 1), D(2026, 5, 25)]  # newest due first
    assert frame["shown_status"].tolist() == [
        "pending", "overdue", "completed", "not_done", "completed", "completed", "partial",
    ]  # fmt: skip
    assert frame["status"].tolist()[1] == "pending"  # stored status is unchanged


def test_weekly_completion_counts_and_the_rate_to_date(practice):
    weekly = load(practice, practice.dana, "C-0001").weekly
    assert weekly["week"].tolist() == [
        D(2026, 3, 2),
        D(2026, 3, 9),
        D(2026, 3, 16),
        D(2026, 4, 6),
        D(2026, 5, 25),
        D(2026, 6, 1),
    ]  # fmt: skip  (Sunday Mar 8 and Mar 15 belong to the weeks starting Mar 2 and Mar 9)
    assert weekly["set"].tolist() == [1, 2, 1, 1, 1, 1]
    assert weekly["completed"].tolist() == [0, 2, 0, 1, 0, 0]
    assert weekly["partial"].tolist() == [1, 0, 0, 0, 0, 0]
    assert weekly["not_done"].tolist() == [0, 0, 1, 0, 0, 0]
    assert weekly["overdue"].tolist() == [0, 0, 0, 0, 1, 0]
    assert weekly["pending"].tolist() == [0, 0, 0, 0, 0, 1]
    assert weekly["cum_reviewed"].tolist() == [1, 3, 4, 5, 5, 5]
    assert weekly["cum_credit"].tolist() == [0.5, 2.5, 2.5, 3.5, 3.5, 3.5]
    # 3.5 / 5 = 70 % once five are reviewed; before that the rate reads "too few"
    assert (
        rate_labels(weekly["cum_rate"], weekly["cum_reviewed"])
        == ["too few (n=1)", "too few (n=3)", "too few (n=4)"] + ["70 % (n=5)"] * 3
    )
    assert rate_labels(weekly["completion_rate"], weekly["reviewed"])[1] == "too few (n=2)"


def test_overall_completion_and_the_mix_of_types(practice):
    page = load(practice, practice.dana, "C-0001")
    assert rate_label(page.homework_rate, page.homework_reviewed) == "70 % (n=5)"  # (3 + .5) / 5
    mix = page.types.set_index("type")
    assert list(mix.index) == [
        "Thought Record",
        "Behavioural Experiment",
        "Daily Mood Log",
        "Exposure Practice",
    ]  # fmt: skip  (most set first, then by name)
    tr = mix.loc["Thought Record"]
    assert (tr.set, tr.completed, tr.not_done, tr.overdue, tr.reviewed) == (4, 2, 1, 1, 3)
    assert tr.completion_rate == pytest.approx(2 / 3)
    assert rate_label(tr.completion_rate, tr.reviewed) == "too few (n=3)"
    assert mix.loc["Exposure Practice", "pending"] == 1
    assert mix.loc["Daily Mood Log", "credit"] == 0.5


def test_scores_with_a_rolling_mean_and_sessions_in_the_window(practice):
    page = load(practice, practice.dana, "C-0001")
    mood = page.scores[page.scores["measure"] == "MOOD"]
    assert mood["value"].tolist() == [4, 6, 2, 5, 7, 6]
    assert mood["rolling_mean"].iloc[-1] == pytest.approx(5.0)  # (4+6+2+5+7+6) / 6
    assert page.sessions["attendance"].tolist()[:3] == ["attended", "attended", "no_show"]
    assert len(page.sessions) == 6  # the window is open-ended: the booked Jun 8 is on the axis


def test_weekly_score_change_is_signed_so_positive_is_better(practice):
    with practice.engine.connect() as conn:
        frame = weekly_scores(
            conn, practice.viewer(practice.dana), practice.c1, Filters(today=TODAY)
        )
    mood = frame[frame["measure"] == "MOOD"].set_index("week")
    assert mood["mean_score"].to_dict() == {D(2026, 3, 2): 4.0, D(2026, 3, 9): 6.0}
    assert mood.loc[D(2026, 3, 9), "change"] == pytest.approx(2.0)
    phq = frame[frame["measure"] == "PHQ-9"].set_index("week")
    # 16 -> 13 -> 9: lower is better, so both changes are positive
    assert phq["change"].tolist()[1:] == [3.0, 4.0]
    joined = homework_and_scores(load(practice, practice.dana, "C-0001").weekly, frame)
    assert len(joined) == 6
    row = joined.set_index("week").loc[D(2026, 3, 9)]
    assert (row["set"], row["reviewed"], row["credit"], row["MOOD change"]) == (2, 2, 2.0, 2.0)


def test_the_date_window_narrows_every_piece(practice):
    page = load(practice, practice.dana, "C-0001", start=D(2026, 3, 9), end=D(2026, 3, 31))
    assert len(page.assignments) == 3  # due Mar 9, Mar 15, Mar 16
    phq = page.headlines.set_index("measure").loc["PHQ-9"]
    assert (phq.baseline, phq.latest, phq.n_scores) == (13, 13, 1)
    assert page.sessions["held_on"].tolist() == [
        D(2026, 3, 9), D(2026, 3, 16), D(2026, 3, 23), D(2026, 3, 30),
    ]  # fmt: skip
    assert page.header.sessions_attended == 3  # the header is the whole course to date


def test_a_brand_new_client_has_an_empty_but_complete_page(practice):
    page = load(practice, practice.dana, "C-0004")
    assert page.header.weeks_in_treatment == 0
    assert page.headlines.empty and page.scores.empty and page.weekly.empty
    assert page.homework_scores.empty
    assert page.flags.empty  # not yet 30 days in treatment


def test_out_of_scope_clients_are_refused_and_unknown_codes_look_the_same(practice):
    with pytest.raises(NotInScope):
        load(practice, practice.dana, "C-0002")
    with pytest.raises(NotInScope):
        load(practice, practice.dana, "C-9999")
    # even asked by id, a query returns nothing of a client outside the viewer's scope
    with practice.engine.connect() as conn:
        frame = score_series(
            conn, practice.viewer(practice.dana), practice.c2, Filters(today=TODAY)
        )
    assert frame.empty
    # Olly's supervisor sees Olly's client
    assert load(practice, practice.sam, "C-0002").headlines["baseline"].tolist() == [20]
