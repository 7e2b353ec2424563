"""The needs-attention flags in words: each flag's label and the rule that raised it.

Pure functions over the codes and facts `data_access.reads.flags` returns (and the not-on-track
facts of `reads.expected`), so they are unit-tested without Streamlit. Every threshold is the
data layer's constant, cited here, never restated; docs/metrics.md defines each rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from dashboard.number_words import percent
from data_access.reads import metrics
from data_access.reads.expected import (
    EDGE,
    FIRST_FLAG_WEEK,
    MAX_WEEK,
    MIN_CLIENTS,
    MIN_SCORES,
    QUANTILES,
    ExpectedResponse,
    OffCourse,
    OnTrackSummary,
    RecentHomework,
)
from data_access.reads.flags import RaisedFlag, RiskFacts
from data_access.records.questionnaires import ANSWERS, RISK_ITEM_WORDING
from data_access.store.schema import MEASURES

# In the order the caseload page explains them.
FLAG_LABELS = {
    "risk_item": "Risk item",
    "not_on_track": "Not on track",
    "deterioration": "Reliable deterioration",
    "low_completion": "Low homework completion",
    "no_homework": "No homework set",
    "no_shows": "Repeated no-shows",
    "no_recent_score": "No recent score",
}


def _points(measure: str) -> str:
    """A measure's reliable-change value in words: 'PHQ-9: 6 points'."""
    return f"{measure}: {MEASURES[measure].reliable_change:g} points"


_EDGE_PERCENTILE = f"{round(QUANTILES[EDGE] * 100)}th"  # "three in four" below says the same
_DETERIORATION = metrics.DETERIORATION_MEASURES

# Each flag's rule in general; the risk item and not on track have a client's own in `flag_rule`.
FLAG_RULES = {
    "risk_item": (
        "PHQ-9 item 9 (thoughts that you would be better off dead, or of hurting yourself) "
        "answered 1 or more, on any of the client's PHQ-9s, until a newer PHQ-9 answers it 0. "
        "Shown for every client, whatever the dates, status or numbers; reviewed ones stay "
        "listed, marked reviewed."
    ),
    "not_on_track": (
        f"From week {FIRST_FLAG_WEEK} after the first score: the latest PHQ-9 or GAD-7 is worse "
        "than three in four of this practice's clients who started at the same score were by "
        f"that week (above the {_EDGE_PERCENTILE} percentile of the expected response). Needs "
        f"{MIN_CLIENTS} clients with {MIN_SCORES} or more scores to be judged."
    ),
    "deterioration": (
        f"{' or '.join(_DETERIORATION)} has worsened from baseline by at least its "
        f"reliable-change value ({', '.join(map(_points, _DETERIORATION))})."
    ),
    "low_completion": (
        f"Completion rate under {percent(metrics.LOW_COMPLETION_THRESHOLD)} over the last "
        f"{metrics.LOW_COMPLETION_WINDOW} reviewed assignments."
    ),
    "no_homework": (
        f"No homework was set in the last {metrics.NO_HOMEWORK_SESSIONS} attended sessions."
    ),
    "no_shows": f"{metrics.NO_SHOW_RUN} or more no-shows in a row at the most recent sessions.",
    "no_recent_score": (
        f"No score recorded in the last {metrics.NO_SCORE_DAYS} days while the client is active."
    ),
}


def flag_label(flag: str, reviewed: bool = False) -> str:
    """A flag's short name: 'Repeated no-shows', 'Risk item (reviewed)'."""
    label = FLAG_LABELS.get(flag, flag.replace("_", " ").capitalize())
    return f"{label} (reviewed)" if reviewed else label


def answer_words(answer: int) -> str:
    """An item 9 answer (0-3) as the questionnaire says it: 'several days'."""
    return ANSWERS[answer]


def risk_rule(answer: int, recorded_on: dt.date) -> str:
    """The risk item's rule for one client: the item, the answer and its date."""
    return (
        f'PHQ-9 item 9, "{RISK_ITEM_WORDING}": "{answer_words(answer)}" ({answer} of 3) '
        f"on {recorded_on:%d %b %Y}."
    )


def on_track_rule(off: OffCourse) -> str:
    """The not-on-track rule in numbers, for one client and measure."""
    by = f"week {MAX_WEEK} or later" if off.week >= MAX_WEEK else f"week {off.week}"
    return (
        f"{off.measure} {off.latest} at week {off.week}; clients starting at {off.baseline} in "
        f"this practice are at {off.edge} or better by {by} at least three times in four."
    )


def off_course_rule(measures: Sequence[OffCourse]) -> str:
    """`on_track_rule` of each measure a client is not on track on, one after the other."""
    return " ".join(on_track_rule(off) for off in measures)


def flag_rule(flag: str, facts: Sequence[RiskFacts | OffCourse] = ()) -> str:
    """The rule that raised `flag`, in a client's own numbers where there are facts: the risk
    item's answer and date (and who reviewed it), the not-on-track scores; else in general."""
    if flag == "risk_item" and facts:
        risk = facts[0]
        words = risk_rule(risk.answer, risk.recorded_on)
        if risk.reviewed_at is not None:
            words += f" Reviewed by {risk.reviewed_by} on {risk.reviewed_at:%d %b %Y}."
        return words
    if flag == "not_on_track" and facts:
        return off_course_rule(facts)
    return FLAG_RULES.get(flag, "")


def flag_labels(raised: Sequence[RaisedFlag]) -> str:
    """A client's flags by name, in the order given: 'No recent score; Repeated no-shows'."""
    return "; ".join(flag_label(one.flag, one.reviewed) for one in raised)


def flag_rules(raised: Sequence[RaisedFlag]) -> str:
    """The rules behind a client's flags, one after the other."""
    return " ".join(flag_rule(one.flag, one.facts) for one in raised)


def why_no_band(response: ExpectedResponse) -> str:
    """Why a measure has no expected band: too little history in the practice."""
    return (
        f"Too little history for an expected {response.measure} response: {response.clients} "
        f"clients have {MIN_SCORES} or more scores; at least {MIN_CLIENTS} are needed."
    )


def homework_beside_warning(recent: RecentHomework) -> str:
    """A not-on-track client's last reviewed homework in words, with the suggestion to make the
    next assignment smaller and easier when `expected.recent_homework` says so."""
    if not recent.reviewed or recent.rate is None:
        return "No homework reviewed yet."
    words = f"Last {recent.reviewed} reviewed assignments: {percent(recent.rate)} completed"
    if recent.difficulty is not None:
        words += f", mean difficulty {recent.difficulty:.1f} of 5"
    words += "."
    if recent.suggest_easier:
        words += " Suggestion: make the next assignment smaller and easier, so it is doable."
    return words


def not_on_track_share(summary: OnTrackSummary) -> str:
    """'12 of 80 (15 %)' of the judged active clients, or a plain 'none judged yet'."""
    if not summary.judged:
        return "none judged yet"
    off = len(summary.off_course)
    return f"{off} of {summary.judged} ({percent(off / summary.judged)})"
