"""Needs-attention flags on a hand-built practice, each rule at its edge."""

import datetime as dt

from data_access.reads.filters import Filters
from data_access.reads.flags import needs_attention
from tests.builders import D, Practice

TODAY = D(2026, 6, 1)


def flags_of(engine, viewer, today=TODAY):
    with engine.connect() as conn:
        frame = needs_attention(conn, viewer, Filters(today=today))
    return {(row.client_code, row.flag) for row in frame.itertuples()}


def test_each_rule_raises_its_flag_and_only_for_active_clients(engine):
    p = Practice(engine)
    doc = p.clinician("Dana Doc")
    # C-0001: PHQ-9 from 12 to 18 (exactly 6 worse) -> deterioration; recent score
    worse = p.client(doc, intake=D(2026, 5, 1))
    p.score(worse, "PHQ-9", 12, D(2026, 5, 1))
    p.score(worse, "PHQ-9", 18, D(2026, 5, 25))
    # C-0002: last 4 reviewed: 1 partial + 3 not done -> 0.5/4 = 12.5 % < 25 %
    low = p.client(doc, intake=D(2026, 5, 1))
    p.score(low, "MOOD", 5, D(2026, 5, 30))
    p.assignment(low, D(2026, 4, 1), "completed")  # older, outside the last 4
    for day, status in [(6, "partial"), (13, "not_done"), (20, "not_done"), (27, "not_done")]:
        p.assignment(low, D(2026, 5, day), status)
    # C-0003: three attended sessions, homework only at an earlier one -> no homework
    none_set = p.client(doc, intake=D(2026, 5, 1))
    p.score(none_set, "MOOD", 5, D(2026, 5, 30))
    p.session(none_set, D(2026, 5, 4))
    p.assignment(none_set, D(2026, 5, 4), "completed")
    for day in (11, 18, 25):
        p.session(none_set, D(2026, 5, day))
    # C-0004: two no-shows in a row at the end -> no-shows
    absent = p.client(doc, intake=D(2026, 5, 1))
    p.score(absent, "MOOD", 5, D(2026, 5, 30))
    p.session(absent, D(2026, 5, 11))
    p.session(absent, D(2026, 5, 18), "no_show")
    p.session(absent, D(2026, 5, 25), "no_show")
    # C-0005: active since March, last score 31 days ago -> no recent score
    quiet = p.client(doc, intake=D(2026, 3, 1))
    p.score(quiet, "MOOD", 6, TODAY - dt.timedelta(days=30))
    # C-0006: discharged, would deteriorate -> no flags at all
    gone = p.client(doc, intake=D(2026, 3, 1), discharged=D(2026, 5, 20))
    p.score(gone, "PHQ-9", 5, D(2026, 3, 1))
    p.score(gone, "PHQ-9", 20, D(2026, 5, 1))

    assert flags_of(engine, p.viewer(doc)) == {
        ("C-0001", "deterioration"),
        ("C-0002", "low_completion"),
        ("C-0003", "no_homework"),
        ("C-0004", "no_shows"),
        ("C-0005", "no_recent_score"),
    }


def test_edges_that_do_not_raise_flags(engine):
    p = Practice(engine)
    doc = p.clinician("Dana Doc")
    # 5 points worse is not reliable; 1 completed of 4 reviewed is exactly 25 % (not under)
    c = p.client(doc, intake=D(2026, 5, 1))
    p.score(c, "PHQ-9", 12, D(2026, 5, 1))
    p.score(c, "PHQ-9", 17, D(2026, 5, 25))
    for day, status in [(6, "completed"), (13, "not_done"), (20, "not_done"), (27, "not_done")]:
        p.assignment(c, D(2026, 5, day), status)
    # a no-show followed by an attended session; only two attended sessions so far
    p.session(c, D(2026, 5, 18), "no_show")
    p.session(c, D(2026, 5, 25))
    # a brand-new client with no score yet is not "quiet"
    p.client(doc, intake=D(2026, 5, 20))
    assert flags_of(engine, p.viewer(doc)) == set()


def test_flags_respect_the_viewer_scope(engine):
    p = Practice(engine)
    sup = p.clinician("Sam Super", role="supervisor")
    mine = p.clinician("Mia Mine", supervisor=sup)
    other = p.clinician("Oli Other")
    for doc in (mine, other):
        c = p.client(doc, intake=D(2026, 3, 1))
        p.score(c, "MOOD", 5, D(2026, 3, 2))
    assert flags_of(engine, p.viewer(mine)) == {("C-0001", "no_recent_score")}
    assert flags_of(engine, p.viewer(sup)) == {("C-0001", "no_recent_score")}
    assert flags_of(engine, p.viewer(other)) == {("C-0002", "no_recent_score")}
