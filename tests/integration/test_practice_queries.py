"""Overview and caseload figures on a hand-built practice, on SQLite and PostgreSQL.

The practice and its story are in tests/practice_example.py; the answers are worked out here.
"""

from dataclasses import replace

import pandas as pd
import pytest

from dashboard.flag_words import flag_labels, flag_rules
from data_access.reads.assignment_counts import assignment_counts
from data_access.reads.caseload import (
    attention_list,
    caseload_data,
    day_view,
    last_contact,
    with_attention,
    with_contact,
)
from data_access.reads.filters import Filters
from data_access.reads.flags import flagged_on
from data_access.reads.overview import overview_data
from data_access.reads.practice import previous_period, session_counts
from data_access.reads.scope import scope_of
from tests.builders import D, Practice
from tests.practice_example import TODAY, build_practice

MAY = Filters(start=D(2026, 5, 4), end=D(2026, 5, 31), client_status="all", today=TODAY)


@pytest.fixture
def practice(engine):
    return build_practice(engine)


def test_previous_period_has_the_same_length_and_ends_the_day_before():
    before = previous_period(MAY)
    assert (before.start, before.end, before.today) == (D(2026, 4, 6), D(2026, 5, 3), D(2026, 5, 3))
    assert previous_period(Filters()) is None


def test_headline_figures_for_the_period_and_the_one_before(engine, practice):
    admin = practice.viewer(practice.ids["ada"])
    with engine.connect() as conn:
        data = overview_data(conn, admin, MAY)
    now, before = data.current, data.previous
    assert now.active_clients == 4
    # 8 attended sessions, homework set at 6 of them (C-0001 18 May and C-0003 19 May: none)
    assert (now.sessions_attended, now.sessions_with_homework) == (8, 6)
    assert now.setting_rate == pytest.approx(0.75)
    assert now.assignments_set == 8  # a1, a2, a4, a5, a6, a7, a8, a9
    # due in May: a1 a2 a4 a5 a6 a7 a8; reviewed 6: 4 completed, 1 partial, 1 not done
    assert (now.assignments_due, now.completed, now.partial, now.reviewed) == (7, 4, 1, 6)
    assert now.completion_rate == pytest.approx(4.5 / 6)
    assert (now.outcome_clients, now.improved_clients) == (2, 1)  # C-0001 improved, C-0004 not
    assert now.flagged_clients is None  # counted as of one day, apart: flags.flagged_on
    # April: C-0003 not yet in treatment; only C-0001 20 April attended, a3 done
    assert before.active_clients == 3
    assert (before.sessions_attended, before.sessions_with_homework) == (1, 1)
    assert (before.assignments_set, before.reviewed, before.completed) == (1, 1, 1)
    assert (before.outcome_clients, before.improved_clients) == (1, 0)  # PHQ-9 18 -> 16
    with engine.connect() as conn:
        assert flagged_on(conn, admin, MAY) == 2  # C-0001 two no-shows, C-0004 deterioration
        assert flagged_on(conn, admin, previous_period(MAY)) == 2  # C-0002, C-0004: no score
        # by 3 May; a count as of one day: any dates or status on that day give the same
        other = replace(MAY, start=MAY.end, client_status="discharged")
        assert flagged_on(conn, admin, other) == flagged_on(conn, admin, MAY.on_the_day()) == 2


def test_active_status_leaves_out_the_discharged_client(engine, practice):
    admin = practice.viewer(practice.ids["ada"])
    active = Filters(start=MAY.start, end=MAY.end, client_status="active", today=TODAY)
    with engine.connect() as conn:
        now = overview_data(conn, admin, active).current
    assert now.active_clients == 3
    assert (now.reviewed, now.completed, now.partial) == (5, 4, 1)  # a5 (C-0002) drops out
    assert now.completion_rate == pytest.approx(0.9)


def test_weekly_completion_groups_by_due_week_with_reviewed_counts(engine, practice):
    admin = practice.viewer(practice.ids["ada"])
    with engine.connect() as conn:
        weekly = overview_data(conn, admin, MAY).weekly
    rows = {
        r.due_week: (r.assignments, r.reviewed, r.credit, r.overdue) for r in weekly.itertuples()
    }
    assert rows == {
        D(2026, 5, 11): (4, 4, 3.0, 0),  # a1 C, a5 N, a6 C, a7 C
        D(2026, 5, 18): (2, 1, 0.5, 1),  # a2 P, a4 pending and overdue
        D(2026, 5, 25): (1, 1, 1.0, 0),  # a8 C
    }


def test_mix_by_type_difficulty_and_days_allowed(engine, practice):
    admin = practice.viewer(practice.ids["ada"])
    with engine.connect() as conn:
        mix = overview_data(conn, admin, MAY).mix
    by_type = mix.by_type.set_index("type")
    assert by_type["assignments"].to_dict() == {
        "Thought Record": 3,
        "Daily Mood Log": 2,
        "Behavioural Experiment": 1,
        "Exposure Practice": 1,
    }
    assert by_type.loc["Thought Record", "share"] == pytest.approx(3 / 7)
    assert by_type.loc["Daily Mood Log", "completion_rate"] == pytest.approx(1.5 / 2)
    by_difficulty = mix.by_difficulty.set_index("difficulty")
    assert by_difficulty["reviewed"].to_dict() == {1: 1, 2: 2, 3: 1, 4: 1, 5: 1}
    assert by_difficulty["credit"].to_dict() == {1: 1.0, 2: 2.0, 3: 1.0, 4: 0.5, 5: 0.0}
    by_days = mix.by_days.set_index("days_allowed")
    assert list(by_days.index) == [0, 4, 8]  # each bucket by its first day
    assert by_days["assignments"].to_dict() == {0: 1, 4: 4, 8: 2}
    assert by_days.loc[4, "completion_rate"] == pytest.approx(2.5 / 4)


def _table(engine, practice, who, filters=MAY, drill=None):
    """The caseload page's data as the page reads it: the period's figures with the
    needs-attention list as of the filters' day."""
    viewer = practice.viewer(practice.ids[who])
    with engine.connect() as conn:
        attention = day_view(conn, viewer, filters.on_the_day()).attention
        return with_attention(caseload_data(conn, viewer, filters, drill), attention)


def _listed(conn, viewer, filters):
    """The needs-attention list with each client's last session and score, as Caseload shows
    and downloads it."""
    attention = attention_list(conn, scope_of(conn, viewer, filters))
    ids = attention["client_id"].tolist()
    return with_contact(attention, last_contact(conn, viewer, filters, ids))


def test_caseload_rows_per_clinician_for_the_admin(engine, practice):
    table = _table(engine, practice, "ada").table.set_index("clinician")
    assert list(table.index) == ["Ana Alder", "Ben Birch", "Sam Super"]  # the admin has no clients
    ana, ben, sam = (table.loc[name] for name in table.index)
    assert (ana.active_clients, ana.attended, ana.with_homework) == (2, 4, 3)
    assert (ana.assignments, ana.reviewed, ana.credit, ana.overdue) == (4, 3, 1.5, 1)
    assert (ana.needs_attention, ana.outcome_clients, ana.improved_clients) == (1, 1, 1)
    assert (ben.active_clients, ben.attended, ben.with_homework) == (1, 2, 2)
    assert (ben.reviewed, ben.credit, ben.overdue, ben.needs_attention) == (2, 2.0, 0, 1)
    assert (ben.outcome_clients, ben.improved_clients) == (1, 0)
    assert (sam.attended, sam.with_homework, sam.reviewed, sam.needs_attention) == (2, 1, 1, 0)
    assert pd.isna(sam.improved_share)  # no client with two scores yet


def test_counts_per_clinician_over_all_time_sum_each_clients_assignments(engine, practice):
    """No start date: each client's assignments are summed first, then per owner."""
    all_time = Filters(today=TODAY)

    def counts(who):
        with engine.connect() as conn:
            frame = assignment_counts(
                conn,
                scope_of(conn, practice.viewer(practice.ids[who]), all_time),
                by=("clinician_id",),
            )
        columns = ["assignments", "completed", "partial", "reviewed", "credit", "overdue"]
        return {r.clinician_id: tuple(r[columns]) for _, r in frame.iterrows()}

    ana, ben, sam = (practice.ids[name] for name in ("ana", "ben", "sam"))
    # Ana: a1 C, a2 P, a3 C, a4 pending (due 20 May, overdue on 1 June), a5 N
    # Ben: a7 C, a8 C, a9 pending (due 10 June, not yet overdue); Sam: a6 C
    assert counts("ada") == {
        ana: (5, 2, 1, 4, 2.5, 1),
        ben: (3, 2, 0, 2, 2.0, 0),
        sam: (1, 1, 0, 1, 1.0, 0),
    }
    assert counts("sam") == {ana: (5, 2, 1, 4, 2.5, 1), sam: (1, 1, 0, 1, 1.0, 0)}
    assert counts("ben") == {ben: (3, 2, 0, 2, 2.0, 0)}


def test_setting_rate_counts_only_sessions_with_the_chosen_type_set_that_day(engine, practice):
    """Thought Records in May: set at C-0001's 4 and 11 May (a1, a4) and C-0004's 6 and 13 May
    (a7, a9); C-0002's and C-0003's sessions had only other types set."""
    thought_records = Filters(
        start=MAY.start, end=MAY.end, today=TODAY, type_ids=(practice.type_ids["Thought Record"],)
    )
    with engine.connect() as conn:
        whole = session_counts(
            conn, scope_of(conn, practice.viewer(practice.ids["ada"]), thought_records)
        )
        per_clinician = session_counts(
            conn,
            scope_of(conn, practice.viewer(practice.ids["ada"]), thought_records),
            by_clinician=True,
        )
    assert (whole.attended[0], whole.with_homework[0], whole.setting_rate[0]) == (8, 4, 0.5)
    rows = per_clinician.set_index("clinician_id")
    ana, ben, sam = (practice.ids[name] for name in ("ana", "ben", "sam"))
    assert rows.loc[ana, ["attended", "with_homework"]].tolist() == [4, 2]
    assert rows.loc[ben, ["attended", "with_homework"]].tolist() == [2, 2]
    assert rows.loc[sam, ["attended", "with_homework", "setting_rate"]].tolist() == [2, 0, 0.0]


def test_each_role_sees_its_own_scope(engine, practice):
    def clinicians(who):
        return list(_table(engine, practice, who).table["clinician"])

    assert clinicians("ana") == ["Ana Alder"]
    assert clinicians("ben") == ["Ben Birch"]
    assert clinicians("sam") == ["Ana Alder", "Sam Super"]
    sam_view = _table(engine, practice, "sam")
    assert list(sam_view.attention["client_code"]) == ["C-0001"]  # C-0004 is Ben's
    assert set(sam_view.heatmap["clinician"]) == {"Ana Alder", "Sam Super"}


def test_heatmap_cells_are_clinician_by_due_week(engine, practice):
    heat = _table(engine, practice, "ada").heatmap
    cells = {(r.clinician, r.due_week): (r.reviewed, r.credit) for r in heat.itertuples()}
    assert cells == {
        ("Ana Alder", D(2026, 5, 11)): (2, 1.0),
        ("Ana Alder", D(2026, 5, 18)): (1, 0.5),
        ("Ben Birch", D(2026, 5, 11)): (1, 1.0),
        ("Ben Birch", D(2026, 5, 25)): (1, 1.0),
        ("Sam Super", D(2026, 5, 11)): (1, 1.0),
    }


def test_attention_list_gives_flags_rules_last_session_and_last_score(engine, practice):
    admin = practice.viewer(practice.ids["ada"])
    with engine.connect() as conn:
        frame = _listed(conn, admin, MAY).set_index("client_code")
    assert list(frame.index) == ["C-0004", "C-0001"]  # deterioration is more urgent (SEVERITY)
    one, four = frame.loc["C-0001"], frame.loc["C-0004"]
    assert (one.clinician, flag_labels(one["flags"])) == ("Ana Alder", "Repeated no-shows")
    assert "2 or more no-shows in a row" in flag_rules(one["flags"])
    assert (one.last_session, one.last_attendance) == (D(2026, 5, 28), "no_show")
    assert (one.last_score_measure, one.last_score, one.last_score_on) == (
        "PHQ-9",
        9,
        D(2026, 5, 25),
    )
    assert (four.clinician, flag_labels(four["flags"])) == ("Ben Birch", "Reliable deterioration")
    assert (four.last_session, four.last_attendance) == (D(2026, 5, 13), "attended")
    assert (four.last_score_measure, four.last_score) == ("GAD-7", 13)


def test_attention_list_leaves_the_last_score_blank_for_a_client_never_scored(engine):
    """A flagged client with sessions but no score yet still gets a row: last session filled,
    last score empty (not a missing row, not a score of another client)."""
    built = Practice(engine)
    ada = built.clinician("Ada Admin", role="admin")
    scored, unscored = built.client(ada, code="C-0001"), built.client(ada, code="C-0002")
    for client in (scored, unscored):
        built.session(client, D(2026, 5, 11), attendance="no_show")
        built.session(client, D(2026, 5, 18), attendance="no_show")
    built.score(scored, "PHQ-9", 12, D(2026, 5, 4))
    with engine.connect() as conn:
        frame = _listed(conn, built.viewer(ada), MAY).set_index("client_code")
    assert sorted(frame.index) == ["C-0001", "C-0002"]
    never = frame.loc["C-0002"]
    assert (never.last_session, never.last_attendance) == (D(2026, 5, 18), "no_show")
    assert pd.isna(never.last_score) and pd.isna(never.last_score_on)
    assert (frame.loc["C-0001"].last_score, frame.loc["C-0001"].last_score_on) == (
        12,
        D(2026, 5, 4),
    )


def test_last_session_and_score_are_given_only_for_clients_in_the_viewers_scope(
    engine, practice
):
    """Sam supervises Ana: asked for C-0001 (Ana's) and C-0004 (Ben's), he gets C-0001 alone."""
    ids = {code: practice.clients[code] for code in ("C-0001", "C-0004")}
    with engine.connect() as conn:
        contact = last_contact(conn, practice.viewer(practice.ids["sam"]), MAY, list(ids.values()))
    assert contact["client_id"].tolist() == [ids["C-0001"]]
    assert (contact.iloc[0].last_session, contact.iloc[0].last_attendance) == (
        D(2026, 5, 28),
        "no_show",
    )


def test_the_needs_attention_list_is_the_same_for_every_period_and_status(engine, practice):
    """Flags are as of one day: Caseload's list, and Overview's count of it, do not move with
    the dates or the client-status filter (so pages cache it on the day alone)."""
    may, april = _table(engine, practice, "ada"), _table(
        engine, practice, "ada", replace(MAY, start=D(2026, 4, 1), client_status="all")
    )
    assert may.attention["client_code"].tolist() == april.attention["client_code"].tolist()
    assert may.attention["client_code"].tolist() == ["C-0004", "C-0001"]
    assert may.table["needs_attention"].tolist() == april.table["needs_attention"].tolist()


def test_drill_down_shows_one_clinicians_clients_side_by_side(engine, practice):
    data = _table(engine, practice, "sam", drill=practice.ids["ana"])
    assert list(data.table["clinician"]) == ["Ana Alder", "Sam Super"]  # still everyone
    clients = data.clients.set_index("client_code")
    assert list(clients.index) == ["C-0001", "C-0002"]
    one, two = clients.loc["C-0001"], clients.loc["C-0002"]
    assert (one.status, one.attended, one.reviewed, one.credit) == ("active", 3, 2, 1.5)
    assert (one.phq_change, one.gad_change, one.outcome) == (7, 1, "reliable_improvement")
    assert flag_labels(one["flags"]) == "Repeated no-shows"
    assert (two.status, two.attended, two.reviewed, two.credit) == ("discharged", 1, 1, 0.0)
    assert (two.outcome, flag_labels(two["flags"])) == ("too_few_scores", "")


def test_a_clinician_always_gets_their_own_drill_down(engine, practice):
    data = _table(engine, practice, "ben")
    assert list(data.clients["client_code"]) == ["C-0004"]
    assert data.clients["outcome"].tolist() == ["reliable_deterioration"]


def test_empty_practice_gives_zeros_not_errors(engine):
    p = Practice(engine)
    admin = p.viewer(p.clinician("Ada Admin", role="admin"))
    with engine.connect() as conn:
        data = overview_data(conn, admin, MAY)
        caseload = with_attention(
            caseload_data(conn, admin, MAY), day_view(conn, admin, MAY.on_the_day()).attention
        )
    assert data.current.sessions_attended == 0
    assert data.current.completion_rate is None
    assert data.weekly.empty and data.mix.by_type.empty
    assert caseload.table.empty and caseload.attention.empty


def test_attention_list_puts_clients_with_most_flags_first(engine):
    p = Practice(engine)
    doc = p.clinician("Dana Doc")
    admin = p.viewer(p.clinician("Ada Admin", role="admin"))
    quiet = p.client(doc, intake=D(2026, 3, 2))  # C-0001: no score for 30 days
    p.score(quiet, "MOOD", 5, D(2026, 4, 1))
    absent = p.client(doc, intake=D(2026, 3, 2))  # C-0002: no recent score and two no-shows
    p.session(absent, D(2026, 5, 18), "no_show")
    p.session(absent, D(2026, 5, 25), "no_show")
    with engine.connect() as conn:
        frame = attention_list(conn, scope_of(conn, admin, MAY))
    assert list(frame["client_code"]) == ["C-0002", "C-0001"]
    assert [flag_labels(flags) for flags in frame["flags"]] == [
        "No recent score; Repeated no-shows",
        "No recent score",
    ]
