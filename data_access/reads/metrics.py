"""The product's metric definitions, in one place; docs/metrics.md states each in words.

Each rule is written once here and used by every module: the same function serves Python
values, pandas Series and SQL expressions where the rule is plain arithmetic or logic, so the
SQL that aggregates and the pandas that re-sums cannot drift apart. The pandas functions
classify baseline/latest pairs that SQL has already reduced to one row per client and measure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Float, case, cast, func

from data_access.store.schema import MEASURES, Assignment

MIN_REVIEWED_FOR_RATE = 5  # fewer reviewed assignments than this: the rate reads "too few"
MIN_CLIENTS_FOR_FIGURE = 5  # fewer clients than this: an outcome figure reads "too few"
PARTIAL_CREDIT = 0.5  # a partly done assignment counts as half a completed one

# A number, a pandas Series or a SQL expression: the rules below are written once for all three.
Value = TypeVar("Value", float, pd.Series, ColumnElement)


# --- Homework ----------------------------------------------------------------------------------


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """SQL: rows of the group meeting `condition` (COUNT … FILTER: the database skips the
    other rows instead of adding a CASE's 0 for each)."""
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


def credit(completed: Value, partial: Value) -> Value:
    """Completed + PARTIAL_CREDIT × partial: the numerator of the completion rate, for numbers,
    Series or SQL expressions alike."""
    return completed + PARTIAL_CREDIT * partial


def completion_credit() -> ColumnElement[float]:
    """SQL: the group's `credit`, from its completed and partial counts."""
    return cast(credit(completed_count(), partial_count()), Float)


def assignment_credit(status: ColumnElement[str]) -> ColumnElement[float]:
    """SQL: one assignment's `credit` (1, PARTIAL_CREDIT or 0), for sums over a few rows."""
    return cast(
        credit(case((status == "completed", 1), else_=0), case((status == "partial", 1), else_=0)),
        Float,
    )


def completion_rate(completed: int, partial: int, reviewed: int) -> float | None:
    """`credit` / reviewed; None when nothing has been reviewed."""
    if reviewed <= 0:
        return None
    return credit(completed, partial) / reviewed


# "Smaller and easier" (docs/metrics.md#smaller-and-easier): the one rule behind the client
# page's suggestion and the advice beside a not-on-track warning.
RECENT_REVIEWED = 4  # judged on the last 4 reviewed assignments, and only once there are 4
LOW_RECENT_COMPLETION = 0.5  # under half of them done (partial counting PARTIAL_CREDIT)
HARD_DIFFICULTY = 4  # or set at this difficulty (1–5) or more on average: hard, not just middling


def smaller_and_easier(reviewed: int, rate: float | None, difficulty: float | None) -> bool:
    """Whether to suggest a smaller, easier next assignment, from the last RECENT_REVIEWED
    reviewed assignments' completion `rate` and mean `difficulty` (None: none rated)."""
    if reviewed < RECENT_REVIEWED or rate is None:
        return False
    too_hard = difficulty is not None and difficulty >= HARD_DIFFICULTY
    return rate < LOW_RECENT_COMPLETION or too_hard


def add_completion_rate(frame: pd.DataFrame) -> pd.DataFrame:
    """Add `completion_rate` from `credit` and `reviewed` columns (NaN where none reviewed)."""
    reviewed = frame["reviewed"].astype(float)
    frame["completion_rate"] = frame["credit"].astype(float) / reviewed.where(reviewed > 0)
    return frame


def is_overdue(
    status: str | pd.Series | ColumnElement,
    due_on: dt.date | pd.Series | ColumnElement,
    today: dt.date,
) -> bool | pd.Series | ColumnElement:
    """Overdue: still pending and due before today. `&` makes the one rule serve Python
    values, pandas Series and SQL columns alike (`overdue` applies it to assignments in SQL)."""
    return (status == "pending") & (due_on < today)


def overdue(today: dt.date) -> ColumnElement[bool]:
    """SQL: `is_overdue` on the Assignment row."""
    return is_overdue(Assignment.status, Assignment.due_on, today)


# --- Scores and outcomes -----------------------------------------------------------------------

# Severity bands by the instruments' published cut-offs: (lowest score of the band, name).
SEVERITY_BANDS: dict[str, tuple[tuple[int, str], ...]] = {
    "PHQ-9": (
        (0, "minimal"),
        (5, "mild"),
        (10, "moderate"),
        (15, "moderately severe"),
        (20, "severe"),
    ),
    "GAD-7": ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")),
}


def severity_band(measure: str, value: float) -> str:
    """The band a PHQ-9 or GAD-7 score falls in ('moderate'); '' for measures without bands."""
    name = ""
    for lowest, band in SEVERITY_BANDS.get(measure, ()):
        if value >= lowest:
            name = band
    return name


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
        """The outcome's code, most specific first: reliable_recovery, reliable_deterioration,
        recovered (change not reliable), reliable_improvement or no_reliable_change."""
        if self.reliable_recovery:
            return "reliable_recovery"
        if self.reliable_deterioration:
            return "reliable_deterioration"
        if self.recovered:
            return "recovered"
        if self.reliable_improvement:
            return "reliable_improvement"
        return "no_reliable_change"


def outcome(measure: str, baseline: float, latest: float) -> Outcome:
    """Classify one client's baseline and latest score on `measure` (docs/metrics.md)."""
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


def reliable_change_sql(
    measure: ColumnElement[str], baseline: ColumnElement[int], latest: ColumnElement[int]
) -> tuple[ColumnElement[int], ColumnElement[int]]:
    """`classify_outcomes`' reliable_improvement and reliable_deterioration as SQL (1 or 0),
    from the same MEASURES rules: for a figure that counts clients without fetching them."""
    change = case(
        *(
            (measure == code, (latest - baseline) if spec.higher_is_better else (baseline - latest))
            for code, spec in MEASURES.items()
        )
    )
    rc = case(*((measure == code, spec.reliable_change) for code, spec in MEASURES.items()))
    return case((change >= rc, 1), else_=0), case((change <= -rc, 1), else_=0)


def paired_outcome(phq: tuple[float, float], gad: tuple[float, float]) -> PairedOutcome:
    """Combine (baseline, latest) on PHQ-9 and GAD-7 by the paired rules of docs/metrics.md."""
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


# The thresholds of the needs-attention flags (flags.py raises them; dashboard/flag_words.py
# says each rule in words from these same constants).
LOW_COMPLETION_WINDOW = 4
LOW_COMPLETION_THRESHOLD = 0.25
NO_HOMEWORK_SESSIONS = 3
NO_SHOW_RUN = 2
NO_SCORE_DAYS = 30
DETERIORATION_MEASURES = ("PHQ-9", "GAD-7")

