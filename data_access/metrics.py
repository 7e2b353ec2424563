"""The product's metric definitions, in one place (DESIGN.md, "Metric definitions").

SQL expressions here are what every query aggregates with; the pandas functions classify
baseline/latest pairs that SQL has already reduced to one row per client and measure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Float, cast, func

from data_access.schema import MEASURES, Assignment

MIN_REVIEWED_FOR_RATE = 5  # fewer reviewed assignments than this: the rate reads "too few"
MIN_CLIENTS_FOR_FIGURE = 5  # fewer clients than this: an outcome figure reads "too few"


# --- Homework ----------------------------------------------------------------------------------


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """SQL: rows of the group meeting `condition` (COUNT … FILTER: the database skips the
    other rows instead of adding a CASE's 0 for each; three such counts over a year of
    assignments took 0.24 s instead of 0.29 s on SQLite)."""
    return func.count().filter(condition)


def completed_count() -> ColumnElement[int]:
    """SQL: number of completed assignments in the group."""
    return _count_where(Assignment.status == "completed")


def partial_count() -> ColumnElement[int]:
    """SQL: number of partially done assignments in the group."""
    return _count_where(Assignment.status == "partial")


def reviewed_count() -> ColumnElement[int]:
    """SQL: reviewed assignments (status is not pending) in the group."""
    return _count_where(Assignment.status != "pending")


def completion_credit() -> ColumnElement[float]:
    """SQL: completed + 0.5 × partial, the numerator of the completion rate."""
    return cast(completed_count() + 0.5 * partial_count(), Float)


def completion_rate(completed: int, partial: int, reviewed: int) -> float | None:
    """(completed + 0.5 × partial) / reviewed; None when nothing has been reviewed."""
    if reviewed <= 0:
        return None
    return (completed + 0.5 * partial) / reviewed


def add_completion_rate(frame: pd.DataFrame) -> pd.DataFrame:
    """Add `completion_rate` from `credit` and `reviewed` columns (NaN where none reviewed)."""
    reviewed = frame["reviewed"].astype(float)
    frame["completion_rate"] = frame["credit"].astype(float) / reviewed.where(reviewed > 0)
    return frame


def rate_label(rate: float | None, reviewed: int, minimum: int = MIN_REVIEWED_FOR_RATE) -> str:
    """How a rate is shown: '67 % (n=12)', or 'too few (n=3)' under the minimum."""
    if reviewed < minimum or rate is None or np.isnan(rate):
        return f"too few (n={reviewed})"
    return f"{rate:.0%} (n={reviewed})".replace("%", " %")


def is_overdue(status: str, due_on: dt.date, today: dt.date) -> bool:
    """Overdue: still pending and its due date is before today."""
    return status == "pending" and due_on < today


# --- Scores and outcomes -----------------------------------------------------------------------


def signed_change(measure: str, baseline: float, latest: float) -> float:
    """Latest minus baseline, signed so that a positive change is an improvement."""
    spec = MEASURES[measure]
    return (latest - baseline) if spec.higher_is_better else (baseline - latest)


def is_case(measure: str, value: float) -> bool:
    """At or above the measure's caseness cutoff (never, for measures without one)."""
    cutoff = MEASURES[measure].caseness
    return cutoff is not None and value >= cutoff


@dataclass(frozen=True)
class Outcome:
    """What a baseline-to-latest pair on one measure means."""

    change: float
    reliable_improvement: bool
    reliable_deterioration: bool
    case_at_baseline: bool
    recovered: bool
    reliable_recovery: bool

    @property
    def verdict(self) -> str:
        """The outcome in words, most specific first."""
        if self.reliable_recovery:
            return "reliable recovery"
        if self.reliable_deterioration:
            return "reliable deterioration"
        if self.recovered:
            return "recovered (change not reliable)"
        if self.reliable_improvement:
            return "reliable improvement"
        return "no reliable change"


def outcome(measure: str, baseline: float, latest: float) -> Outcome:
    """Classify one client's baseline and latest score on `measure` by DESIGN.md's rules."""
    change = signed_change(measure, baseline, latest)
    rc = MEASURES[measure].reliable_change
    improved = change >= rc
    case_before = is_case(measure, baseline)
    recovered = case_before and not is_case(measure, latest)
    return Outcome(
        change=change,
        reliable_improvement=improved,
        reliable_deterioration=change <= -rc,
        case_at_baseline=case_before,
        recovered=recovered,
        reliable_recovery=recovered and improved,
    )


def classify_outcomes(frame: pd.DataFrame) -> pd.DataFrame:
    """Vectorised `outcome` over rows with `measure`, `baseline`, `latest` (one per client)."""
    out = frame.copy()
    unknown = set(out["measure"].unique()) - set(MEASURES)  # unique() first: no per-row loop
    if unknown:
        raise KeyError(f"no outcome rules for measure(s) {sorted(unknown)}")
    # dict maps run in C; a lambda per row cost 40,000 Python calls per practice-wide frame
    better_up = out["measure"].map({m: x.higher_is_better for m, x in MEASURES.items()})
    rc = out["measure"].map({m: x.reliable_change for m, x in MEASURES.items()}).astype(float)
    cutoff = out["measure"].map({m: x.caseness for m, x in MEASURES.items()})
    cutoff = cutoff.astype(float)  # NaN: no cutoff
    better_up = better_up.astype(bool)
    baseline = out["baseline"].astype(float)
    latest = out["latest"].astype(float)
    out["change"] = np.where(better_up, latest - baseline, baseline - latest)
    out["reliable_improvement"] = out["change"] >= rc
    out["reliable_deterioration"] = out["change"] <= -rc
    out["case_at_baseline"] = baseline >= cutoff  # NaN comparisons are False
    out["case_at_latest"] = latest >= cutoff
    out["recovered"] = out["case_at_baseline"] & ~out["case_at_latest"]
    out["reliable_recovery"] = out["recovered"] & out["reliable_improvement"]
    return out


@dataclass(frozen=True)
class PairedOutcome:
    """NHS Talking Therapies style outcome over PHQ-9 and GAD-7 together."""

    case_at_baseline: bool
    recovered: bool
    reliable_improvement: bool
    reliable_deterioration: bool
    reliable_recovery: bool


def paired_outcome(phq: tuple[float, float], gad: tuple[float, float]) -> PairedOutcome:
    """Combine (baseline, latest) on PHQ-9 and GAD-7 by DESIGN.md's paired rules."""
    p = outcome("PHQ-9", *phq)
    g = outcome("GAD-7", *gad)
    case_before = p.case_at_baseline or g.case_at_baseline
    recovered = case_before and not is_case("PHQ-9", phq[1]) and not is_case("GAD-7", gad[1])
    deteriorated = p.reliable_deterioration or g.reliable_deterioration
    improved = (p.reliable_improvement or g.reliable_improvement) and not deteriorated
    return PairedOutcome(
        case_at_baseline=case_before,
        recovered=recovered,
        reliable_improvement=improved,
        reliable_deterioration=deteriorated,
        reliable_recovery=recovered and improved,
    )


def classify_paired(frame: pd.DataFrame) -> pd.DataFrame:
    """Vectorised `paired_outcome` over rows of phq_/gad_ baseline and latest columns."""
    out = frame.copy()
    phq = classify_outcomes(
        pd.DataFrame(
            {"measure": "PHQ-9", "baseline": out["phq_baseline"], "latest": out["phq_latest"]}
        )
    )
    gad = classify_outcomes(
        pd.DataFrame(
            {"measure": "GAD-7", "baseline": out["gad_baseline"], "latest": out["gad_latest"]}
        )
    )
    out["case_at_baseline"] = phq["case_at_baseline"] | gad["case_at_baseline"]
    out["recovered"] = out["case_at_baseline"] & ~phq["case_at_latest"] & ~gad["case_at_latest"]
    out["reliable_deterioration"] = phq["reliable_deterioration"] | gad["reliable_deterioration"]
    out["reliable_improvement"] = (
        phq["reliable_improvement"] | gad["reliable_improvement"]
    ) & ~out["reliable_deterioration"]
    out["reliable_recovery"] = out["recovered"] & out["reliable_improvement"]
    return out


# --- Needs attention ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagRule:
    """A needs-attention flag: a short name and the rule that raises it, shown together."""

    key: str
    label: str
    rule: str


FLAG_RULES: dict[str, FlagRule] = {
    rule.key: rule
    for rule in (
        FlagRule(
            "risk_item",
            "Risk item",
            "PHQ-9 item 9 (thoughts that you would be better off dead, or of hurting yourself) "
            "answered 1 or more, on any of the client's PHQ-9s, until a newer PHQ-9 answers it 0. "
            "Shown for every client, whatever the dates, status or numbers; reviewed ones stay "
            "listed, marked reviewed.",
        ),
        FlagRule(
            "not_on_track",
            "Not on track",
            "From week 3 after the first score: the latest PHQ-9 or GAD-7 is worse than three "
            "in four of this practice's clients who started at the same score were by that "
            "week (above the 75th percentile of the expected response). Needs 100 clients "
            "with 3 or more scores to be judged.",
        ),
        FlagRule(
            "deterioration",
            "Reliable deterioration",
            "PHQ-9 or GAD-7 has worsened from baseline by at least its reliable-change value "
            "(PHQ-9: 6 points, GAD-7: 4 points).",
        ),
        FlagRule(
            "low_completion",
            "Low homework completion",
            "Completion rate under 25 % over the last 4 reviewed assignments.",
        ),
        FlagRule(
            "no_homework",
            "No homework set",
            "No homework was set in the last 3 attended sessions.",
        ),
        FlagRule(
            "no_shows",
            "Repeated no-shows",
            "2 or more no-shows in a row at the most recent sessions.",
        ),
        FlagRule(
            "no_recent_score",
            "No recent score",
            "No score recorded in the last 30 days while the client is active.",
        ),
    )
}

LOW_COMPLETION_WINDOW = 4
LOW_COMPLETION_THRESHOLD = 0.25
NO_HOMEWORK_SESSIONS = 3
NO_SHOW_RUN = 2
NO_SCORE_DAYS = 30
