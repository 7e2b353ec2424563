"""Homework page: which types are set, done, reviewed on time, and go with improvement."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import insight_charts as charts
from dashboard.auth_ui import require_viewer
from dashboard.cache import derived_data, figure, page_data
from dashboard.db import engine
from dashboard.filters import filter_sidebar
from dashboard.pager_ui import pager
from dashboard.paging import rows_of
from dashboard.report import ReportSection, attention_section, build_report, report_download
from dashboard.theme import WRAP_METRICS
from dashboard.words import percent, rate_label, rate_labels, split_rate
from data_access.access.viewer import Viewer
from data_access.reads import metrics
from data_access.reads.filters import Filters
from data_access.reads.flags import needs_attention
from data_access.reads.insight import homework_page

ASSOCIATION = (
    "These figures show association, not cause: clients who do more homework may differ in "
    "other ways (severity, circumstances, motivation). Use them to ask questions in supervision."
)
CLINICIANS_PER_PAGE = 25  # per-clinician charts and tables, a page at a time


load = page_data("Counting homework…")(homework_page)


def type_table(by_type: pd.DataFrame) -> pd.DataFrame:
    """The by-type figures as people read them."""
    return pd.DataFrame(
        {
            "Type": by_type["type"],
            "Times set": by_type["times_set"],
            "Clients set for": by_type["clients_set"],
            "Share of clients": [percent(s) for s in by_type["share_of_clients"].fillna(0)],
            "Completion of homework set in the period": rate_labels(
                by_type["completion_rate"], by_type["reviewed"]
            ),
            "Mean engagement (0–4)": [
                f"{m:.1f} (n={n})" if n else "not rated"
                for m, n in zip(by_type["engagement_mean"], by_type["engagement_n"], strict=True)
            ],
        }
    )


def improvement_table(improvement: pd.DataFrame) -> pd.DataFrame:
    """Mean change per type and group with N and the 95 % interval, 'too few' under 5."""
    return pd.DataFrame(
        {
            "Type": improvement["type"],
            "Measure": improvement["measure"],
            "Group": improvement["group"].map(charts.IMPROVEMENT_GROUP_WORDS),
            "Clients": improvement["n"],
            "Mean change (+ = better)": [
                f"too few (n={n})" if few else f"{m:+.1f} (95 % CI {lo:+.1f} to {hi:+.1f})"
                for n, m, lo, hi, few in improvement[
                    ["n", "mean", "ci_low", "ci_high", "too_few"]
                ].itertuples(index=False)
            ],
        }
    )


flagged = page_data()(needs_attention)


@derived_data()
def report(viewer: Viewer, filters: Filters) -> str:
    """The supervision report of this view as self-contained HTML."""
    data = load(viewer, filters)
    return build_report(
        "Homework by type — supervision report",
        viewer,
        filters,
        [
            attention_section(flagged(viewer, filters)),
            ReportSection(
                "Homework by assignment type",
                figures=(charts.type_completion_chart(data["by_type"]),),
                tables=(("By type", type_table(data["by_type"])),),
            ),
            ReportSection(
                "Which types go with improvement",
                notes=(ASSOCIATION,),
                figures=(charts.type_improvement_chart(data["improvement"]),),
                tables=(("Mean change by type and group", improvement_table(data["improvement"])),),
            ),
            ReportSection(
                "Mix of types per clinician",
                figures=(charts.clinician_mix_chart(data["mix"], most=None),),
            ),
            ReportSection(
                "Reviewed on time",
                figures=(charts.on_time_chart(data["on_time"], most=None),),
                tables=(
                    (
                        "Reviewed by the next attended session, and the next homework",
                        charts.review_table(data["on_time"], data["after_review"]),
                    ),
                ),
            ),
        ],
    )


viewer = require_viewer()
with engine().connect() as conn:
    filters = filter_sidebar(conn, viewer)
data = load(viewer, filters)
by_type, on_time = data["by_type"], data["on_time"]

st.title("Homework")
st.html(WRAP_METRICS)
st.caption(
    "Completion = (completed + ½ partial) ÷ reviewed, over homework due in the chosen dates, as "
    "on every page. The by-type figures below count homework set in those dates and say so. "
    "Rates over fewer than 5 reviewed read “too few”."
)
if by_type.empty:
    st.info("No homework was set in this view. Widen the dates or clear the filters.")
    st.stop()

total_row = on_time[on_time["clinician_id"] == -1].iloc[0]
# Two rows of two: at 1024 px four labels in a row were cut off.
cols = [*st.columns(2), *st.columns(2)]
cols[0].metric("Assignments set", int(by_type["times_set"].sum()))
cols[1].metric("Clients with homework", int(by_type["clients_with_homework"].iloc[0]))
due = data["due"]
value, n = split_rate(
    rate_label(metrics.completion_rate(*due[["completed", "partial", "reviewed"]].sum()),
               int(due["reviewed"].sum()))
)  # fmt: skip
cols[2].metric(
    f"Completion ({n})",
    value,
    help="(completed + ½ partial) ÷ reviewed, of homework due in the chosen dates.",
)
value, n = split_rate(rate_label(total_row["rate"], int(total_row["eligible"])))
cols[3].metric(
    f"Reviewed on time ({n})", value, help="Reviewed by the next attended session after it was set."
)

st.header("By assignment type")
st.plotly_chart(figure(charts.type_completion_chart, by_type), width="stretch")
st.dataframe(type_table(by_type), hide_index=True, width="stretch")

st.header("Which types go with improvement?")
st.info(ASSOCIATION, icon=":material/info:")
st.markdown(
    "For each type: clients who **completed it at least 3 times** against clients who were "
    "**set it but rarely did it** (completion under 50 %, fewer than 3 completed). The dot is "
    "the mean change from first to latest score in the dates chosen (positive = better), the "
    "bar its 95 % interval. Groups of fewer than 5 clients are not drawn."
)
st.plotly_chart(figure(charts.type_improvement_chart, data["improvement"]), width="stretch")
with st.expander("Table: mean change by type and group"):
    st.dataframe(improvement_table(data["improvement"]), hide_index=True, width="stretch")

st.header("Mix of types per clinician")
st.caption("Habits show here: a clinician who mostly sets one type stands out as one long bar.")
mix_names = sorted(data["mix"]["clinician"].unique())
shown = pager(len(mix_names), CLINICIANS_PER_PAGE, "mix_page", "clinicians, by name")
mix_page = data["mix"][data["mix"]["clinician"].isin(mix_names[shown.start : shown.stop])]
st.plotly_chart(figure(charts.clinician_mix_chart, mix_page), width="stretch")

st.header("Reviewed on time")
st.caption(
    "Share of assignments reviewed (status recorded, with a review date) on or before the "
    "client's next attended session. Assignments whose next session has not happened yet are "
    "not counted."
)
everyone = on_time["clinician_id"] == -1
shown = pager(int((~everyone).sum()), CLINICIANS_PER_PAGE, "on_time_page", "clinicians, by name")
on_time_page = pd.concat([rows_of(on_time[~everyone], shown), on_time[everyone]])
st.plotly_chart(figure(charts.on_time_chart, on_time_page), width="stretch")
st.markdown(
    "**Review and the next homework.** Completion of homework set in the chosen dates, split "
    "by whether the client's previous homework had been reviewed by the day it was set. "
    + ASSOCIATION
)
st.dataframe(
    charts.review_table(on_time_page, data["after_review"]), hide_index=True, width="stretch"
)

st.divider()
report_download(
    lambda: report(viewer, filters),
    viewer,
    "homework",
    int(by_type["clients_with_homework"].iloc[0]),
    filters.as_of,
)
