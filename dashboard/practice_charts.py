"""Charts and tables for the overview and caseload pages: DataFrame in, Figure out, no Streamlit.

Every completion rate is drawn only where at least MIN_REVIEWED_FOR_RATE assignments were
reviewed; smaller groups keep their place on the axis with the words "too few (n=…)", so a
dip on low volume is never mistaken for a trend.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.flag_words import flag_labels, flag_rules, off_course_rule
from dashboard.theme import LABEL_ROOM, OKABE_ITO, empty_figure, rate_axis, styled, week_axis
from dashboard.words import PERIOD_OUTCOME_WORDS, rate_label
from data_access.reads.metrics import MIN_CLIENTS_FOR_FIGURE, MIN_REVIEWED_FOR_RATE
from data_access.reads.overview import PeriodSummary

MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")
RATE_AXIS = "Completion rate (%)"
BAR_COLOUR = "rgba(153, 153, 153, 0.45)"  # reviewed-count bars sit quietly behind the rate
RATE_COLOUR = OKABE_ITO[0]
# Cividis: ordered, readable with every common colour-vision deficiency, light and dark.
HEATMAP_SCALE = "Cividis"
HEATMAP_SCALE_ROOM = 80  # px under the heatmap for its colour scale, laid flat
HEATMAP_MOST = 30  # clinician rows in one heatmap: more is unreadable and heavy to send


def _shown_rate(frame: pd.DataFrame) -> pd.Series:
    """Completion rate in %, NaN where too few assignments were reviewed to show one."""
    enough = frame["reviewed"] >= MIN_REVIEWED_FOR_RATE
    return (frame["completion_rate"].astype(float) * 100).where(enough)


def _labels(frame: pd.DataFrame) -> list[str]:
    """`rate_label` for every row: '67 % (n=12)' or 'too few (n=3)'."""
    return [
        rate_label(rate, int(n))
        for rate, n in zip(frame["completion_rate"], frame["reviewed"], strict=True)
    ]


def weekly_completion_figure(weekly: pd.DataFrame) -> go.Figure:
    """Completion rate per due week as a line, over bars of the reviewed count per week."""
    title = "Completion rate by week due"
    if weekly.empty or weekly["assignments"].sum() == 0:
        return empty_figure(title, "No homework was due in this period.")
    frame = weekly.sort_values("due_week")
    weeks = pd.to_datetime(frame["due_week"])
    labels = _labels(frame)
    fig = go.Figure()
    fig.add_bar(
        x=weeks,
        y=frame["reviewed"],
        name="Reviewed assignments (n)",
        marker_color=BAR_COLOUR,
        yaxis="y2",
        hovertemplate="Week of %{x|%d %b %Y}<br>%{y} reviewed<extra></extra>",
    )
    fig.add_scatter(
        x=weeks,
        y=_shown_rate(frame),
        name=f"Completion rate (weeks with ≥{MIN_REVIEWED_FOR_RATE} reviewed)",
        mode="lines+markers",
        line={"color": RATE_COLOUR, "width": 2.5},
        marker={"size": 8, "symbol": "circle"},
        customdata=labels,
        hovertemplate="Week of %{x|%d %b %Y}<br>%{customdata}<extra></extra>",
        connectgaps=False,
        cliponaxis=False,  # a 100 % week keeps its whole marker on the capped axis
    )
    few = frame["reviewed"] < MIN_REVIEWED_FOR_RATE
    if few.any():
        fig.add_scatter(
            x=weeks[few],
            y=np.full(int(few.sum()), 2.0),
            name=f"Too few reviewed (<{MIN_REVIEWED_FOR_RATE})",
            mode="markers",
            marker={"symbol": "x-thin-open", "size": 10, "color": OKABE_ITO[7]},
            customdata=[label for label, f in zip(labels, few, strict=True) if f],
            hovertemplate="Week of %{x|%d %b %Y}<br>%{customdata}<extra></extra>",
        )
    fig.update_layout(
        xaxis=week_axis("Week due (ticks on Mondays)", frame["due_week"]),
        yaxis=rate_axis(RATE_AXIS),
        yaxis2={
            "title": {"text": "Reviewed assignments (n)"},
            "overlaying": "y",
            "side": "right",
            "range": [0, max(5, int(frame["reviewed"].max() * 1.25) + 1)],
            "tickformat": "d",
            "tickmode": "auto",
            "nticks": 6,
            "showgrid": False,
            "automargin": True,  # the template's automargin covers "y" only: room for the title
        },
        bargap=0.25,
    )
    return styled(fig, title, height=380)


def type_mix_figure(by_type: pd.DataFrame) -> go.Figure:
    """Share of all assignments due in the period, by type (horizontal bars, with counts)."""
    title = "Mix of homework types"
    if by_type.empty or by_type["assignments"].sum() == 0:
        return empty_figure(title, "No homework was due in this period.")
    frame = by_type.sort_values("assignments")
    share = frame["share"].astype(float) * 100
    fig = go.Figure(
        go.Bar(
            x=share,
            y=frame["type"],
            orientation="h",
            marker_color=OKABE_ITO[4],
            text=[f"{s:.0f} % (n={n})" for s, n in zip(share, frame["assignments"], strict=True)],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text} of all assignments<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis={"title": {"text": "Share of assignments (%)"}, "ticksuffix": " %"},
        yaxis={"title": {"text": ""}},
        showlegend=False,
    )
    fig.update_xaxes(range=[0, min(100, max(share.max() * 1.2, 10))])
    fig.update_layout(margin={"r": LABEL_ROOM})  # "45 % (n=1234)" beyond the longest bar
    return styled(fig, title, height=max(260, 40 * len(frame) + 80))


def completion_by_group_figure(
    frame: pd.DataFrame, key: str, title: str, axis_title: str, horizontal: bool = False
) -> go.Figure:
    """Completion rate per group (type, difficulty, days allowed), every bar labelled with N.

    Groups with too few reviewed assignments keep their place, hatched, with a "too few" label
    and no rate. `horizontal` suits long category names (types).
    """
    if frame.empty or frame["reviewed"].sum() == 0:
        return empty_figure(title, "No reviewed homework in this period.")
    if horizontal:
        frame = frame.iloc[::-1]  # plotly draws the first category at the bottom
    rates = _shown_rate(frame)
    categories = [str(value) for value in frame[key]]
    values, names = (categories, rates.fillna(0)), ("x", "y")
    bar = go.Bar(
        **dict(zip(names[::-1] if horizontal else names, values, strict=True)),
        orientation="h" if horizontal else "v",
        marker_color=[OKABE_ITO[2] if pd.notna(r) else BAR_COLOUR for r in rates],
        marker_pattern_shape=["" if pd.notna(r) else "/" for r in rates],
        text=_labels(frame),
        textposition="outside",
        cliponaxis=False,
        hovertemplate=("%{y}" if horizontal else "%{x}") + ": %{text}<extra></extra>",
    )
    fig = go.Figure(bar)
    group_axis = {"title": {"text": axis_title}, "type": "category"}
    if horizontal:  # labels past a bar's end go into the right margin
        fig.update_layout(
            xaxis=rate_axis(RATE_AXIS),
            yaxis=group_axis | {"title": {"text": ""}},
            margin={"r": LABEL_ROOM},
        )
        height = max(300, 34 * len(frame) + 110)
    else:  # labels above a 100 % bar go into the top margin
        fig.update_layout(xaxis=group_axis, yaxis=rate_axis(RATE_AXIS), margin={"t": 80})
        height = 340
    fig.update_layout(showlegend=False)
    return styled(fig, title, height=height)


def _cell_text(label: str) -> str:
    """What a heatmap cell shows of its rate label: "few" under the minimum, nothing where
    nothing was due, else the bare number ("76": the scale says "%", and a phone's cells are
    too narrow for more)."""
    if label.startswith("too few"):
        return "few"
    if label == "nothing due":
        return ""
    return label.split(" (")[0].removesuffix(" %")


def completion_heatmap_figure(
    heatmap: pd.DataFrame, clinicians: Sequence[str] | None = None, most: int = HEATMAP_MOST
) -> go.Figure:
    """Completion rate per clinician (rows) and due week (columns); blank cells read "too few".

    Rows are `clinicians` in that order, top to bottom (by default every clinician, A at the
    top), never more than `most`: past that the title says how many of how many are drawn.
    """
    title = "Completion rate by clinician and week due"
    if heatmap.empty or heatmap["assignments"].sum() == 0:
        return empty_figure(title, "No homework was due in this period.")
    everyone = sorted(heatmap["clinician"].unique())
    wanted = list(clinicians) if clinicians is not None else everyone
    if len(wanted) > most:
        title += f" (the first {most} of {len(wanted)} clinicians)"
        wanted = wanted[:most]
    heatmap = heatmap[heatmap["clinician"].isin(wanted)]
    frame = heatmap.assign(
        rate=_shown_rate(heatmap),
        label=_labels(heatmap),
        week=pd.to_datetime(heatmap["due_week"]),
    )
    rates = frame.pivot_table(index="clinician", columns="week", values="rate", aggfunc="first")
    weeks = sorted(frame["week"].unique())
    drawn = set(frame["clinician"])
    rows = [c for c in wanted if c in drawn][::-1]  # the first at the top
    rates = rates.reindex(index=rows, columns=weeks)
    text = (
        frame.pivot_table(index="clinician", columns="week", values="label", aggfunc="first")
        .reindex(index=rows, columns=weeks)
        .fillna("nothing due")
    )
    short = text.map(_cell_text)
    fig = go.Figure(
        go.Heatmap(
            z=rates.to_numpy(),
            x=weeks,
            y=rows,
            zmin=0,
            zmax=100,
            colorscale=HEATMAP_SCALE,
            # Under the plot, not beside it: on a phone a side bar left the cells too narrow
            # for their numbers, which ran into each other. Its ticks read "0 %"…"100 %"; a title
            # laid flat beside or over the bar squeezed or covered it.
            colorbar={
                "ticksuffix": " %",
                "orientation": "h",
                "yref": "container",
                "y": 0,
                "yanchor": "bottom",
                "thickness": 12,
                "len": 0.5,
                "xanchor": "left",
                "x": 0,
            },
            text=short.to_numpy(),
            texttemplate="%{text}",
            textfont={"size": 11},
            customdata=text.to_numpy(),
            hovertemplate="%{y}, week of %{x|%d %b %Y}<br>%{customdata}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    fig.update_layout(
        xaxis=week_axis("Week due (ticks on Mondays)", pd.Series(weeks)) | {"showgrid": False},
        yaxis={"title": {"text": ""}, "showgrid": False},
    )
    fig.update_layout(margin={"b": HEATMAP_SCALE_ROOM})
    return styled(fig, title, height=max(280, 34 * len(rows) + 140) + HEATMAP_SCALE_ROOM)


# --- Headline figures and tables (DataFrame in, DataFrame or text out) ----------------------


@dataclass(frozen=True)
class Headline:
    """One headline figure as st.metric shows it, with the counts behind it in words."""

    label: str
    value: str
    delta: str | None
    caption: str
    list_key: str
    more_is_better: bool = True

    @property
    def unchanged(self) -> bool:
        """The figure is the same as in the previous period: shown without arrow or colour."""
        return self.delta == NO_CHANGE


NO_CHANGE = "no change"


def _count_delta(now: int, before: int | None) -> str | None:
    if before is None:
        return None
    return NO_CHANGE if now == before else f"{now - before:+d} vs before"


def _rate_delta(
    now: float | None, n_now: int, before: float | None, n_before: int, minimum: int
) -> str | None:
    """Change in percentage points, only when both rates are shown (enough N on both sides).

    A change that rounds to 0 points reads "no change", not "-0 pp" with a falling arrow.
    """
    if now is None or before is None or n_now < minimum or n_before < minimum:
        return None
    points = round((now - before) * 100)
    return NO_CHANGE if points == 0 else f"{points:+d} pp vs before"


def _bare(label: str) -> str:
    """'67 % (n=12)' -> '67 %' and 'too few (n=3)' -> 'too few': the card's label has the N."""
    return label.split(" (n=")[0]


def _too_few_note(n: int, minimum: int, unit: str) -> str:
    """Say "too few" only when the N shown is really under the minimum."""
    return f" (too few to show a rate: under {minimum} {unit})" if n < minimum else ""


def headlines(now: PeriodSummary, before: PeriodSummary | None) -> list[Headline]:
    """The overview's seven headline figures, each with its N (in the label for rates, as
    the card is narrow), its change against the previous period and the key of the client list
    it opens (data_access.reads.client_lists.LISTS)."""
    prev = before
    # Flags are as of each period's last day; against a period with no clients in treatment
    # (before the practice's records begin) a change would read as a rise from nothing.
    flag_delta = (
        _count_delta(now.flagged_clients, prev.flagged_clients)
        if prev and prev.active_clients and now.active_clients
        else None
    )
    return [
        Headline(
            "Active clients",
            str(now.active_clients),
            _count_delta(now.active_clients, prev and prev.active_clients),
            "in treatment on at least one day of the period",
            "active",
        ),
        Headline(
            "Sessions attended",
            str(now.sessions_attended),
            _count_delta(now.sessions_attended, prev and prev.sessions_attended),
            "attended sessions held in the period",
            "sessions",
        ),
        Headline(
            f"Homework set (n={now.sessions_attended})",
            _bare(rate_label(now.setting_rate, now.sessions_attended)),
            prev
            and _rate_delta(
                now.setting_rate,
                now.sessions_attended,
                prev.setting_rate,
                prev.sessions_attended,
                MIN_REVIEWED_FOR_RATE,
            ),
            f"homework-setting rate: set at {now.sessions_with_homework} of "
            f"{now.sessions_attended} attended sessions"
            + _too_few_note(now.sessions_attended, MIN_REVIEWED_FOR_RATE, "sessions"),
            "setting",
        ),
        Headline(
            "Assignments set",
            str(now.assignments_set),
            _count_delta(now.assignments_set, prev and prev.assignments_set),
            "homework assigned in the period",
            "assigned",
        ),
        Headline(
            f"Completion (n={now.reviewed})",
            _bare(rate_label(now.completion_rate, now.reviewed)),
            prev
            and _rate_delta(
                now.completion_rate,
                now.reviewed,
                prev.completion_rate,
                prev.reviewed,
                MIN_REVIEWED_FOR_RATE,
            ),
            f"completion of homework due in the period: {now.completed} completed + "
            f"{now.partial} partial of {now.reviewed} reviewed ({now.assignments_due} due)"
            + _too_few_note(now.reviewed, MIN_REVIEWED_FOR_RATE, "reviewed"),
            "completion",
        ),
        Headline(
            f"Reliably improved (n={now.outcome_clients})",
            _bare(rate_label(now.improved_share, now.outcome_clients, MIN_CLIENTS_FOR_FIGURE)),
            prev
            and _rate_delta(
                now.improved_share,
                now.outcome_clients,
                prev.improved_share,
                prev.outcome_clients,
                MIN_CLIENTS_FOR_FIGURE,
            ),
            f"{now.improved_clients} of {now.outcome_clients} clients with two or more "
            "PHQ-9/GAD-7 scores in the period"
            + _too_few_note(now.outcome_clients, MIN_CLIENTS_FOR_FIGURE, "clients"),
            "improved",
        ),
        Headline(
            "Needing attention",
            str(now.flagged_clients),
            flag_delta,
            "active clients with a needs-attention flag today, whatever the dates (risk is "
            "never filtered away); the change is against the previous period's last day",
            "attention",
            more_is_better=False,
        ),
    ]


def caseload_display(table: pd.DataFrame) -> pd.DataFrame:
    """The caseload table as shown: one row per clinician, every rate with its N."""
    rows = table.itertuples()
    return pd.DataFrame(
        [
            {
                "Clinician": r.clinician,
                "Active clients": r.active_clients,
                "Sessions attended": r.attended,
                "Homework set": rate_label(r.setting_rate, r.attended),
                "Completion": rate_label(r.completion_rate, r.reviewed),
                "Overdue": r.overdue,
                "Needing attention": r.needs_attention,
                "Reliably improved": rate_label(
                    r.improved_share, r.outcome_clients, MIN_CLIENTS_FOR_FIGURE
                ),
            }
            for r in rows
        ],
        columns=CASELOAD_COLUMNS,
    )


CASELOAD_COLUMNS = [
    "Clinician",
    "Active clients",
    "Sessions attended",
    "Homework set",
    "Completion",
    "Overdue",
    "Needing attention",
    "Reliably improved",
]
# What the caseload table can be sorted by: (column in the data, largest first?).
CASELOAD_SORTS: dict[str, tuple[str, bool]] = {
    "Clinician": ("clinician", False),
    "Completion, lowest first": ("completion_rate", False),
    "Homework set, lowest first": ("setting_rate", False),
    "Overdue, most first": ("overdue", True),
    "Needing attention, most first": ("needs_attention", True),
    "Reliably improved, lowest first": ("improved_share", False),
}
CSV_COLUMNS = [
    "clinician",
    "active_clients",
    "attended",
    "with_homework",
    "setting_rate",
    "assignments",
    "reviewed",
    "completed",
    "partial",
    "completion_rate",
    "overdue",
    "needs_attention",
    "outcome_clients",
    "improved_clients",
    "improved_share",
]


def sort_caseload(table: pd.DataFrame, sort: str) -> pd.DataFrame:
    """Sort by one of CASELOAD_SORTS; rates hidden as "too few" go last, like unknowns."""
    column, descending = CASELOAD_SORTS[sort]
    frame = table.copy()
    minimum = {"completion_rate": ("reviewed", MIN_REVIEWED_FOR_RATE)}
    minimum |= {"setting_rate": ("attended", MIN_REVIEWED_FOR_RATE)}
    minimum |= {"improved_share": ("outcome_clients", MIN_CLIENTS_FOR_FIGURE)}
    if column in minimum:
        n_column, least = minimum[column]
        frame["_key"] = frame[column].where(frame[n_column] >= least)
    else:
        frame["_key"] = frame[column]
    frame = frame.sort_values(
        ["_key", "clinician"], ascending=[not descending, True], na_position="last"
    )
    return frame.drop(columns="_key").reset_index(drop=True)


def _day(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{value:%d %b %Y}"


def attention_rows(attention: pd.DataFrame) -> list[dict[str, str]]:
    """The needs-attention list in words: client, clinician, flags, rules, last session/score."""
    rows = []
    for r in attention.itertuples():
        session = _day(r.last_session)
        if session:
            session += f" ({str(r.last_attendance).replace('_', '-')})"
        score = ""
        if isinstance(r.last_score_measure, str):
            score = f"{r.last_score_measure} {int(r.last_score)} on {_day(r.last_score_on)}"
        rows.append(
            {
                "Client": r.client_code,
                "Clinician": r.clinician,
                "Flags": flag_labels(r.flags),
                "Rules": flag_rules(r.flags),
                "Last session": session or "none yet",
                "Last score": score or "none yet",
            }
        )
    return rows


def change_words(value: object) -> str:
    """A signed change (positive = better) in words: '2 better', '3 worse', 'no change'."""
    if value is None or pd.isna(value):
        return ""
    points = round(float(value))
    if points == 0:
        return "no change"
    return f"{abs(points)} {'better' if points > 0 else 'worse'}"


DRILL_OUTCOME = "Outcome in the period"
DRILL_FLAGS = "Flags today (whole course)"
DRILL_COLUMNS = [
    "Client",
    "Status",
    "Sessions attended",
    "Completion",
    "PHQ-9 change",
    "GAD-7 change",
    DRILL_OUTCOME,
    DRILL_FLAGS,
]


def clients_display(
    clients: pd.DataFrame, link: Callable[[str], str] | None = None
) -> pd.DataFrame:
    """A clinician's clients side by side: completion with N, changes in words, the outcome
    in the period and today's flags, each headed with what it compares. `link` turns a client
    code into the link shown in the Client column."""
    return pd.DataFrame(
        [
            {
                "Client": link(r.client_code) if link else r.client_code,
                "Status": r.status,
                "Sessions attended": r.attended,
                "Completion": rate_label(r.completion_rate, r.reviewed),
                "PHQ-9 change": change_words(r.phq_change),
                "GAD-7 change": change_words(r.gad_change),
                DRILL_OUTCOME: PERIOD_OUTCOME_WORDS[r.outcome],
                DRILL_FLAGS: flag_labels(r.flags),
            }
            for r in clients.itertuples()
        ],
        columns=DRILL_COLUMNS,
    )


def weekly_display(weekly: pd.DataFrame) -> pd.DataFrame:
    """The weekly completion figures as a table: week, due, reviewed, rate with N, overdue."""
    return pd.DataFrame(
        [
            {
                "Week starting": _day(r.due_week),
                "Due": r.assignments,
                "Reviewed": r.reviewed,
                "Completion": rate_label(r.completion_rate, r.reviewed),
                "Overdue": r.overdue,
            }
            for r in weekly.itertuples()
        ],
        columns=["Week starting", "Due", "Reviewed", "Completion", "Overdue"],
    )


def _cell(text: object) -> str:
    """Text shown as itself inside a markdown table cell: markdown punctuation escaped, no
    line breaks, so a code or name can never become a link, emphasis or a new column."""
    return MARKDOWN_PUNCTUATION.sub(r"\\\1", str(text)).replace("\n", " ")


def client_list_markdown(clients: pd.DataFrame, link: Callable[[str], str]) -> str:
    """The clients behind a headline as a markdown table whose codes are links (so they look
    like links and are plain text for a screen reader or a browser test)."""
    rows = [
        f"| [{_cell(r.client_code)}]({link(r.client_code)}) | {_cell(r.clinician)} "
        f"| {_cell(r.detail)} |"
        for r in clients.itertuples()
    ]
    return "\n".join(["| Client | Clinician | In this figure |", "| --- | --- | --- |", *rows])


def risk_table_markdown(
    rows: list[tuple[str, str, str, str | None]], link: Callable[[str], str], item: str
) -> str:
    """Open risk items as one markdown table, in red: (client code, clinician, the answer and
    its date, who reviewed it and when or None) per row, each code a link to the client page;
    the item's wording (`item`) heads its column once. One element for every item keeps a list
    of hundreds light to send and to draw."""
    lines = [
        f"| [{_cell(code)}]({link(code)}) | :red[{_cell(clinician)}] | :red[{_cell(answer)}] "
        f"| {'**Not reviewed.**' if reviewed is None else _cell(reviewed)} |"
        for code, clinician, answer, reviewed in rows
    ]
    head = [f"| Client | Clinician | {_cell(item)} | Review |", "| --- | --- | --- | --- |"]
    return "\n".join([*head, *lines])


def off_course_markdown(off_course: pd.DataFrame, link: Callable[[str], str]) -> str:
    """Clients not on track as one markdown table: code (a link), clinician, the rule in numbers."""
    rows = [
        f"| [{_cell(r.client_code)}]({link(r.client_code)}) | {_cell(r.clinician)} "
        f"| {_cell(off_course_rule(r.measures))} |"
        for r in off_course.itertuples()
    ]
    return "\n".join(["| Client | Clinician | Why not on track |", "| --- | --- | --- |", *rows])
