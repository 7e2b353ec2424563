"""The supervision report: the current view as one self-contained HTML file that opens offline.

The plotly bundle is embedded once (include_plotlyjs=True on the first chart), tables are
escaped HTML, and nothing is fetched from the network. Downloading it is audited as `export`.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.db import engine
from dashboard.flag_words import flag_label
from data_access.access import audit
from data_access.access.viewer import Viewer
from data_access.reads.filters import Filters

STYLE = """
body { font-family: Arial, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }
h1 { margin-bottom: 0.2rem; } .meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; }
th { background: #f2f2f2; } .note { background: #fff8e1; padding: 0.6rem 0.8rem; }
"""


@dataclass(frozen=True)
class ReportSection:
    """One heading of the report: sentences, then charts, then titled tables."""

    heading: str
    notes: tuple[str, ...] = ()
    figures: tuple[go.Figure, ...] = ()
    tables: tuple[tuple[str, pd.DataFrame], ...] = field(default_factory=tuple)


def describe_filters(filters: Filters) -> str:
    """The filters in words for the report's header."""
    start = filters.start.isoformat() if filters.start else "the beginning"
    end = filters.end.isoformat() if filters.end else filters.as_of.isoformat()
    parts = [f"{start} to {end}", f"clients: {filters.client_status}"]
    if filters.clinician_ids:
        parts.append(f"{len(filters.clinician_ids)} clinician(s) chosen")
    if filters.type_ids:
        parts.append(f"{len(filters.type_ids)} assignment type(s) chosen")
    return "; ".join(parts)


def attention_section(flags: pd.DataFrame) -> ReportSection:
    """The needs-attention list by client code and flag only (no names, scores or notes), so a
    printed report identifies no one to a reader without access to the practice's records.

    `flags` is data_access.reads.flags.needs_attention: one row per (client, flag) raised today.
    """
    heading = "Needing attention today"
    if flags.empty:
        return ReportSection(heading, notes=("No active client in this view has a flag.",))
    named = zip(flags["flag"], flags["reviewed"], strict=True)
    labels = flags.assign(label=[flag_label(flag, reviewed) for flag, reviewed in named])
    per_client = (
        labels.groupby("client_code", sort=True)["label"].agg("; ".join).reset_index()
    ).rename(columns={"client_code": "Client code", "label": "Flags"})
    return ReportSection(
        heading,
        notes=(
            f"{len(per_client)} active clients with a needs-attention flag today, whatever the "
            "dates of the view (risk is never filtered away). Client codes only.",
        ),
        tables=(("Clients needing attention", per_client),),
    )


def _report_figure(fig: go.Figure) -> go.Figure:
    """A copy of `fig` for the report: title at the top of its own band and the legend below
    the plot, so a title never runs into a legend at any page width. The band keeps the room
    the chart made above its plot (a title wrapped onto more lines, the scatter's r and N)."""
    copy = go.Figure(fig)
    top = max(70, (fig.layout.margin.t or 50) + 20)
    copy.update_layout(
        title={"yref": "container", "y": 0.98, "yanchor": "top"},
        legend={"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0},
        margin={"t": top, "b": 110},
        height=(fig.layout.height or 360) + 60,
    )
    return copy


def build_report(
    title: str, viewer: Viewer, filters: Filters, sections: list[ReportSection]
) -> str:
    """The whole report as an HTML string with plotly embedded (works without a network)."""
    body: list[str] = []
    bundle_included = False
    for section in sections:
        body.append(f"<h2>{html.escape(section.heading)}</h2>")
        body.extend(f'<p class="note">{html.escape(note)}</p>' for note in section.notes)
        for fig in section.figures:
            body.append(
                _report_figure(fig).to_html(
                    full_html=False,
                    include_plotlyjs=not bundle_included,
                    config={"displaylogo": False},
                )  # fmt: skip
            )
            bundle_included = True
        for caption, table in section.tables:
            body.append(f"<h3>{html.escape(caption)}</h3>")
            body.append(table.to_html(index=False, border=0, na_rep="—", escape=True))
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta = (
        f"Prepared for {html.escape(viewer.name)} ({html.escape(viewer.role)}) on {generated}. "
        f"View: {html.escape(describe_filters(filters))}."
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        f'<h1>{html.escape(title)}</h1><p class="meta">{meta}</p>'
        + "\n".join(body)
        + '<p class="meta">Figures show associations in this practice\'s records, not causes. '
        "Groups under 5 clients are shown as “too few”.</p></body></html>"
    )


def _audit_export(viewer: Viewer, detail: str) -> None:
    with engine().begin() as conn:
        audit.record(conn, viewer, "export", None, detail)


def report_download(
    report: Callable[[], str], viewer: Viewer, page: str, clients: int, today: dt.date
) -> None:
    """A download button for the report; each download is appended to the audit trail.

    The report (about 5 MB with plotly embedded) is built only when someone clicks, not sent
    to the browser with every view of the page.
    """
    st.download_button(
        "Download supervision report (HTML)",
        data=lambda: report().encode("utf-8"),
        file_name=f"supervision-report-{page}-{today.isoformat()}.html",
        mime="text/html",
        icon=":material/download:",
        on_click=_audit_export,
        args=(viewer, f"supervision report, {page} page, {clients} clients in view"),
    )
