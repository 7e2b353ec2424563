"""Outcomes next to homework: paired outcomes, dose–response, correlation and a one-week lag.

SQL reduces everything to one row per client (homework counts, sessions, baseline and latest
scores); the statistics then run on that small frame with scipy and statsmodels. Every figure
carries its N and reads "too few" under `MIN_CLIENTS_FOR_FIGURE` clients. All of it shows an
association in this practice's data, never a cause. The rules are in docs/metrics.md.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats
from sqlalchemy import Connection, or_, select
from statsmodels.stats.proportion import proportion_confint

from data_access.access.viewer import Viewer
from data_access.reads import metrics
from data_access.reads.client_periods import homework_due_per_client, sessions_per_client
from data_access.reads.filters import EVERYONE, Filters
from data_access.reads.frames import read_frame
from data_access.reads.insight import mean_with_interval
from data_access.reads.scope import Scope, scope_of
from data_access.reads.scores import window_pairs
from data_access.store.schema import MEASURES, Client, Clinician

# The paired outcomes, in the order they are shown (dashboard/outcome_words.py names them).
OUTCOMES = ("reliable_improvement", "recovered", "reliable_recovery", "reliable_deterioration")
CASE_ONLY = ("recovered", "reliable_recovery")  # rates over clients who were a case at baseline
BANDS = (0.0, 0.25, 0.5, 0.75, 1.0)
# A band is named by its lower bound in whole percent (dashboard/outcome_words.py words it).
BAND_STARTS = tuple(round(100 * bound) for bound in BANDS[:-1])


def completion_band(rates: pd.Series) -> pd.Series:
    """Each completion rate's band as its BAND_STARTS code (0, 25, 50, 75; 100 % in the top)."""
    band = pd.cut(rates, BANDS, labels=BAND_STARTS, right=False, include_lowest=True)
    return band.where(rates < 1.0, BAND_STARTS[-1])


def _clients_in_view(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Clients in scope and filters who were in treatment at some point of the window."""
    filters = scope.filters
    last_day = filters.end or filters.as_of
    query = (
        select(
            Client.id.label("client_id"),
            Client.clinician_id,
            Clinician.name.label("clinician"),
        )
        .join(Clinician, Clinician.id == Client.clinician_id)
        .where(scope.clients(), Client.intake_on <= last_day)
        .order_by(Client.id)
    )
    if filters.start:
        query = query.where(
            or_(Client.discharged_on.is_(None), Client.discharged_on >= filters.start)
        )
    return read_frame(query, conn)


def _sessions_per_client(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Attended sessions in the window up to the as-of day, and how many had homework set."""
    filters = scope.filters
    end = min(filters.end or filters.as_of, filters.as_of)
    if filters.start and filters.start > end:  # a window that has not begun yet
        return pd.DataFrame(columns=["client_id", "attended", "sessions_with_homework"])
    frame = sessions_per_client(conn, scope.with_filters(replace(filters, end=end)))
    return frame.rename(columns={"with_homework": "sessions_with_homework"})


def client_frame(conn: Connection, viewer: Viewer, filters: Filters) -> pd.DataFrame:
    """One row per client in view: homework, sessions, PHQ-9/GAD-7 change and paired outcome.

    Columns: client_id, clinician_id, clinician, due, completed, partial, reviewed, credit,
    completion_rate (NaN under 5 reviewed), attended, sessions_with_homework, phq_baseline,
    phq_latest, phq_n, phq_change, gad_* likewise, paired (two or more scores on both), and
    for paired clients the classify_paired columns (case_at_baseline, recovered, ...). The
    viewer's scope is resolved once for every query.
    """
    scope = scope_of(conn, viewer, filters)
    clients = _clients_in_view(conn, scope)
    homework = homework_due_per_client(conn, scope)
    frame = clients.merge(homework, on="client_id", how="left")
    frame = frame.merge(_sessions_per_client(conn, scope), on="client_id", how="left")
    counts = ["due", "completed", "partial", "reviewed", "attended", "sessions_with_homework"]
    frame[counts] = frame[counts].fillna(0).astype(int)
    frame["credit"] = frame["credit"].fillna(0.0).astype(float)
    frame = metrics.add_completion_rate(frame)
    frame.loc[frame["reviewed"] < metrics.MIN_REVIEWED_FOR_RATE, "completion_rate"] = np.nan
    scores = metrics.classify_outcomes(window_pairs(conn, scope))
    for measure, prefix in (("PHQ-9", "phq"), ("GAD-7", "gad")):
        part = scores[scores["measure"] == measure].set_index("client_id")
        frame[f"{prefix}_baseline"] = frame["client_id"].map(part["baseline"]).astype(float)
        frame[f"{prefix}_latest"] = frame["client_id"].map(part["latest"]).astype(float)
        frame[f"{prefix}_n"] = frame["client_id"].map(part["n_scores"]).fillna(0).astype(int)
        change = frame["client_id"].map(part["change"]).astype(float)
        frame[f"{prefix}_change"] = change.where(frame[f"{prefix}_n"] >= 2)
    frame["paired"] = (frame["phq_n"] >= 2) & (frame["gad_n"] >= 2)
    classified = metrics.classify_paired(frame)
    for column in ("case_at_baseline", *OUTCOMES):
        frame[column] = classified[column].astype(bool) & frame["paired"]
    return frame


def _group_sums(frame: pd.DataFrame, columns: dict[str, pd.Series]) -> pd.DataFrame:
    """Sums of `columns` (aligned with `frame`) for everyone in view, then each clinician by
    name: one groupby for all clinicians instead of a loop over hundreds of them.

    Columns: group (EVERYONE, then each clinician's name), clients, then one per entry of
    `columns`.
    """
    data = pd.DataFrame({"clients": 1, **columns}, index=frame.index)
    per_clinician = data.groupby([frame["clinician"], frame["clinician_id"]], sort=True).sum()
    everyone = data.sum().to_frame().T.astype(data.dtypes.to_dict())
    sums = pd.concat([everyone, per_clinician], ignore_index=True)
    names = [str(name) for name, _ in per_clinician.index]
    sums.insert(0, "group", [EVERYONE, *names])
    return sums


def proportions(counts: pd.Series, totals: pd.Series) -> pd.DataFrame:
    """Rates with Wilson 95 % intervals; NaN and `too_few` under the client minimum.

    Columns: count, total, rate, ci_low, ci_high, too_few (one row per pair, same index).
    """
    counts, totals = counts.astype(int), totals.astype(int)
    too_few = totals < metrics.MIN_CLIENTS_FOR_FIGURE
    enough = totals.where(~too_few, 1)  # placeholders: too-few rows are blanked below
    low, high = proportion_confint(counts.clip(upper=enough), enough, alpha=0.05, method="wilson")
    out = pd.DataFrame(
        {"count": counts, "total": totals, "rate": counts / enough, "ci_low": low, "ci_high": high}
    )
    out.loc[too_few, ["rate", "ci_low", "ci_high"]] = np.nan
    out["too_few"] = too_few
    return out


def proportion(count: int, total: int) -> dict[str, float | int | bool]:
    """One rate with its Wilson 95 % interval; NaN and `too_few` under the client minimum."""
    row = proportions(pd.Series([count]), pd.Series([total])).iloc[0]
    return {"count": int(row["count"]), "total": int(row["total"]), "rate": float(row["rate"]),
            "ci_low": float(row["ci_low"]), "ci_high": float(row["ci_high"]),
            "too_few": bool(row["too_few"])}  # fmt: skip


def paired_outcomes(frame: pd.DataFrame) -> pd.DataFrame:
    """Long table: per group (everyone, then each clinician) and outcome, count, rate and CI.

    Reliable improvement and deterioration are over clients with paired scores; recovery and
    reliable recovery over paired clients who were a case at baseline. Columns: group, outcome,
    count, total, rate, ci_low, ci_high, too_few; `outcome` is a key of OUTCOMES.
    """
    columns: dict[str, pd.Series] = {}
    for key in OUTCOMES:
        base = frame["paired"] & frame["case_at_baseline"] if key in CASE_ONLY else frame["paired"]
        columns[f"{key}.count"] = (frame[key] & base).astype(int)
        columns[f"{key}.total"] = base.astype(int)
    sums = _group_sums(frame, columns)
    parts = []
    for order, key in enumerate(OUTCOMES):
        part = proportions(sums[f"{key}.count"], sums[f"{key}.total"])
        part.insert(0, "outcome", key)
        part.insert(0, "group", sums["group"])
        parts.append(part.assign(_group=sums.index, _outcome=order))
    long = pd.concat(parts).sort_values(["_group", "_outcome"], kind="stable")
    return long.drop(columns=["_group", "_outcome"]).reset_index(drop=True)


def coverage(frame: pd.DataFrame) -> pd.DataFrame:
    """Per group: clients in view, clients with paired scores, cases at baseline, coverage.

    Columns: group, clients, paired, cases, coverage (share paired).
    """
    sums = _group_sums(
        frame,
        {
            "paired": frame["paired"].astype(int),
            "cases": frame["case_at_baseline"].astype(int),
        },
    )
    clients = sums["clients"].astype(float)
    sums["coverage"] = sums["paired"] / clients.where(clients > 0)
    return sums[["group", "clients", "paired", "cases", "coverage"]]


def _eligible(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Clients with a completion rate (5+ reviewed) and two or more scores on `measure`."""
    prefix = "phq" if measure == "PHQ-9" else "gad"
    out = frame.dropna(subset=["completion_rate", f"{prefix}_change"]).copy()
    out["change"] = out[f"{prefix}_change"]
    out["reliable_improvement_m"] = out["change"] >= MEASURES[measure].reliable_change
    return out


def dose_response(frame: pd.DataFrame, measure: str = "PHQ-9") -> pd.DataFrame:
    """Clients in fixed completion bands against mean change and reliable-improvement rate.

    Columns: band, n, mean, ci_low, ci_high (t interval of the mean change), ri_count,
    ri_rate, ri_low, ri_high (Wilson interval), too_few.
    """
    eligible = _eligible(frame, measure)
    band = completion_band(eligible["completion_rate"])
    rows = []
    for start in BAND_STARTS:
        part = eligible[band == start]
        change = mean_with_interval(part["change"])
        ri = proportion(int(part["reliable_improvement_m"].sum()), len(part))
        rows.append(
            {
                "band": start,
                "n": len(part),
                "mean": change["mean"],
                "ci_low": change["ci_low"],
                "ci_high": change["ci_high"],
                "ri_count": ri["count"],
                "ri_rate": ri["rate"],
                "ri_low": ri["ci_low"],
                "ri_high": ri["ci_high"],
                "too_few": change["too_few"],
            }
        )
    return pd.DataFrame(rows)


def completion_scatter(frame: pd.DataFrame, measure: str = "PHQ-9") -> pd.DataFrame:
    """Per eligible client: completion rate and change on `measure` (no codes: a practice view)."""
    return _eligible(frame, measure)[["completion_rate", "change"]].reset_index(drop=True)


def correlation(frame: pd.DataFrame, measure: str = "PHQ-9") -> dict[str, float | int | bool]:
    """Pearson r of completion rate with change, its 95 % CI, N and the least-squares line.

    `too_few` under 5 clients; `no_spread` when every client has the same completion rate or
    the same change (a correlation is then undefined).
    """
    points = completion_scatter(frame, measure)
    n = len(points)
    x, y = points["completion_rate"].astype(float), points["change"].astype(float)
    too_few = n < metrics.MIN_CLIENTS_FOR_FIGURE
    no_spread = not too_few and (x.nunique() < 2 or y.nunique() < 2)
    if too_few or no_spread:
        return {"n": n, "r": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan,
                "slope": np.nan, "intercept": np.nan, "too_few": too_few,
                "no_spread": no_spread}  # fmt: skip
    result = stats.pearsonr(x, y)
    interval = result.confidence_interval(confidence_level=0.95)
    line = stats.linregress(x, y)
    return {"n": n, "r": float(result.statistic), "ci_low": float(interval.low),
            "ci_high": float(interval.high), "p": float(result.pvalue),
            "slope": float(line.slope), "intercept": float(line.intercept),
            "too_few": False, "no_spread": False}  # fmt: skip


def clinician_comparison(frame: pd.DataFrame) -> pd.DataFrame:
    """Per group: homework-setting rate, completion rate and reliable-improvement rate, with N.

    Columns: group, clients, attended, setting_rate, reviewed, completion_rate, paired,
    improved, ri_rate, ri_low, ri_high, ri_too_few.
    """
    sums = _group_sums(
        frame,
        {
            "attended": frame["attended"],
            "with_homework": frame["sessions_with_homework"],
            "reviewed": frame["reviewed"],
            "credit": frame["credit"].astype(float),
            "paired": frame["paired"].astype(int),
            "improved": (frame["paired"] & frame["reliable_improvement"]).astype(int),
        },
    )
    attended, reviewed = sums["attended"].astype(int), sums["reviewed"].astype(int)
    setting = sums["with_homework"] / attended.where(attended > 0)
    completion = sums["credit"] / reviewed.where(reviewed > 0)
    ri = proportions(sums["improved"], sums["paired"])
    return pd.DataFrame(
        {
            "group": sums["group"],
            "clients": sums["clients"].astype(int),
            "attended": attended,
            "setting_rate": setting,
            "reviewed": reviewed,
            "completion_rate": completion,
            "paired": sums["paired"].astype(int),
            "improved": sums["improved"].astype(int),
            "ri_rate": ri["rate"],
            "ri_low": ri["ci_low"],
            "ri_high": ri["ci_high"],
            "ri_too_few": ri["too_few"],
        }
    )
