"""The needs-attention flags in words, from the codes and facts the data layer returns."""

import datetime as dt

import pandas as pd

from dashboard.flag_words import (
    FLAG_LABELS,
    FLAG_RULES,
    flag_label,
    flag_labels,
    flag_rule,
    flag_rules,
    homework_beside_warning,
    not_on_track_share,
    why_no_band,
)
from data_access.reads.expected import ExpectedResponse, OffCourse, OnTrackSummary, RecentHomework
from data_access.reads.flags import SEVERITY, RaisedFlag, RiskFacts

ITEM_9 = "Thoughts that you would be better off dead, or of hurting yourself"


def test_every_flag_has_a_label_and_a_general_rule():
    assert set(FLAG_LABELS) == set(FLAG_RULES) == set(SEVERITY)


def test_flag_rules_state_the_constants_they_apply():
    assert FLAG_RULES["low_completion"] == (
        "Completion rate under 25 % over the last 4 reviewed assignments."
    )
    assert FLAG_RULES["deterioration"] == (
        "PHQ-9 or GAD-7 has worsened from baseline by at least its reliable-change value "
        "(PHQ-9: 6 points, GAD-7: 4 points)."
    )
    assert FLAG_RULES["no_homework"] == "No homework was set in the last 3 attended sessions."
    assert FLAG_RULES["no_shows"] == "2 or more no-shows in a row at the most recent sessions."
    assert FLAG_RULES["no_recent_score"] == (
        "No score recorded in the last 30 days while the client is active."
    )
    assert FLAG_RULES["not_on_track"] == (
        "From week 3 after the first score: the latest PHQ-9 or GAD-7 is worse than three in "
        "four of this practice's clients who started at the same score were by that week (above "
        "the 75th percentile of the expected response). Needs 100 clients with 3 or more "
        "scores to be judged."
    )


def test_a_risk_item_says_the_item_the_answer_its_date_and_who_reviewed_it():
    open_item = RiskFacts(answer=2, recorded_on=dt.date(2026, 5, 25))
    assert flag_label("risk_item") == "Risk item"
    assert flag_rule("risk_item", (open_item,)) == (
        f'PHQ-9 item 9, "{ITEM_9}": "more than half the days" (2 of 3) on 25 May 2026.'
    )
    reviewed = RiskFacts(1, dt.date(2026, 2, 23), "Dana Doc", dt.datetime(2026, 5, 26, 9, 30))
    assert flag_label("risk_item", reviewed=True) == "Risk item (reviewed)"
    assert flag_rule("risk_item", (reviewed,)) == (
        f'PHQ-9 item 9, "{ITEM_9}": "several days" (1 of 3) on 23 Feb 2026. '
        "Reviewed by Dana Doc on 26 May 2026."
    )


def test_not_on_track_says_each_measure_in_the_clients_own_numbers():
    """PHQ-9 16 at week 6 against an edge of 9; GAD-7 at week 20 is judged on week 16's band."""
    phq = OffCourse("PHQ-9", latest=16, week=6, baseline=18, edge=9)
    gad = OffCourse("GAD-7", latest=15, week=20, baseline=14, edge=11)
    assert flag_rule("not_on_track", (phq, gad)) == (
        "PHQ-9 16 at week 6; clients starting at 18 in this practice are at 9 or better by "
        "week 6 at least three times in four. GAD-7 15 at week 20; clients starting at 14 in "
        "this practice are at 11 or better by week 16 or later at least three times in four."
    )


def test_a_flag_without_facts_reads_its_general_rule():
    assert flag_rule("no_shows") == FLAG_RULES["no_shows"]
    assert flag_rule("not_on_track") == FLAG_RULES["not_on_track"]


def test_a_clients_flags_read_in_the_order_given():
    raised = (
        RaisedFlag("risk_item", reviewed=True, facts=(RiskFacts(3, dt.date(2026, 4, 6)),)),
        RaisedFlag("no_recent_score"),
        RaisedFlag("no_shows"),
    )
    assert flag_labels(raised) == "Risk item (reviewed); No recent score; Repeated no-shows"
    assert flag_rules(raised) == (
        f'PHQ-9 item 9, "{ITEM_9}": "nearly every day" (3 of 3) on 06 Apr 2026. '
        + FLAG_RULES["no_recent_score"]
        + " "
        + FLAG_RULES["no_shows"]
    )
    assert flag_labels(()) == ""


def test_the_share_not_on_track_counts_clients_of_those_judged():
    twelve = pd.DataFrame({"client_code": [f"C-{i:04d}" for i in range(12)]})
    assert not_on_track_share(OnTrackSummary(judged=80, off_course=twelve)) == "12 of 80 (15 %)"
    nobody = OnTrackSummary(judged=0, off_course=twelve.iloc[:0])
    assert not_on_track_share(nobody) == "none judged yet"


def test_too_little_history_says_how_many_clients_there_are_and_are_needed():
    assert why_no_band(ExpectedResponse("GAD-7", clients=42)) == (
        "Too little history for an expected GAD-7 response: 42 clients have 3 or more scores; "
        "at least 100 are needed."
    )


def test_the_homework_beside_the_warning_with_and_without_the_suggestion():
    """(1 + ½) of 4 = 38 %; 2 of 2 done at difficulty 2.0 needs no suggestion."""
    low = RecentHomework(reviewed=4, rate=0.375, difficulty=2.5, suggest_easier=True)
    assert homework_beside_warning(low) == (
        "Last 4 reviewed assignments: 38 % completed, mean difficulty 2.5 of 5. "
        "Suggestion: make the next assignment smaller and easier, so it is doable."
    )
    done = RecentHomework(reviewed=2, rate=1.0, difficulty=None, suggest_easier=False)
    assert homework_beside_warning(done) == "Last 2 reviewed assignments: 100 % completed."
    none = RecentHomework(reviewed=0, rate=None, difficulty=None, suggest_easier=False)
    assert homework_beside_warning(none) == "No homework reviewed yet."
