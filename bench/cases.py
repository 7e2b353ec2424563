"""The registry of timed cases: one line each, a data-layer call and its naive counterpart.

A case gets a connection and a `Context` (viewer, today, the one client of the client page set)
and calls only `data_access` functions, exactly as a page would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import Connection

from bench import naive
from dashboard.day_data import ATTENTION_ROWS_PER_PAGE
from data_access.access.viewer import Viewer
from data_access.reads import assignment_counts as counts
from data_access.reads import (
    caseload,
    client_periods,
    client_queries,
    expected,
    flags,
    insight,
    on_track_outcomes,
    outcome_lag,
    outcomes,
    overview,
    practice,
    scores,
)
from data_access.reads.filters import Filters
from data_access.reads.flags import flagged_on, needs_attention
from data_access.reads.my_clients import my_clients
from data_access.reads.queries import get_client, visible_clients
from data_access.reads.risk import open_risk_items
from data_access.reads.scope import scope_of
from data_access.reads.scores import baseline_latest
from data_access.records import exporter
from data_access.records.csv_safe import to_safe_csv


@dataclass(frozen=True)
class Context:
    """Who asks, which day is today, and the client the one-client cases open."""

    viewer: Viewer
    today: dt.date
    client_id: int
    client_code: str
    clinician: Viewer  # clinician@demo.example: about 100 clients at 10,000 (demo/staff.py)

    def weeks(self, n: int) -> Filters:
        """The last `n` weeks up to today."""
        return Filters(start=self.today - dt.timedelta(weeks=n), end=self.today, today=self.today)

    @property
    def year(self) -> Filters:
        return self.weeks(52)

    @property
    def now(self) -> Filters:
        """No window, today fixed: the practice as it stands."""
        return Filters(today=self.today)

    @property
    def active(self) -> Filters:
        return Filters(client_status="active", today=self.today)


Call = Callable[[Connection, Context], object]
# Each module's READ_MAINTAINED turned off: bench's "live" way.
MAINTAINED_READS = (counts, scores, flags, client_periods, outcome_lag)
OUTCOME_PAGE_MEASURE = "PHQ-9"  # the measure the outcomes page opens on
WAYS = ("maintained", "live")  # figures read from the maintained tables, or all from live rows


@dataclass(frozen=True)
class Case:
    """A named query; `naive` is the read-everything-into-pandas way, where one is meaningful.

    `kind` is "practice" (one query, held to #2's targets), "page data" (everything one page
    reads: ten to twenty-five queries, held to the page's target through its AppTest rows),
    "page" (an AppTest render, held to `limit` seconds of wall time), "client" (the client
    page's queries) or "export".
    """

    name: str
    ours: Call
    naive: Call | None = None
    kind: str = "practice"
    limit: float | None = None

    @property
    def practice_wide(self) -> bool:
        return self.kind == "practice"


def streamed_export(conn: Connection, viewer: Viewer, kind: str) -> int:
    """Stream an export as a download does (chunk by chunk into safe CSV); rows written."""
    rows = 0
    for frame in exporter.export_frames(conn, viewer, kind):
        to_safe_csv(frame)
        rows += len(frame)
    return rows


def _window(ctx: Context, n: int) -> tuple[dt.date, dt.date]:
    filters = ctx.weeks(n)
    return filters.start, filters.end


def _overview_page(conn: Connection, viewer: Viewer, filters: Filters) -> object:
    """Everything the overview page reads: its figures, the needs-attention list and on-track
    share as of today and the flagged count as of the previous period's last day (each cached
    apart by the page, on the day)."""
    before = practice.previous_period(filters)
    return (
        overview.overview_data(conn, viewer, filters),
        caseload.day_view(conn, viewer, filters.on_the_day()),
        before and flagged_on(conn, viewer, before.on_the_day()),
    )


def _caseload_page(conn: Connection, viewer: Viewer, filters: Filters) -> object:
    """Everything the caseload page reads: the period's figures with the needs-attention list
    and on-track share as of today (cached apart by the page, on the day, and shared with the
    overview) and the last session and score of the list's first page."""
    day = filters.on_the_day()
    attention = caseload.day_view(conn, viewer, day).attention
    data = caseload.with_attention(caseload.caseload_data(conn, viewer, filters), attention)
    shown = tuple(int(i) for i in attention["client_id"][:ATTENTION_ROWS_PER_PAGE])
    return data, caseload.last_contact(conn, viewer, day, shown)


def _outcomes_page(conn: Connection, viewer: Viewer, filters: Filters) -> object:
    """Everything the outcomes page reads as it opens on its first measure (PHQ-9): each
    client's homework, sessions and scores for the period, the week-later view, and the
    early-warning figures (how well the alert predicts, outcome by homework after the flag),
    which depend on the viewer alone and are cached apart by the page."""
    measure = OUTCOME_PAGE_MEASURE
    return (
        outcomes.client_frame(conn, viewer, filters),
        outcome_lag.lag_view(conn, viewer, filters, measure),
        on_track_outcomes.alert_accuracy(conn, viewer, measure),
        on_track_outcomes.outcome_by_completion(conn, viewer, measure),
    )


def _read(way: str, status: str, page_data: Callable, weeks: int) -> Call:
    """A page's data read the `way` given for the clients of `status` ("all", or "active" as
    the pages open): whole weeks from the maintained counts, every baseline and latest score
    through the maintained spans, the flags from the kept flag inputs, per-client figures
    from the client months and the one-week lag from the lag weeks, or every figure counted
    from the live tables (READ_MAINTAINED off in each of those modules)."""

    def call(conn: Connection, ctx: Context) -> object:
        for module in MAINTAINED_READS:
            module.READ_MAINTAINED = way == "maintained"
        try:
            return page_data(conn, ctx.viewer, replace(ctx.weeks(weeks), client_status=status))
        finally:
            for module in MAINTAINED_READS:
                module.READ_MAINTAINED = True

    return call


def _active_pairs(way: str) -> Call:
    """The flags' baseline and latest PHQ-9/GAD-7 of the active clients, as of today, read from
    the maintained score spans or seeking the scores (scores.READ_MAINTAINED off)."""

    def call(conn: Connection, ctx: Context) -> object:
        scores.READ_MAINTAINED = way == "maintained"
        try:
            return expected.active_pairs(conn, scope_of(conn, ctx.viewer, ctx.active))
        finally:
            scores.READ_MAINTAINED = True

    return call


CASES: list[Case] = [
    Case(
        "completion by week, 12 weeks",
        lambda c, x: overview.weekly_completion(c, scope_of(c, x.viewer, x.weeks(12))),
        lambda c, x: naive.completion_by_week(c, x.viewer, *_window(x, 12)),
    ),
    Case(
        "completion by week, 52 weeks",
        lambda c, x: overview.weekly_completion(c, scope_of(c, x.viewer, x.year)),
        lambda c, x: naive.completion_by_week(c, x.viewer, *_window(x, 52)),
    ),
    Case(
        "completion by type, 52 weeks",
        lambda c, x: insight.homework_by_type(c, scope_of(c, x.viewer, x.year)),
        lambda c, x: naive.completion_by_type(c, x.viewer, *_window(x, 52), x.today),
    ),
    Case(
        "homework-setting rate, 52 weeks",
        lambda c, x: practice.session_counts(c, scope_of(c, x.viewer, x.year)),
        lambda c, x: naive.setting_rate(c, x.viewer, *_window(x, 52)),
    ),
    Case(
        "overdue count by clinician, now",
        lambda c, x: counts.assignment_counts(
            c, scope_of(c, x.viewer, x.now), by=("clinician_id",)
        ),
        lambda c, x: naive.overdue_by_clinician(c, x.viewer, x.today),
    ),
    Case(
        "baseline/latest, all clients",
        lambda c, x: baseline_latest(c, scope_of(c, x.viewer, x.now)),
        lambda c, x: naive.baseline_latest(c, x.viewer, ("PHQ-9", "GAD-7"), None),
    ),
    Case("needs attention, active clients", lambda c, x: needs_attention(c, x.viewer, x.active)),
    *(Case(f"active pairs (flags' scores), {way}", _active_pairs(way)) for way in WAYS),
    Case(
        "expected response: fit PHQ-9 and GAD-7 (target 5 s)",
        lambda c, x: [expected.fit(expected.training_rows(c, m), m) for m in expected.BANDED],
    ),
    Case(
        "not on track, active clients (fit kept)",
        lambda c, x: expected.on_track(
            c, expected.active_pairs(c, scope_of(c, x.viewer, x.active))
        ),
    ),
    Case(
        "expected response: the kept fit, per use (data version read)",
        lambda c, x: [expected.expected_response(c, m) for m in expected.BANDED],
    ),
    Case(
        "not on track: how well the alert predicts, PHQ-9",
        lambda c, x: on_track_outcomes.alert_accuracy(c, x.viewer, "PHQ-9"),
    ),
    Case(
        "not on track: outcome by homework after the flag, PHQ-9",
        lambda c, x: on_track_outcomes.outcome_by_completion(c, x.viewer, "PHQ-9"),
    ),
    Case(
        "open risk items, all clients",
        lambda c, x: open_risk_items(c, scope_of(c, x.viewer, x.now)),
    ),
    Case("visible clients", lambda c, x: visible_clients(c, x.viewer, x.now)),
    Case(
        "My clients, clinician@ (< 0.3 s cpu)",
        lambda c, x: my_clients(c, x.clinician, x.today),
        None,
        "page data",
    ),
    *(
        Case(
            f"{page} page data, {weeks} weeks, {status} clients, {way}",
            _read(way, status, call, weeks),
            None,
            "page data",
        )
        for page, call, weeks in (
            ("overview", _overview_page, 12),
            ("caseload", _caseload_page, 12),
            ("homework", insight.homework_page, 12),
            ("outcomes", _outcomes_page, 52),
        )
        for status in ("active", "all")
        for way in WAYS
    ),
    Case("client: get_client", lambda c, x: get_client(c, x.viewer, x.client_code), None, "client"),
    Case(
        "client: baseline/latest, 3 measures",
        lambda c, x: baseline_latest(
            c, scope_of(c, x.viewer, x.now), ("PHQ-9", "GAD-7", "MOOD"), client_ids=[x.client_id]
        ),
        lambda c, x: naive.baseline_latest(c, x.viewer, ("PHQ-9", "GAD-7", "MOOD"), [x.client_id]),
        "client",
    ),
    Case(
        "client: score series, 52 weeks",
        lambda c, x: client_queries.score_series(c, x.viewer, x.client_id, x.year),
        lambda c, x: naive.score_series(
            c, x.viewer, x.client_id, client_queries.TREND_MEASURES, *_window(x, 52)
        ),
        "client",
    ),
    Case(
        "client: assignments, 52 weeks",
        lambda c, x: client_queries.assignment_list(c, x.viewer, x.client_id, x.year),
        lambda c, x: naive.client_assignments(c, x.viewer, x.client_id, *_window(x, 52)),
        "client",
    ),
    Case(
        "client: whole client page, 52 weeks",
        lambda c, x: client_queries.client_page(c, x.viewer, x.client_code, x.year),
        None,
        "client",
    ),
    Case(
        "client: needs attention",
        lambda c, x: needs_attention(c, x.viewer, x.now, client_ids=[x.client_id]),
        None,
        "client",
    ),
    Case(
        "export assignments (streamed CSV)",
        lambda c, x: streamed_export(c, x.viewer, "assignments"),
        lambda c, x: naive.export(c, x.viewer),
        "export",
    ),
]
