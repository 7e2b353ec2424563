"""Charts for the homework and outcomes pages: DataFrame in, plotly Figure out.

Every chart states its N, draws 95 % intervals as error bars, and puts "too few (n=…)" where a
group is under the minimum instead of a point that could be over-read. Groups are told apart by
marker symbol or pattern as well as colour.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.outcome_words import (
    LAG_GROUP_WORDS,
    OUTCOME_NAMES,
    band_words,
    group_name,
    group_names,
)
from dashboard.theme import (
    LABEL_ROOM,
    OKABE_ITO,
    STATUS_STYLE,
    empty_figure,
    rate_axis,
    styled,
    wrapped,
)
from dashboard.words import count_labels, rate_label, rate_labels
from data_access.reads.insight import GROUP_DID, GROUP_RARELY
from data_access.reads.metrics import MIN_REVIEWED_FOR_RATE
from data_access.reads.reviews import AFTER_NOT_REVIEWED, AFTER_REVIEWED

PATTERNS = ["", "/", "\\", "x", "-", "|", "+", ".", "/"]
MIX_COLOURS = OKABE_ITO[:8]  # no black: it vanishes on the dark theme; pattern keeps types apart
GROUP_STYLE = {
    GROUP_DID: {"color": OKABE_ITO[2], "symbol": "circle", "text": "top center"},
    GROUP_RARELY: {"color": OKABE_ITO[5], "symbol": "diamond-open", "text": "bottom center"},
}
IMPROVEMENT_GROUP_WORDS = {  # insight.improvement_by_type's groups
    GROUP_DID: "did it (3+ completed)",
    GROUP_RARELY: "rarely did it (< 50 %)",
}
ALL_CLINICIANS = "All clinicians in view"  # the total row (clinician_id -1) of the review tables
CHANGE_AXIS = "{measure} change (points, positive = better)"
CLINICIANS_MOST = 30  # clinicians in one per-clinician chart: more is unreadable and heavy
SCATTER_MOST = 2000  # client dots in one scatter; past it, clients are counted in bins
COMPLETION_BIN = 0.05  # binned scatter: 5 percentage points of completion…
CHANGE_BIN = 1.0  # …by 1 point of change
FACTS_LINE = 56  # characters per line of the scatter's r and N: a phone shows about 60 at 12 px
FACTS_LINE_PX = 17


def _pct(values: pd.Series) -> pd.Series:
    return values.astype(float) * 100


def _first(names: list[str], most: int | None, title: str) -> tuple[list[str], str]:
    """At most `most` names (None: all), and the title saying how many of how many are drawn."""
    if most is None or len(names) <= most:
        return names, title
    return names[:most], f"{title} (the first {most} of {len(names)} clinicians)"


def type_completion_chart(by_type: pd.DataFrame) -> go.Figure:
    """Completion rate per assignment type, labelled '67 % (n=12)' or 'too few (n=3)'."""
    title = "Completion rate by assignment type"
    if by_type.empty:
        return empty_figure(title, "No homework was set in this view.")
    frame = by_type.iloc[::-1]
    labels = pd.Series(rate_labels(frame["completion_rate"], frame["reviewed"]), index=frame.index)
    shown = labels.str.startswith("too few")
    fig = go.Figure(
        go.Bar(
            x=_pct(frame["completion_rate"].where(~shown, 0)),
            y=frame["type"],
            orientation="h",
            text=labels,
            textposition="outside",
            cliponaxis=False,
            marker={"color": STATUS_STYLE["completed"]["color"]},
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis=rate_axis("Completion of homework set (%): completed + ½ partial, of reviewed"),
        margin={"r": LABEL_ROOM},
    )
    fig.update_yaxes(title=None)
    return styled(fig, title, height=max(260, 60 + 34 * len(frame)))


def type_improvement_chart(improvement: pd.DataFrame) -> go.Figure:
    """Mean PHQ-9 and GAD-7 change per type: clients who did it vs rarely did it, with 95 % CIs.

    The two panels sit side by side, so their titles and axis titles stay short enough for a
    phone (each panel about 100 px wide there); the title says what a positive change means."""
    title = "Change by homework type (points, + = better): did it vs rarely did it"
    if improvement.empty or improvement["too_few"].all():
        return empty_figure(
            title, "Too few clients (fewer than 5 per group) to compare homework types."
        )
    types = sorted(improvement["type"].unique(), reverse=True)
    measures = list(dict.fromkeys(improvement["measure"]))
    fig = make_subplots(
        rows=1,
        cols=len(measures),
        shared_yaxes=True,
        horizontal_spacing=0.04,
        subplot_titles=measures,
    )
    fig.update_annotations(font_size=13)  # the panels' titles
    offsets = {GROUP_DID: 0.22, GROUP_RARELY: -0.22}
    for col, measure in enumerate(measures, start=1):
        for group, style in GROUP_STYLE.items():
            part = (
                improvement[(improvement["measure"] == measure) & (improvement["group"] == group)]
                .set_index("type")
                .reindex(types)
            )
            few = part["too_few"].fillna(True).astype(bool)
            n = part["n"].fillna(0).astype(int)
            y = [i + offsets[group] for i in range(len(types))]
            fig.add_trace(
                go.Scatter(
                    x=part["mean"].where(~few, 0),
                    y=y,
                    mode="markers+text",
                    name=IMPROVEMENT_GROUP_WORDS[group],
                    legendgroup=group,
                    showlegend=col == 1,
                    text=[
                        f"too few (n={k})" if f else f"n={k}" for k, f in zip(n, few, strict=True)
                    ],
                    textposition=style["text"],  # "too few" centred on the zero line
                    textfont={"size": 10, "color": style["color"]},
                    cliponaxis=False,
                    marker={
                        "color": style["color"],
                        "symbol": style["symbol"],
                        "size": [0 if f else 11 for f in few],
                        "line": {"width": 2, "color": style["color"]},
                    },
                    error_x={
                        "type": "data",
                        "symmetric": False,
                        "array": (part["ci_high"] - part["mean"]).where(~few),
                        "arrayminus": (part["mean"] - part["ci_low"]).where(~few),
                        "color": style["color"],
                    },
                    customdata=np.stack([part.index], axis=-1),
                    hovertemplate="%{customdata[0]}: %{x:+.1f} points, %{text}<extra>"
                    + group
                    + "</extra>",
                ),
                row=1,
                col=col,
            )
        fig.add_vline(x=0, line={"color": "#777777", "dash": "dot"}, row=1, col=col)
        fig.update_xaxes(title="Mean change", row=1, col=col)
    fig.update_yaxes(tickvals=list(range(len(types))), ticktext=types, title=None, row=1, col=1)
    fig.update_layout(margin={"t": 75})  # the panels' titles under the chart's
    _legend_below(fig)
    return styled(fig, title, height=max(360, 150 + 84 * len(types)))


def _legend_below(fig: go.Figure) -> None:
    """Put the legend under the plot so it never runs into the title."""
    fig.update_layout(
        margin={"b": 90},
        legend={"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0},
    )


def clinician_mix_chart(mix: pd.DataFrame, most: int | None = CLINICIANS_MOST) -> go.Figure:
    """Stacked bars: each clinician's homework split by type (share of what they set); at most
    `most` clinicians by name (None: all), the title saying so when there are more."""
    title = "Mix of homework types per clinician"
    if mix.empty:
        return empty_figure(title, "No homework was set in this view.")
    kept, title = _first(sorted(mix["clinician"].unique()), most, title)
    mix = mix[mix["clinician"].isin(kept)]
    types = sorted(mix["type"].unique())
    clinicians = kept[::-1]  # plotly draws the first category at the bottom
    totals = mix.groupby("clinician")["times_set"].sum()
    fig = go.Figure()
    for i, type_name in enumerate(types):
        part = mix[mix["type"] == type_name].set_index("clinician").reindex(clinicians)
        share = _pct(part["share"].fillna(0))
        fig.add_trace(
            go.Bar(
                x=share,
                y=[f"{c} (n={int(totals[c])})" for c in clinicians],
                orientation="h",
                name=type_name,
                marker={
                    "color": MIX_COLOURS[i % len(MIX_COLOURS)],
                    "pattern": {
                        "shape": PATTERNS[i % len(PATTERNS)],
                        "fgcolor": "#ffffff",
                        "fillmode": "overlay",
                    },
                },
                text=[f"{s:.0f} %" if s >= 8 else "" for s in share],
                textposition="inside",
                customdata=part["times_set"].fillna(0),
                hovertemplate="%{y}<br>" + type_name + ": %{x:.0f} % (%{customdata} set)"
                "<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    _legend_below(fig)
    fig.update_xaxes(title="Share of the homework each clinician set (%)", range=[0, 100])
    fig.update_yaxes(title=None)
    return styled(fig, title, height=max(300, 140 + 40 * len(clinicians)))


def clinician_names(frame: pd.DataFrame) -> pd.Series:
    """A review table's clinician column as people read it: the total row (clinician_id -1)
    is every clinician in view."""
    return frame["clinician"].where(frame["clinician_id"] != -1, ALL_CLINICIANS)


def on_time_chart(on_time: pd.DataFrame, most: int | None = CLINICIANS_MOST) -> go.Figure:
    """Share of homework reviewed by the next attended session, per clinician and overall: at
    most `most` clinicians in the frame's order (None: all) and always the total row."""
    title = "Homework reviewed by the next attended session"
    if on_time.empty or int(on_time["eligible"].sum()) == 0:
        return empty_figure(title, "No homework has reached its next attended session yet.")
    total = on_time["clinician_id"] == -1
    kept, title = _first(list(on_time.loc[~total, "clinician"]), most, title)
    frame = on_time[total | on_time["clinician"].isin(kept)].iloc[::-1]
    labels = pd.Series(rate_labels(frame["rate"], frame["eligible"]), index=frame.index)
    too_few = labels.str.startswith("too few")
    fig = go.Figure(
        go.Bar(
            x=_pct(frame["rate"].where(~too_few, 0).fillna(0)),
            y=clinician_names(frame),
            orientation="h",
            text=labels,
            textposition="outside",
            cliponaxis=False,
            marker={"color": OKABE_ITO[0]},
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis=rate_axis("Reviewed on time (% of assignments)"), margin={"r": LABEL_ROOM}
    )
    fig.update_yaxes(title=None)
    return styled(fig, title, height=max(240, 80 + 34 * len(frame)))


def paired_outcome_chart(outcomes: pd.DataFrame, group: str) -> go.Figure:
    """Paired-outcome rates for one group with Wilson 95 % intervals and 'x of n' labels."""
    title = f"Paired outcomes (PHQ-9 with GAD-7): {group_name(group)}"
    frame = outcomes[outcomes["group"] == group]
    if frame.empty or frame["too_few"].all():
        total = int(frame["total"].max()) if len(frame) else 0
        return empty_figure(title, f"Too few clients with paired scores (n={total}).")
    ok = ~frame["too_few"]
    labels = count_labels(frame)
    ticks = [
        f"{OUTCOME_NAMES[o]}<br><b>{lab}</b>"
        for o, lab in zip(frame["outcome"], labels, strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=ticks,
            y=_pct(frame["rate"].where(ok, 0)),
            customdata=labels,
            marker={"color": [OKABE_ITO[2], OKABE_ITO[0], OKABE_ITO[4], OKABE_ITO[5]]},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": _pct(frame["ci_high"] - frame["rate"]).where(ok),
                "arrayminus": _pct(frame["rate"] - frame["ci_low"]).where(ok),
                "color": "#777777",
            },
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    fig.update_layout(yaxis=rate_axis("Clients (%) — 95 % Wilson interval"))
    fig.update_xaxes(title=None)
    return styled(fig, title, height=360)


def dose_response_chart(bands: pd.DataFrame, measure: str) -> go.Figure:
    """Completion bands against mean change and reliable-improvement rate, each with 95 % CIs."""
    title = f"Dose–response: homework completion and {measure}"
    if bands.empty or bands["too_few"].all():
        return empty_figure(title, "Too few clients (fewer than 5 in every completion band).")
    ok = ~bands["too_few"]
    ticks = [
        f"{band_words(b)}<br>n={n}" + (" (too few)" if few else "")
        for b, n, few in zip(bands["band"], bands["n"], bands["too_few"], strict=True)
    ]
    # One panel above the other: side by side, a phone's width left each axis title over the
    # other panel (seen at 390 px).
    fig = make_subplots(
        rows=2,
        cols=1,
        subplot_titles=(f"Mean {measure} change", "Reliable improvement"),
        vertical_spacing=0.26,
    )
    fig.add_trace(
        go.Scatter(
            x=ticks,
            y=bands["mean"].where(ok),
            mode="markers+lines",
            name="Mean change (95 % CI)",
            marker={"color": OKABE_ITO[0], "symbol": "circle", "size": 10},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (bands["ci_high"] - bands["mean"]).where(ok),
                "arrayminus": (bands["mean"] - bands["ci_low"]).where(ok),
            },
            hovertemplate="%{x}<br>mean %{y:.1f} points<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=ticks,
            y=_pct(bands["ri_rate"].where(ok)),
            name="Reliable improvement (95 % Wilson CI)",
            marker={
                "color": OKABE_ITO[2],
                "pattern": {"shape": "/", "fgcolor": "#ffffff", "fillmode": "overlay"},
            },
            error_y={
                "type": "data",
                "symmetric": False,
                "array": _pct(bands["ri_high"] - bands["ri_rate"]).where(ok),
                "arrayminus": _pct(bands["ri_rate"] - bands["ri_low"]).where(ok),
                "color": "#777777",
            },
            hovertemplate="%{x}<br>%{y:.0f} % reliably improved<extra></extra>",
        ),
        row=2,
        col=1,
    )
    fig.update_xaxes(title="Client's homework completion rate")
    fig.update_yaxes(title=CHANGE_AXIS.format(measure=measure), row=1, col=1)
    fig.update_yaxes(rate_axis("Clients reliably improved (%)"), row=2, col=1)
    fig.add_hline(y=0, line={"color": "#777777", "dash": "dot"}, row=1, col=1)
    fig.update_layout(showlegend=False, margin={"t": 80})
    return styled(fig, title, height=820)


def binned_points(points: pd.DataFrame) -> pd.DataFrame:
    """Clients counted per bin of COMPLETION_BIN completion by CHANGE_BIN change, each bin at
    its centre. Columns: completion_rate, change, clients."""
    x = (points["completion_rate"].astype(float) / COMPLETION_BIN).round() * COMPLETION_BIN
    y = (points["change"].astype(float) / CHANGE_BIN).round() * CHANGE_BIN
    bins = pd.DataFrame({"completion_rate": x.round(6), "change": y})
    return (
        bins.groupby(["completion_rate", "change"], as_index=False)
        .size()
        .rename(columns={"size": "clients"})
    )


def scatter_chart(
    points: pd.DataFrame, corr: dict, measure: str, most: int = SCATTER_MOST
) -> go.Figure:
    """One dot per client (completion vs change), the least-squares line, r with CI and N.

    Past `most` clients the dots are bins (dot area = clients in the bin), and the chart says
    so; r and the line are still computed from every client.
    """
    title = f"Homework completion vs {measure} change, one dot per client"
    if corr["no_spread"]:
        return empty_figure(title, f"All {corr['n']} clients sit at one value: nothing to fit.")
    if corr["too_few"]:
        return empty_figure(title, f"Too few clients with both figures (n={corr['n']}).")
    binned = len(points) > most
    note = ""
    if binned:
        bins = binned_points(points)
        title = f"Homework completion vs {measure} change, clients counted in bins"
        note = (
            f"More than {most:,} clients: each dot is a bin of "
            f"{COMPLETION_BIN:.0%} completion by {CHANGE_BIN:.0f} point, its area the "
            "number of clients in it."
        ).replace("%", " %")
        sizes = 5 + 20 * np.sqrt(bins["clients"] / bins["clients"].max())
        dots = go.Scatter(
            x=_pct(bins["completion_rate"]),
            y=bins["change"],
            mode="markers",
            name="Clients (binned)",
            marker={"color": OKABE_ITO[0], "opacity": 0.55, "size": sizes, "symbol": "circle"},
            customdata=bins["clients"],
            cliponaxis=False,
            hovertemplate="completion about %{x:.0f} %, change %{y:+.0f} points: "
            "%{customdata} clients<extra></extra>",
        )
    else:
        dots = go.Scatter(
            x=_pct(points["completion_rate"]),
            y=points["change"],
            mode="markers",
            name="Client",
            marker={"color": OKABE_ITO[0], "opacity": 0.55, "size": 8, "symbol": "circle"},
            cliponaxis=False,  # clients at 0 % and 100 % keep their whole dot
            hovertemplate="completion %{x:.0f} %, change %{y:+.0f} points<extra></extra>",
        )
    fig = go.Figure(dots)
    xs = np.array([0.0, 1.0])
    fig.add_trace(
        go.Scatter(
            x=xs * 100,
            y=corr["intercept"] + corr["slope"] * xs,
            mode="lines",
            name="Fitted line (least squares)",
            line={"color": OKABE_ITO[5], "width": 3, "dash": "dash"},
            hoverinfo="skip",
        )
    )
    # r and N above the plot, under the title: inside it they covered the top dots.
    facts = wrapped(
        f"r = {corr['r']:.2f} (95 % CI {corr['ci_low']:.2f} to {corr['ci_high']:.2f}), "
        f"N = {corr['n']} clients. {note}".strip(),
        FACTS_LINE,
    )
    fig.add_annotation(
        text=facts,
        xref="paper",
        yref="paper",
        x=0,
        y=1,
        xanchor="left",
        yanchor="bottom",
        yshift=4,
        showarrow=False,
        align="left",
        font={"size": 12},
    )
    fig.update_layout(margin={"t": 50 + FACTS_LINE_PX * (facts.count("<br>") + 1)})
    fig.add_hline(y=0, line={"color": "#777777", "dash": "dot"})
    _legend_below(fig)
    fig.update_xaxes(rate_axis("Client's completion of homework due (%)"))
    fig.update_yaxes(title=CHANGE_AXIS.format(measure=measure))
    # Room right of 100 % for the last column's dots (up to 12.5 px across half) and its label.
    fig.update_layout(margin={"r": 30})
    return styled(fig, title, height=420)


def lag_chart(rows: pd.DataFrame, measure: str) -> go.Figure:
    """Mean next-week change after weeks mostly done vs mostly not done (client means, 95 % CI)."""
    title = f"{measure} change in the week after: homework mostly done vs not"
    if rows.empty or rows["too_few"].all():
        return empty_figure(title, "Too few clients with weekly homework and scores to compare.")
    ok = ~rows["too_few"]
    labels = [
        f"{LAG_GROUP_WORDS[g]}<br>{c} clients, {w} weeks" + (" (too few)" if few else "")
        for g, c, w, few in zip(
            rows["group"], rows["n_clients"], rows["n_weeks"], rows["too_few"], strict=True
        )
    ]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=rows["mean"].where(ok),
            marker={
                "color": [OKABE_ITO[2], OKABE_ITO[5]],
                "pattern": {"shape": ["", "/"], "fgcolor": "#ffffff", "fillmode": "overlay"},
            },
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (rows["ci_high"] - rows["mean"]).where(ok),
                "arrayminus": (rows["mean"] - rows["ci_low"]).where(ok),
                "color": "#777777",
            },
            hovertemplate="%{x}<br>mean %{y:+.2f} points<extra></extra>",
        )
    )
    fig.add_hline(y=0, line={"color": "#777777", "dash": "dot"})
    fig.update_yaxes(title=f"Next-week {measure} change (points, + = better)")
    fig.update_xaxes(title=None)
    return styled(fig, title, height=360)


def clinician_comparison_chart(
    comparison: pd.DataFrame, most: int | None = CLINICIANS_MOST
) -> go.Figure:
    """Per clinician: homework-setting, completion and reliable-improvement rates side by side;
    the first row (everyone in view) and at most `most` clinicians after it (None: all)."""
    title = "Per clinician: setting homework, completion and reliable improvement"
    if comparison.empty:
        return empty_figure(title, "No clients in this view.")
    kept, title = _first(list(comparison["group"].iloc[1:]), most, title)
    frame = pd.concat([comparison.iloc[:1], comparison.iloc[1 : 1 + len(kept)]]).iloc[::-1]
    improvement = frame[["improved", "paired", "ri_rate", "ri_too_few"]].set_axis(
        ["count", "total", "rate", "too_few"], axis=1
    )
    series = [
        (
            "Homework set at attended sessions",
            "setting_rate",
            rate_labels(frame["setting_rate"], frame["attended"]),
            "",
            OKABE_ITO[0],
        ),
        (
            "Completion of homework due",
            "completion_rate",
            rate_labels(frame["completion_rate"], frame["reviewed"]),
            "/",
            OKABE_ITO[1],
        ),
        ("Reliable improvement (paired)", "ri_rate", count_labels(improvement), "x", OKABE_ITO[2]),
    ]
    fig = go.Figure()
    for name, column, texts, pattern, colour in reversed(series):  # plotly draws bottom-up
        label = pd.Series(texts, index=frame.index)
        few = label.str.startswith("too few")
        fig.add_trace(
            go.Bar(
                x=_pct(frame[column].where(~few, 0).fillna(0)),
                y=group_names(frame["group"]),
                orientation="h",
                name=name,
                text=label,
                textposition="outside",
                cliponaxis=False,
                marker={
                    "color": colour,
                    "pattern": {"shape": pattern, "fgcolor": "#ffffff", "fillmode": "overlay"},
                },
                hovertemplate="%{y}<br>" + name + ": %{text}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group", bargap=0.25)
    _legend_below(fig)
    fig.update_layout(legend={"traceorder": "reversed"})
    fig.update_layout(xaxis=rate_axis("Rate (%)"), margin={"r": LABEL_ROOM})
    fig.update_yaxes(title=None)
    return styled(fig, title, height=max(320, 120 + 90 * len(frame)))


def review_table(on_time: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Per clinician: reviewed on time with N, and completion of the next homework after a
    review and after none, with the difference in words ("8 points better")."""
    rates = after.pivot_table(index="clinician_id", columns="group", values="completion_rate")
    labels = (
        after.assign(label=rate_labels(after["completion_rate"], after["reviewed"]))
        .pivot_table(index="clinician_id", columns="group", values="label", aggfunc="first")
        .fillna("none")
    )  # a side another clinician has but this one lacks
    enough = after.assign(ok=after["reviewed"] >= MIN_REVIEWED_FOR_RATE).pivot_table(
        index="clinician_id", columns="group", values="ok", aggfunc="first"
    )
    rows = []
    for r, name in zip(on_time.itertuples(), clinician_names(on_time), strict=True):
        label = labels.loc[r.clinician_id] if r.clinician_id in labels.index else {}
        rows.append(
            {
                "Clinician": name,
                "Reviewed on time": rate_label(r.rate, int(r.eligible)),
                "Next homework after a review": _or_none(label.get(AFTER_REVIEWED)),
                "Next homework after no review": _or_none(label.get(AFTER_NOT_REVIEWED)),
                "Difference": _difference(rates, enough, r.clinician_id),
            }
        )
    return pd.DataFrame(rows, columns=REVIEW_COLUMNS)


def _or_none(label: object) -> str:
    """A rate label, or "none" where the clinician had no homework in that group."""
    return "none" if label is None or pd.isna(label) else str(label)


REVIEW_COLUMNS = [
    "Clinician",
    "Reviewed on time",
    "Next homework after a review",
    "Next homework after no review",
    "Difference",
]


def _difference(rates: pd.DataFrame, enough: pd.DataFrame, clinician_id: int) -> str:
    """Completion after a review minus after none, in points and words; "too few" when either
    side has under MIN_REVIEWED_FOR_RATE reviewed."""
    groups = (AFTER_REVIEWED, AFTER_NOT_REVIEWED)
    if clinician_id not in rates.index or not all(g in rates.columns for g in groups):
        return "too few to compare"
    shown = [
        pd.notna(rates.loc[clinician_id, g]) and enough.loc[clinician_id, g] == 1 for g in groups
    ]  # a clinician with only one kind of homework has NaN for the other
    if not all(shown):
        return "too few to compare"
    points = round(100 * (rates.loc[clinician_id, groups[0]] - rates.loc[clinician_id, groups[1]]))
    if points == 0:
        return "about the same after a review"
    return f"{abs(points)} points {'better' if points > 0 else 'worse'} after a review"
