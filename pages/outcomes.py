"""Outcomes page: paired outcomes with coverage, and whether homework goes with improvement."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import insight_charts as charts
from dashboard.auth_ui import require_viewer
from dashboard.cache import derived_data, figure, page_data
from dashboard.db import engine
from dashboard.filters import filter_sidebar
from dashboard.on_track_charts import ASSOCIATION as ON_TRACK_ASSOCIATION
from dashboard.on_track_charts import on_track_homework_chart, on_track_homework_table
from dashboard.outcome_words import (
    ALERT_GROUP_WORDS,
    band_table,
    coverage_sentence,
    group_names,
    lag_words,
    outcome_table,
)
from dashboard.pager_ui import pager
from dashboard.paging import rows_of
from dashboard.reference_words import REFERENCE_LABEL, homework_reference_caption
from dashboard.report import ReportSection, attention_section, build_report, report_download
from dashboard.words import count_labels, rate_labels
from data_access.access.viewer import Viewer
from data_access.reads import outcome_lag, outcomes
from data_access.reads.filters import EVERYONE, Filters
from data_access.reads.flags import needs_attention
from data_access.reads.on_track_outcomes import alert_accuracy, outcome_by_completion
from data_access.reads.reference import reference_figures

MEASURES = ("PHQ-9", "GAD-7")
CLINICIANS_PER_PAGE = 25  # per-clinician chart and tables, a page at a time
ASSOCIATION = (
    "Association, not cause: clients who do more homework may also differ in severity, "
    "circumstances or motivation. These figures describe this practice's records; they cannot "
    "show that homework made anyone better."
)
CASELOAD_CAVEAT = (
    "Caseloads differ: clinicians see clients of different severity, at different stages and "
    "in different numbers, so these rates are prompts for a supervision conversation, not a "
    "ranking."
)


load = page_data("Pairing scores…")(outcomes.client_frame)
load_lag = page_data()(outcome_lag.lag_view)


@derived_data()
def summaries(viewer: Viewer, filters: Filters) -> dict[str, pd.DataFrame]:
    """The per-group tables (everyone in view, then each clinician), cached with the data so a
    rerun of the page does not compute them again."""
    frame = load(viewer, filters)
    cover, paired = outcomes.coverage(frame), outcomes.paired_outcomes(frame)
    return {
        "coverage": cover,
        "paired": paired,
        "table": outcome_table(paired, cover),
        "comparison": outcomes.clinician_comparison(frame),
    }


@derived_data()
def homework_and_change(viewer: Viewer, filters: Filters, measure: str) -> dict[str, object]:
    """Completion against change for one measure: the dose–response bands, the correlation and
    the scatter's points, cached with the data (about 0.08 s of statistics on every rerun of the
    page for the admin at 10,000 clients otherwise)."""
    frame = load(viewer, filters)
    return {
        "bands": outcomes.dose_response(frame, measure),
        "corr": outcomes.correlation(frame, measure),
        "scatter": outcomes.completion_scatter(frame, measure),
    }


def dose_table(bands: pd.DataFrame) -> pd.DataFrame:
    """Dose–response bands as people read them, 'too few' under 5 clients."""
    return band_table(bands, "Completion band", "Mean change (95 % CI)")


def comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Group": group_names(comparison["group"]),
            "Clients": comparison["clients"],
            "Homework set at attended sessions": rate_labels(
                comparison["setting_rate"], comparison["attended"]
            ),
            "Completion of homework due": rate_labels(
                comparison["completion_rate"], comparison["reviewed"]
            ),
            "Reliable improvement": count_labels(
                comparison[["improved", "paired", "ri_rate", "ri_too_few"]].set_axis(
                    ["count", "total", "rate", "too_few"], axis=1
                )
            ),
        }
    )


def correlation_sentence(corr: dict, measure: str) -> str:
    """The correlation in words with N and interval, or why it is not shown."""
    if corr["no_spread"]:
        return (
            f"All {corr['n']} clients have the same completion rate or the same {measure} "
            "change, so there is no correlation to show."
        )
    if corr["too_few"]:
        return (
            f"Too few clients (n={corr['n']}) with 5 or more reviewed assignments and two or "
            f"more {measure} scores to show a correlation."
        )
    return (
        f"Across {corr['n']} clients, completion rate and {measure} change correlate at "
        f"r = {corr['r']:.2f} (95 % CI {corr['ci_low']:.2f} to {corr['ci_high']:.2f}). "
        f"The fitted line changes by {corr['slope'] / 10:+.1f} points (+ = better) per 10 "
        "percentage points of completion."
    )


flagged = page_data()(needs_attention)
load_alert = page_data("Checking the early-warning alert…")(alert_accuracy)
load_after_flag = page_data()(outcome_by_completion)


def alert_table(table: pd.DataFrame) -> pd.DataFrame:
    """The alert table in words: each group's N and share without reliable improvement."""
    return pd.DataFrame(
        {
            "Clients (closed episodes)": table["group"].map(ALERT_GROUP_WORDS),
            "N": table["total"],
            "Ended without reliable improvement": [
                f"too few (n={r.total})" if r.too_few
                else f"{r.count} ({r.rate:.0%}, 95 % CI {r.ci_low:.0%} to {r.ci_high:.0%})"
                for r in table.itertuples()
            ],
        }
    )  # fmt: skip


@derived_data()
def report(viewer: Viewer, filters: Filters, measure: str) -> str:
    """The supervision report of this view as self-contained HTML."""
    tables = summaries(viewer, filters)
    lag = load_lag(viewer, filters, measure)
    link = homework_and_change(viewer, filters, measure)
    bands, corr = link["bands"], link["corr"]
    return build_report(
        "Outcomes and homework — supervision report",
        viewer,
        filters,
        [
            attention_section(flagged(viewer, filters)),
            ReportSection(
                "Paired outcomes",
                notes=(coverage_sentence(tables["coverage"].iloc[0]) + ".",),
                figures=(charts.paired_outcome_chart(tables["paired"], EVERYONE),),
                tables=(("By clinician", tables["table"]),),
            ),
            ReportSection(
                f"Dose–response ({measure})",
                notes=(ASSOCIATION, correlation_sentence(corr, measure)),
                figures=(
                    charts.dose_response_chart(bands, measure),
                    charts.scatter_chart(link["scatter"], corr, measure),
                ),
                tables=(("Completion bands", dose_table(bands)),),
            ),
            ReportSection(
                "One week later",
                notes=(lag_words(lag, measure),),
                figures=(charts.lag_chart(lag["rows"], measure),),
            ),  # fmt: skip
            ReportSection(
                "Per clinician",
                notes=(CASELOAD_CAVEAT,),
                figures=(charts.clinician_comparison_chart(tables["comparison"], most=None),),
                tables=(("Rates per clinician", comparison_table(tables["comparison"])),),
            ),  # fmt: skip
        ],
    )


viewer = require_viewer()
with engine().connect() as conn:
    filters = filter_sidebar(conn, viewer)
frame = load(viewer, filters)

st.title("Outcomes")
st.caption(
    "Clients you can see who were in treatment during the chosen dates. Change is from the "
    "first to the latest score in those dates, signed so that positive = better."
)
if frame.empty:
    st.info("No clients in this view. Widen the dates or clear the filters.")
    st.stop()

tables = summaries(viewer, filters)
cover = tables["coverage"].iloc[0]
cols = st.columns(3)
cols[0].metric("Clients in view", int(cover["clients"]))
cols[1].metric("With paired scores", f"{int(cover['paired'])} of {int(cover['clients'])}")
cols[2].metric("Cases at baseline", int(cover["cases"]))
st.caption(
    f"Coverage: {coverage_sentence(cover)}. Only they count in paired outcomes (NHS Talking "
    "Therapies style: recovery and reliable recovery over clients who were a case at baseline)."
)

st.header("Paired outcomes")
st.plotly_chart(figure(charts.paired_outcome_chart, tables["paired"], EVERYONE), width="stretch")
by_clinician = tables["table"]  # everyone in view first, then each clinician by name
shown = pager(len(by_clinician) - 1, CLINICIANS_PER_PAGE, "outcome_table_page", "clinicians")
st.dataframe(
    pd.concat([by_clinician.iloc[:1], rows_of(by_clinician.iloc[1:], shown)]),
    hide_index=True,
    width="stretch",
)
with st.expander(REFERENCE_LABEL):
    st.caption(
        "Published figures from other services and studies, each with its source and year, "
        "kept in data/reference_figures.csv (a practice may edit it). Other populations, "
        "other definitions: context, never a target."
    )
    st.dataframe(reference_figures(), hide_index=True, width="stretch")

st.header("Does homework go with improvement?")
st.warning(ASSOCIATION, icon=":material/info:")
measure = st.radio("Measure", MEASURES, horizontal=True, key="outcome_measure")
link = homework_and_change(viewer, filters, measure)
bands, corr = link["bands"], link["corr"]
st.markdown(
    "Each client's completion of homework due in the chosen dates (clients with 5 or more reviewed "
    f"assignments and two or more {measure} scores), in fixed bands. Error bars are 95 % "
    "intervals (t for the mean change, Wilson for the share reliably improved)."
)
st.plotly_chart(figure(charts.dose_response_chart, bands, measure), width="stretch")
st.dataframe(dose_table(bands), hide_index=True, width="stretch")
st.plotly_chart(
    figure(charts.scatter_chart, link["scatter"], corr, measure),
    width="stretch",
)
st.markdown(correlation_sentence(corr, measure))
if reference_caption := homework_reference_caption(reference_figures()):
    st.caption(reference_caption)

st.subheader("One week later")
lag = load_lag(viewer, filters, measure)
st.markdown(
    "For every client and week (Monday to Sunday), homework due that week is *mostly done* "
    f"(completion ≥ 50 %) or *mostly not done*; the {measure} change is from that week's mean "
    "score to the next week's. Only weeks that lie, with the next, wholly within these dates "
    "count. Each client's weeks are averaged first, so clients with many weeks do not weigh more."
)
st.plotly_chart(figure(charts.lag_chart, lag["rows"], measure), width="stretch")
st.markdown(lag_words(lag, measure))

st.header("Early warning: how well does the alert predict here?")
st.markdown(
    f"Closed episodes (discharged clients) with a {measure} score in weeks 3–4 after their "
    "first and a later last score: those *not on track* by week 4 (worse than three in four "
    "of this practice's clients who started at the same score) against those who were not, "
    "and how many of each ended without reliable improvement. Whatever the dates chosen."
)
alert = load_alert(viewer, measure)
if alert.empty:
    st.info("Too little history for an expected response (100 clients with 3+ scores needed).")
else:
    st.dataframe(alert_table(alert), hide_index=True, width="stretch")
    st.caption(ASSOCIATION)

st.subheader("Not on track: outcome by homework done after the flag")
st.markdown(
    f"Clients flagged *not on track* by week 4 on {measure} (any status, with a later score), "
    "grouped by how much of the homework set from the flag to their latest score they did "
    "(5 or more reviewed), against their change from first to latest score (+ = better). "
    "Error bars are 95 % intervals (t for the mean change, Wilson for the share reliably "
    "improved). Whatever the dates chosen."
)
after_flag = load_after_flag(viewer, measure)
st.plotly_chart(figure(on_track_homework_chart, after_flag, measure), width="stretch")
if not after_flag.empty:
    st.dataframe(on_track_homework_table(after_flag), hide_index=True, width="stretch")
st.caption(ON_TRACK_ASSOCIATION)

st.header("Per clinician")
st.warning(CASELOAD_CAVEAT, icon=":material/groups:")
comparison = tables["comparison"]
shown = pager(len(comparison) - 1, CLINICIANS_PER_PAGE, "comparison_page", "clinicians, by name")
comparison = pd.concat([comparison.iloc[:1], rows_of(comparison.iloc[1:], shown)])
st.plotly_chart(figure(charts.clinician_comparison_chart, comparison), width="stretch")
st.dataframe(comparison_table(comparison), hide_index=True, width="stretch")

st.divider()
report_download(
    lambda: report(viewer, filters, measure),
    viewer,
    "outcomes",
    int(cover["clients"]),
    filters.as_of,
)
