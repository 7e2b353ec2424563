"""Outcomes next to homework: paired outcomes, dose–response, correlation and a one-week lag.

SQL reduces everything to one row per client (homework counts, sessions, baseline and latest
scores); the statistics then run on that small frame with scipy and statsmodels. Every figure
carries its N and reads "too few" under `MIN_CLIENTS_FOR_FIGURE` clients. All of it shows an
association in this practice's data, never a cause. The rules are in docs/metrics.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats
from sqlalchemy import (
    Connection,
    Date,
    Integer,
    and_,
    cast,
    func,
    literal,
    or_,
    select,
)
from statsmodels.stats.proportion import proportion_confint

from data_access.access.viewer import Viewer, client_scope
from data_access.reads import metrics
from data_access.reads.assignment_counts import due_in_period
from data_access.reads.filters import (
    Filters,
    client_conditions,
    clients_in_view,
    date_between,
    type_condition,
)
from data_access.reads.insight import assignments_in_view, mean_with_interval
from data_access.reads.practice import attended_per_client
from data_access.reads.scores import baseline_latest
from data_access.store.schema import MEASURES, Assignment, Client, Clinician, Score

ALL_IN_VIEW = "All clients in view"
OUTCOMES = {
    "reliable_improvement": "Reliable improvement",
    "recovered": "Recovery",
    "reliable_recovery": "Reliable recovery",
    "reliable_deterioration": "Reliable deterioration",
}
CASE_ONLY = ("recovered", "reliable_recovery")  # rates over clients who were a case at baseline
BANDS = (0.0, 0.25, 0.5, 0.75, 1.0)
BAND_LABELS = ("0–24 %", "25–49 %", "50–74 %", "75–100 %")
DONE_WEEK = 0.5  # a week counts as "mostly done" at this completion rate or more
EPOCH_MONDAY = dt.date(1970, 1, 5)


def _clients_in_view(conn: Connection, viewer: Viewer, filters: Filters) -> pd.DataFrame:
    """Clients in scope and filters who were in treatment at some point of the window."""
    last_day = filters.end or filters.as_of
    query = (
        select(
            Client.id.label("client_id"),
            Client.clinician_id,
            Clinician.name.label("clinician"),
        )
        .join(Clinician, Clinician.id == Client.clinician_id)
        .where(client_scope(viewer), client_conditions(filters), Client.intake_on <= last_day)
        .order_by(Client.id)
    )
    if filters.start:
        query = query.where(
            or_(Client.discharged_on.is_(None), Client.discharged_on >= filters.start)
        )
    return pd.read_sql(query, conn)


def homework_due_per_client(conn: Connection, viewer: Viewer, filters: Filters) -> pd.DataFrame:
    """Per client: homework due in the period and its completion counts, by the rule every
    page uses for "completion in a period" (due in it), so the figures match Overview."""
    query = (
        select(
            Assignment.client_id,
            func.count().label("due"),
            metrics.completed_count().label("completed"),
            metrics.partial_count().label("partial"),
            metrics.reviewed_count().label("reviewed"),
            metrics.completion_credit().label("credit"),
        )
        .where(
            due_in_period(filters),
            type_condition(filters),
            clients_in_view(Assignment.client_id, viewer, filters),
        )
        .group_by(Assignment.client_id)
    )
    return pd.read_sql(query, conn)


def _sessions_per_client(conn: Connection, viewer: Viewer, filters: Filters) -> pd.DataFrame:
    """Attended sessions in the window up to the as-of day, and how many had homework set."""
    end = min(filters.end or filters.as_of, filters.as_of)
    if filters.start and filters.start > end:  # a window that has not begun yet
        return pd.DataFrame(columns=["client_id", "attended", "sessions_with_homework"])
    frame = pd.read_sql(attended_per_client(conn, viewer, replace(filters, end=end)), conn)
    return frame.rename(columns={"with_homework": "sessions_with_homework"})


def client_frame(conn: Connection, viewer: Viewer, filters: Filters) -> pd.DataFrame:
    """One row per client in view: homework, sessions, PHQ-9/GAD-7 change and paired outcome.

    Columns: client_id, clinician_id, clinician, due, completed, partial, reviewed, credit,
    completion_rate (NaN under 5 reviewed), attended, sessions_with_homework, phq_baseline,
    phq_latest, phq_n, phq_change, gad_* likewise, paired (two or more scores on both), and
    for paired clients the classify_paired columns (case_at_baseline, recovered, ...).
    """
    clients = _clients_in_view(conn, viewer, filters)
    homework = homework_due_per_client(conn, viewer, filters)
    frame = clients.merge(homework, on="client_id", how="left")
    frame = frame.merge(_sessions_per_client(conn, viewer, filters), on="client_id", how="left")
    counts = ["due", "completed", "partial", "reviewed", "attended", "sessions_with_homework"]
    frame[counts] = frame[counts].fillna(0).astype(int)
    frame["credit"] = frame["credit"].fillna(0.0).astype(float)
    frame = metrics.add_completion_rate(frame)
    frame.loc[frame["reviewed"] < metrics.MIN_REVIEWED_FOR_RATE, "completion_rate"] = np.nan
    scores = metrics.classify_outcomes(baseline_latest(conn, viewer, filters))
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

    Columns: group, clients, then one per entry of `columns`.
    """
    data = pd.DataFrame({"clients": 1, **columns}, index=frame.index)
    per_clinician = data.groupby([frame["clinician"], frame["clinician_id"]], sort=True).sum()
    everyone = data.sum().to_frame().T.astype(data.dtypes.to_dict())
    sums = pd.concat([everyone, per_clinician], ignore_index=True)
    names = [str(name) for name, _ in per_clinician.index]
    sums.insert(0, "group", [ALL_IN_VIEW, *names])
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


def count_label(result: dict) -> str:
    """'12 of 30 (40 %)', or 'too few (n=3)' under the client minimum."""
    if result["too_few"]:
        return f"too few (n={result['total']})"
    return f"{result['count']} of {result['total']} ({result['rate']:.0%})".replace("%", " %")


def paired_outcomes(frame: pd.DataFrame) -> pd.DataFrame:
    """Long table: per group (everyone, then each clinician) and outcome, count, rate and CI.

    Reliable improvement and deterioration are over clients with paired scores; recovery and
    reliable recovery over paired clients who were a case at baseline. Columns: group, outcome,
    count, total, rate, ci_low, ci_high, too_few, label.
    """
    columns: dict[str, pd.Series] = {}
    for key in OUTCOMES:
        base = frame["paired"] & frame["case_at_baseline"] if key in CASE_ONLY else frame["paired"]
        columns[f"{key}.count"] = (frame[key] & base).astype(int)
        columns[f"{key}.total"] = base.astype(int)
    sums = _group_sums(frame, columns)
    parts = []
    for order, (key, name) in enumerate(OUTCOMES.items()):
        part = proportions(sums[f"{key}.count"], sums[f"{key}.total"])
        part.insert(0, "outcome", name)
        part.insert(0, "group", sums["group"])
        parts.append(part.assign(_group=sums.index, _outcome=order))
    long = pd.concat(parts).sort_values(["_group", "_outcome"], kind="stable")
    long = long.drop(columns=["_group", "_outcome"]).reset_index(drop=True)
    long["label"] = [count_label(row) for row in long.to_dict("records")]
    return long


def coverage(frame: pd.DataFrame) -> pd.DataFrame:
    """Per group: clients in view, clients with paired scores, cases at baseline, coverage.

    Columns: group, clients, paired, cases, coverage (share paired), label.
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
    sums["label"] = [
        f"{p} of {c} clients have two or more PHQ-9 and GAD-7 scores"
        for p, c in zip(sums["paired"], sums["clients"], strict=True)
    ]
    return sums[["group", "clients", "paired", "cases", "coverage", "label"]]


def outcome_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Wide table for people: one row per group, coverage then each outcome as 'x of n (r %)'.

    Columns: Group, Clients (in view), Paired (with two or more PHQ-9 and GAD-7 scores),
    Cases (at baseline), then one column per outcome.
    """
    labels = paired_outcomes(frame).pivot(index="group", columns="outcome", values="label")
    cover = coverage(frame).set_index("group")
    table = pd.DataFrame(
        {
            "Clients": cover["clients"],
            "Paired": [
                f"{p} ({p / c:.0%})".replace("%", " %") if c else "0"
                for p, c in zip(cover["paired"], cover["clients"], strict=True)
            ],
            "Cases": cover["cases"],
        }
    )
    table = table.join(labels[list(OUTCOMES.values())])  # keeps coverage's group order
    return table.rename_axis("Group").reset_index()


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
    band = pd.cut(
        eligible["completion_rate"], BANDS, labels=BAND_LABELS, right=False, include_lowest=True
    )
    band = band.where(eligible["completion_rate"] < 1.0, BAND_LABELS[-1])
    rows = []
    for label in BAND_LABELS:
        part = eligible[band == label]
        change = mean_with_interval(part["change"])
        ri = proportion(int(part["reliable_improvement_m"].sum()), len(part))
        rows.append(
            {
                "band": label,
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


def _week_number(conn: Connection, column):  # noqa: ANN001, ANN202 - a date column expression
    """SQL: whole weeks from Monday 1970-01-05 to `column` (weeks start on Monday)."""
    if conn.dialect.name == "sqlite":
        days = cast(func.julianday(column) - func.julianday(EPOCH_MONDAY.isoformat()), Integer)
    else:
        days = column - literal(EPOCH_MONDAY, Date)
    return days // 7


def _weekly_completion(conn: Connection, viewer: Viewer, filters: Filters) -> pd.DataFrame:
    query = (
        select(
            Assignment.client_id,
            Assignment.due_week,
            metrics.reviewed_count().label("reviewed"),
            metrics.completion_credit().label("credit"),
        )
        .where(assignments_in_view(viewer, filters), Assignment.status != "pending")
        .group_by(Assignment.client_id, Assignment.due_week)
    )
    frame = pd.read_sql(query, conn)
    days = (pd.to_datetime(frame["due_week"]) - pd.Timestamp(EPOCH_MONDAY)).dt.days
    frame["week"] = (days // 7).astype(int)  # vectorised: one row per client and week
    return metrics.add_completion_rate(frame)


def _weekly_scores(
    conn: Connection, viewer: Viewer, filters: Filters, measure: str
) -> pd.DataFrame:
    week = _week_number(conn, Score.recorded_on).label("week")
    query = (
        select(Score.client_id, week, func.avg(Score.value * 1.0).label("score"))
        .join(Client, Client.id == Score.client_id)
        .where(
            and_(
                Score.measure == measure,
                client_scope(viewer),
                client_conditions(filters),
                date_between(Score.recorded_on, filters),
                Score.recorded_on <= filters.as_of,
            )
        )
        .group_by(Score.client_id, week)
    )
    frame = pd.read_sql(query, conn)
    frame["week"] = frame["week"].astype(int)
    frame["score"] = frame["score"].astype(float)
    return frame


def lag_pairs(conn: Connection, viewer: Viewer, filters: Filters, measure: str) -> pd.DataFrame:
    """Per client and week w: completion of homework due in w, and the score change w → w+1.

    The change is the mean score in week w+1 minus that in week w, signed so positive = better;
    only weeks where both have a score count. Columns: client_id, week, completion_rate, change.
    """
    completion = _weekly_completion(conn, viewer, filters)
    scores = _weekly_scores(conn, viewer, filters, measure)
    following = scores.assign(week=scores["week"] - 1).rename(columns={"score": "next_score"})
    moves = scores.merge(following, on=["client_id", "week"])
    sign = 1.0 if MEASURES[measure].higher_is_better else -1.0
    moves["change"] = sign * (moves["next_score"] - moves["score"])
    pairs = completion.merge(moves, on=["client_id", "week"])
    return pairs[["client_id", "week", "completion_rate", "change"]]


def lag_view(conn: Connection, viewer: Viewer, filters: Filters, measure: str = "PHQ-9") -> dict:
    """Does a week of homework done go with a better score the week after? Summed up per client.

    Each client's weeks are split into mostly done (completion ≥ 50 %) and mostly not done; for
    clients with both kinds, the difference of their mean next-week change is averaged across
    clients with a t interval (so a client with many weeks does not weigh more). Returns
    {"rows": DataFrame(group, n_clients, n_weeks, mean, ci_low, ci_high, too_few),
    "difference": mean_with_interval dict, "sentence": the summary in words}.
    """
    pairs = lag_pairs(conn, viewer, filters, measure)
    pairs["done"] = pairs["completion_rate"] >= DONE_WEEK
    per_client = pairs.groupby(["client_id", "done"])["change"].mean().unstack("done")
    rows = []
    for done, name in ((True, "after weeks mostly done"), (False, "after weeks mostly not done")):
        weeks = pairs[pairs["done"] == done]
        means = per_client[done] if done in per_client else pd.Series(dtype=float)
        rows.append(
            {"group": name, "n_weeks": len(weeks), "n_clients": int(means.notna().sum()),
             **{k: v for k, v in mean_with_interval(means).items() if k != "n"}}
        )  # fmt: skip
    both = per_client.dropna() if {True, False} <= set(per_client.columns) else per_client.iloc[0:0]
    difference = (
        mean_with_interval(both[True] - both[False])
        if len(both)
        else mean_with_interval(pd.Series(dtype=float))
    )
    return {
        "rows": pd.DataFrame(rows),
        "difference": difference,
        "sentence": bars_sentence(pd.DataFrame(rows), measure)
        + " "
        + lag_sentence(difference, measure),
    }


def bars_sentence(rows: pd.DataFrame, measure: str) -> str:
    """What the two bars show, with their own means and client counts, so the words and the
    chart agree before the within-client comparison is stated."""
    parts = []
    for r in rows.itertuples():
        if r.too_few:
            parts.append(f"{r.group}: too few clients (n={r.n_clients})")
        else:
            parts.append(f"{r.group}: {r.mean:+.2f} points on average across {r.n_clients} clients")
    return f"The bars ({measure} change the week after, + = better): " + "; ".join(parts) + "."


def lag_sentence(difference: dict, measure: str) -> str:
    """The lag result in plain words, with N and the interval, as association not cause."""
    n = difference["n"]
    if difference["too_few"]:
        return (
            f"Too few clients (n={n}) had both weeks with most homework done and weeks with most "
            f"not done, each followed by a {measure} score, to compare them within clients."
        )
    mean, low, high = difference["mean"], difference["ci_low"], difference["ci_high"]
    if round(mean, 1) == 0:
        compared = "about the same as"
    else:
        compared = f"{abs(mean):.1f} points {'better' if mean > 0 else 'worse'} than"
    return (
        f"Comparing within the {n} clients who had both kinds of week (they are in both bars), "
        f"in the week after a week with most homework done, {measure} moved on average {compared} "
        f"in the week after a week with most homework not done (95 % CI {low:+.1f} to "
        f"{high:+.1f} points; positive = better). "
        "This is an association in this practice's records, not proof that homework caused it."
    )


def clinician_comparison(frame: pd.DataFrame) -> pd.DataFrame:
    """Per group: homework-setting rate, completion rate and reliable-improvement rate, with N.

    Columns: group, clients, attended, setting_rate, setting_label, reviewed, completion_rate,
    completion_label, paired, ri_rate, ri_low, ri_high, ri_label, ri_too_few.
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
            "setting_label": _rate_labels(setting, attended),
            "reviewed": reviewed,
            "completion_rate": completion,
            "completion_label": _rate_labels(completion, reviewed),
            "paired": sums["paired"].astype(int),
            "ri_rate": ri["rate"],
            "ri_low": ri["ci_low"],
            "ri_high": ri["ci_high"],
            "ri_label": [count_label(row) for row in ri.to_dict("records")],
            "ri_too_few": ri["too_few"],
        }
    )


def _rate_labels(rates: pd.Series, counts: pd.Series) -> list[str]:
    """`metrics.rate_label` of each rate (NaN: nothing to rate) with its N."""
    return [
        metrics.rate_label(None if pd.isna(rate) else float(rate), int(n))
        for rate, n in zip(rates, counts, strict=True)
    ]
