"""Expected response from this practice's own history, and who is not on track against it.

For PHQ-9 and GAD-7 separately: each score after a client's first is a row (week since the
first score, the first score as baseline, the score). Quantile regression (statsmodels
`QuantReg`) fits, for each week (1 to 16; later weeks count as 16) and each of the 10th, 25th,
50th, 75th and 90th percentiles, a straight line in the baseline: "clients who started at b are
at or below this by week w, in this share of cases". It stands on clients with
3 or more scores and is fitted only when there are at least 100 of them; with fewer there is no
band. It is an aggregate over at least that many clients, so every role may see it. Fits are
kept per database and measure, keyed on the data version, and redone in every process once the
measure's scores have moved enough (docs/early-warning.md, "Expected response").
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, func, select
from statsmodels.regression.quantile_regression import QuantReg
from statsmodels.tools.sm_exceptions import IterationLimitWarning

from data_access.reads.filters import Filters
from data_access.reads.frames import read_frame
from data_access.reads.metrics import RECENT_REVIEWED, completion_rate, smaller_and_easier
from data_access.reads.scope import Scope
from data_access.reads.scores import paired, window_pairs
from data_access.store.data_version import current_version
from data_access.store.schema import MEASURES, Clinician, Score

QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
EDGE = QUANTILES.index(0.75)  # the unfavourable edge of the band for "lower is better"
MIN_CLIENTS = 100
MIN_SCORES = 3
MAX_WEEK = 16
FIRST_FLAG_WEEK = 3
# A fixed random sample of each week's rows beyond this: the 75th percentile moves by about a
# quarter of a point at most, and the fit's cost stops growing with the practice.
MAX_ROWS_PER_WEEK = 800
MAX_FIT_CLIENTS = 2_000  # every k-th eligible client beyond this: enough rows for every week
BANDED = ("PHQ-9", "GAD-7")
# A kept fit stands while the measure's scores differ from those it was fitted on by under
# this share of their number, for at most REFIT_SECONDS (docs/early-warning.md).
REFIT_SHARE = 0.01
REFIT_SECONDS = 3600.0
ON_TRACK_COLUMNS = [
    "client_id", "client_code", "clinician_id", "measure", "baseline", "latest", "latest_on",
    "week", "median", "edge", "not_on_track",
]  # fmt: skip


@dataclass(frozen=True)
class ExpectedResponse:
    """One measure's fitted percentiles, or why there are none (too little history).

    `levels[q, w]` and `slopes[q, w]`: percentile QUANTILES[q] at week w is
    levels + slopes × baseline (NaN for weeks never seen).
    """

    measure: str
    clients: int
    levels: np.ndarray | None = None
    slopes: np.ndarray | None = None

    @property
    def enough(self) -> bool:
        return self.levels is not None

    def band(self, baseline: Sequence[float], week: Sequence[int]) -> np.ndarray:
        """Percentiles (rows: cases; columns: QUANTILES) for clients starting at `baseline`,
        `week` weeks after their first score; kept inside the scale and in order."""
        spec = MEASURES[self.measure]
        weeks = np.clip(np.asarray(week, dtype=int), 1, MAX_WEEK)
        base = np.asarray(baseline, dtype=float)
        values = self.levels[:, weeks].T + self.slopes[:, weeks].T * base[:, None]
        return np.sort(np.clip(values, spec.min_value, spec.max_value), axis=1)

    def edge(self, baseline: Sequence[float], week: Sequence[int]) -> np.ndarray:
        """The band's unfavourable edge (its 75th percentile, rounded up to a whole score)."""
        return np.ceil(self.band(baseline, week)[:, EDGE] - 1e-9)

    def off_course(self, score: pd.Series, edge: pd.Series) -> pd.Series:
        """The not-on-track rule (docs/early-warning.md): worse than the edge and still at or
        above the measure's caseness cut-off. Below it a client is in the non-clinical range,
        where falling short of the practice's usual course is no warning."""
        return (score > edge) & (score >= MEASURES[self.measure].caseness)


def training_rows(conn: Connection, measure: str) -> pd.DataFrame:
    """Every score after each client's first, for clients with MIN_SCORES or more of `measure`
    (a fixed sample of MAX_FIT_CLIENTS of them in a larger practice; `attrs["clients"]` keeps
    how many there are in all).

    Columns: client_id, week (since the first score, capped at MAX_WEEK), baseline, score.
    """
    eligible = (
        conn.execute(
            select(Score.client_id)
            .where(Score.measure == measure)
            .group_by(Score.client_id)
            .having(func.count() >= MIN_SCORES)
            .order_by(Score.client_id)
        )
        .scalars()
        .all()
    )
    chosen = eligible[:: max(1, -(-len(eligible) // MAX_FIT_CLIENTS))]
    frame = read_frame(
        select(Score.client_id, Score.recorded_on, Score.value)
        .where(Score.measure == measure, Score.client_id.in_(chosen))
        .order_by(Score.client_id, Score.recorded_on, Score.id),
        conn,
    )
    frame["recorded_on"] = pd.to_datetime(frame["recorded_on"])
    by_client = frame.groupby("client_id", sort=False)
    frame["first_on"] = by_client["recorded_on"].transform("first")
    frame["baseline"] = by_client["value"].transform("first")
    frame["week"] = ((frame["recorded_on"] - frame["first_on"]).dt.days // 7).clip(upper=MAX_WEEK)
    later = frame[frame["week"] >= 1].rename(columns={"value": "score"})
    later = later[["client_id", "week", "baseline", "score"]].reset_index(drop=True)
    later.attrs["clients"] = len(eligible)
    return later


def fit(rows: pd.DataFrame, measure: str) -> ExpectedResponse:
    """Fit the percentiles on `training_rows`, week by week; too little history gives no band."""
    clients = int(rows.attrs.get("clients", rows["client_id"].nunique()))
    if clients < MIN_CLIENTS:
        return ExpectedResponse(measure, clients)
    levels = np.full((len(QUANTILES), MAX_WEEK + 1), np.nan)
    slopes = np.full((len(QUANTILES), MAX_WEEK + 1), np.nan)
    for week, own in rows.groupby("week"):
        if len(own) > MAX_ROWS_PER_WEEK:
            own = own.sample(n=MAX_ROWS_PER_WEEK, random_state=0)
        design = np.column_stack([np.ones(len(own)), own["baseline"].to_numpy(dtype=float)])
        model = QuantReg(own["score"].to_numpy(dtype=float), design)
        with warnings.catch_warnings():
            # whole-number scores tie, so the iterations often stop at their limit on a
            # solution a fraction of a point from the exact one (tests pin the fit)
            warnings.simplefilter("ignore", IterationLimitWarning)
            for i, q in enumerate(QUANTILES):
                levels[i, week], slopes[i, week] = model.fit(q=q, max_iter=100).params
    return ExpectedResponse(measure, clients, levels, slopes)


@dataclass(frozen=True)
class _Kept:
    """A fit kept in this process: the data version it was last checked against, the scores'
    stamp when it was fitted, when (time.monotonic) it was fitted, and whether the scores at
    that version were still exactly those it was fitted on."""

    version: int
    stamp: tuple[int, int | None, int | None]
    fitted: ExpectedResponse
    fitted_at: float
    exact: bool = True

    def serves(self, version: int, now: float) -> bool:
        """Good for `version` without looking at the scores again."""
        return self.version == version and (self.exact or now - self.fitted_at < REFIT_SECONDS)


_FITS: dict[tuple[str, str], _Kept] = {}
_FITTING: dict[tuple[str, str], threading.Lock] = {}  # one per key: one fit, the others wait
_LOCK = threading.Lock()  # guards _FITTING (each key's lock is made once)


def _stamp(conn: Connection, measure: str) -> tuple[int, int | None, int | None]:
    """Count, newest id and sum of the measure's scores (one covering-index scan): a write
    that adds, removes or corrects one of them changes it; others leave it as it was."""
    row = conn.execute(
        select(func.count(), func.max(Score.id), func.sum(Score.value)).where(
            Score.measure == measure
        )
    ).one()
    return int(row[0]), row[1], None if row[2] is None else int(row[2])


def _still_stands(kept: _Kept, stamp: tuple[int, int | None, int | None], now: float) -> bool:
    """The kept fit serves scores with `stamp`: none changed, or (for a fit with a band) fewer
    than REFIT_SHARE of them, within REFIT_SECONDS of the fit. Ids only grow, so a newest id
    lower than the fit's means other data (a restore, a database emptied): always refit."""
    if stamp == kept.stamp:
        return True
    moved = abs(stamp[0] - kept.stamp[0])
    return (
        kept.fitted.enough
        and (stamp[1] or 0) >= (kept.stamp[1] or 0)
        and moved < REFIT_SHARE * kept.stamp[0]
        and now - kept.fitted_at < REFIT_SECONDS
    )


def _fitting_lock(key: tuple[str, str]) -> threading.Lock:
    with _LOCK:
        return _FITTING.setdefault(key, threading.Lock())


def expected_response(conn: Connection, measure: str) -> ExpectedResponse:
    """The practice's fit for `measure`, kept per database and keyed on its data version.

    Every write raises the data version, so after a write each process looks again on its next
    use (one primary-key read otherwise) and refits when the measure's scores changed enough
    (`_still_stands`). Pages asking at once wait for one fit instead of each fitting.
    """
    key = (conn.engine.url.render_as_string(hide_password=True), measure)
    version = current_version(conn)
    kept = _FITS.get(key)
    if kept is not None and kept.serves(version, time.monotonic()):
        return kept.fitted
    with _fitting_lock(key):
        kept = _FITS.get(key)  # another page may have looked while this one waited
        now = time.monotonic()
        if kept is not None and kept.serves(version, now):
            return kept.fitted
        stamp = _stamp(conn, measure)
        if kept is not None and _still_stands(kept, stamp, now):
            kept = replace(kept, version=version, exact=stamp == kept.stamp)
        else:
            kept = _Kept(version, stamp, fit(training_rows(conn, measure), measure), now)
        _FITS[key] = kept
    return kept.fitted


def keep_fits(engine: Engine) -> None:
    """Fit and keep every banded measure now (a server starting up), so that the first pages
    opened need not wait for it."""
    with engine.connect() as conn:
        for measure in BANDED:
            expected_response(conn, measure)


class OffCourse(NamedTuple):
    """One measure on which a client is not on track: their latest score at `week` (since the
    first score), the first score, and the band's unfavourable edge they are worse than (a
    NamedTuple: see flags.RiskFacts)."""

    measure: str
    latest: int
    week: int
    baseline: int
    edge: int


def off_course_facts(course: pd.DataFrame) -> dict[int, tuple[OffCourse, ...]]:
    """Per client, the measures of `on_track` rows that are not on track, in measure order."""
    facts: dict[int, tuple[OffCourse, ...]] = {}
    off = course[course["not_on_track"].astype(bool)]
    columns = ("client_id", "measure", "latest", "week", "baseline", "edge")
    # plain lists, not itertuples: a row tuple per client over arrow-backed text is slow
    for client_id, measure, *numbers in zip(*(off[c].tolist() for c in columns), strict=True):
        one = OffCourse(measure, *(int(n) for n in numbers))
        facts[int(client_id)] = (*facts.get(int(client_id), ()), one)
    return facts


def active_pairs(
    conn: Connection, scope: Scope, client_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Baseline and latest PHQ-9 and GAD-7 of the scope's clients active on the as-of day,
    over their whole history up to it (scores.baseline_latest's columns without the count),
    read through the maintained score spans (scores.window_pairs)."""
    filters = scope.filters
    active = Filters(
        end=filters.as_of,
        clinician_ids=filters.clinician_ids,
        client_status="active",
        today=filters.as_of,
    )
    return window_pairs(conn, scope.with_filters(active), BANDED, client_ids, counted=False)


def on_track(conn: Connection, pairs: pd.DataFrame) -> pd.DataFrame:
    """Each client's latest PHQ-9 and GAD-7 (from `active_pairs`) against the expected band.

    Judged from week 3 after the first score. Not on track (`ExpectedResponse.off_course`): the
    latest score is worse than the band's unfavourable edge (the 75th percentile, rounded up)
    for clients who started where they did, that many weeks on, and still at caseness.
    Columns: ON_TRACK_COLUMNS; measures without a band, and clients before week 3, have no row.
    """
    fits = {m: expected_response(conn, m) for m in BANDED}
    fits = {m: f for m, f in fits.items() if f.enough}
    if not fits or pairs.empty:
        return pd.DataFrame(columns=ON_TRACK_COLUMNS)
    pairs = pairs.assign(
        week=(pd.to_datetime(pairs["latest_on"]) - pd.to_datetime(pairs["baseline_on"])).dt.days
        // 7
    )
    pairs = pairs[(pairs["week"] >= FIRST_FLAG_WEEK) & paired(pairs)]
    parts = []
    for measure, fitted in fits.items():
        own = pairs[pairs["measure"] == measure].copy()
        if own.empty:
            continue
        band = fitted.band(own["baseline"], own["week"])
        own["median"] = band[:, QUANTILES.index(0.5)]
        own["edge"] = fitted.edge(own["baseline"], own["week"])
        own["not_on_track"] = fitted.off_course(own["latest"], own["edge"])
        parts.append(own[np.isfinite(own["median"])])
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if frame.empty:
        return pd.DataFrame(columns=ON_TRACK_COLUMNS)
    return frame[ON_TRACK_COLUMNS].sort_values(["client_id", "measure"], ignore_index=True)


EXPECTED_COLUMNS = ["measure", "week", "on", *(f"p{round(q * 100)}" for q in QUANTILES)]


def expected_course(
    conn: Connection, pairs: pd.DataFrame
) -> tuple[pd.DataFrame, list[ExpectedResponse]]:
    """Week by week (1-16 after the first score), the percentiles expected for one client's
    PHQ-9 and GAD-7 given their first score (`pairs`: active_pairs or baseline_latest rows of
    that client), and the unfitted response of each measure that has too little history.

    Columns: EXPECTED_COLUMNS (`on`: the date of that week, counted from the first score).
    """
    parts, unfitted = [], []
    for pair in pairs[pairs["measure"].isin(BANDED)].itertuples():
        fitted = expected_response(conn, pair.measure)
        if not fitted.enough:
            unfitted.append(fitted)
            continue
        weeks = np.arange(1, MAX_WEEK + 1)
        band = fitted.band([pair.baseline] * len(weeks), weeks)
        frame = pd.DataFrame(band, columns=EXPECTED_COLUMNS[3:])
        frame.insert(0, "on", [pair.baseline_on + dt.timedelta(weeks=int(w)) for w in weeks])
        frame.insert(0, "week", weeks)
        frame.insert(0, "measure", pair.measure)
        parts.append(frame.dropna())
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=EXPECTED_COLUMNS)
    return frame, unfitted


@dataclass(frozen=True)
class RecentHomework:
    """A not-on-track client's last RECENT_REVIEWED reviewed assignments: how many, their
    completion rate and mean difficulty (None: none reviewed, or no difficulty recorded), and
    whether to suggest a smaller, easier next one."""

    reviewed: int
    rate: float | None
    difficulty: float | None
    suggest_easier: bool


def recent_homework(assignments: pd.DataFrame) -> RecentHomework:
    """The homework to show beside a not-on-track warning, with the suggestion by the one rule
    `metrics.smaller_and_easier` (the client page's "what to set next" uses it too).

    `assignments`: client_queries.assignment_list (status, difficulty, due_on).
    """
    reviewed = assignments[assignments["status"] != "pending"].sort_values("due_on")
    recent = reviewed.tail(RECENT_REVIEWED)
    status = recent["status"]
    rate = completion_rate(
        int((status == "completed").sum()), int((status == "partial").sum()), len(recent)
    )
    difficulty = recent["difficulty"].dropna()
    mean = float(difficulty.mean()) if not difficulty.empty else None
    easier = smaller_and_easier(len(recent), rate, mean)
    return RecentHomework(len(recent), rate, mean, easier)


@dataclass(frozen=True)
class OnTrackSummary:
    """Active clients judged against the expected response (week 3 on, with a band), and
    those not on track: client_id, client_code, clinician_id, clinician, measures (their
    OffCourse facts)."""

    judged: int
    off_course: pd.DataFrame


def on_track_summary(
    conn: Connection, course: pd.DataFrame, facts: dict[int, tuple[OffCourse, ...]]
) -> OnTrackSummary:
    """How many clients of an `on_track` frame are judged, and which are not on track (named,
    with their clinician), as the on-track share shows them; `facts` are the frame's
    `off_course_facts`, which the flags have judged already."""
    off = course[course["client_id"].isin(list(facts))]
    clients = off[["client_id", "client_code", "clinician_id"]].drop_duplicates(ignore_index=True)
    clients["measures"] = [facts[int(c)] for c in clients["client_id"]]
    names = read_frame(
        select(Clinician.id.label("clinician_id"), Clinician.name.label("clinician")).where(
            Clinician.id.in_([int(i) for i in clients["clinician_id"].unique()])
        ),
        conn,
    )
    clients = clients.merge(names, on="clinician_id", how="left")
    clients = clients.sort_values(["clinician", "client_code"], ignore_index=True)
    return OnTrackSummary(judged=int(course["client_id"].nunique()), off_course=clients)
