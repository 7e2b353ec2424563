"""The maintained score spans stay equal to the scores through any run of writes.

Hypothesis makes random writes the way the app and the command line make them (scores on the
form, imports that add and correct scores, undo, a score's value, day or measure changed, a
score deleted, a client deleted, refused writes too) and then checks, on SQLite and PostgreSQL,
that `score_spans` equals the spans worked out from the scores in pandas and a fresh rebuild,
and that baseline and latest scores read through the spans equal the live read: the flags'
`expected.active_pairs` as of today and of an earlier day, and windows with a start date,
counted and not, and the outcome counts made in SQL from them equal the per-client outcomes.
docs/metrics.md: "Where the figures are read from".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, insert, select, update

from data_access.reads import expected, practice, scores
from data_access.reads.filters import Filters
from data_access.reads.scope import scope_of
from data_access.records.importer import import_file
from data_access.records.recording import record_scores
from data_access.records.undo import undo_last
from data_access.store import score_spans
from data_access.store.engine import write
from data_access.store.errors import DataError
from data_access.store.maintained_schema import ScoreSpan, ScoreSpanStale
from data_access.store.schema import Client, Score
from tests.builders import Practice

MONDAY = dt.date(2026, 4, 27)
TODAY = MONDAY + dt.timedelta(days=30)
MEASURES = ("PHQ-9", "GAD-7", "MOOD")
TOP = {"PHQ-9": 27, "GAD-7": 21, "MOOD": 10}
SPAN_COLUMNS = ["client_id", "measure", "first_id", "last_id", "first_on", "last_on", "n"]


def day(offset: int) -> dt.date:
    return MONDAY + dt.timedelta(days=offset)


class Staff:
    """Ada (admin) and Ana, Ben (clinicians); five clients, the last discharged on day 25 (so
    active as of an earlier day, not as of today)."""

    def __init__(self, engine: Engine) -> None:
        p = Practice(engine)
        self.ada = p.clinician("Ada", role="admin")
        self.ana = p.clinician("Ana")
        self.ben = p.clinician("Ben")
        owners = [self.ana, self.ana, self.ben, self.ben, self.ana]
        discharged = [None, None, None, None, day(25)]
        self.codes = [f"C-{n:04d}" for n in range(1, len(owners) + 1)]
        self.owners = dict(zip(self.codes, owners, strict=True))
        self.clients = [
            p.client(o, intake=MONDAY, discharged=d, code=c)
            for o, c, d in zip(owners, self.codes, discharged, strict=True)
        ]
        self.viewers = {who: p.viewer(who) for who in (self.ada, self.ana, self.ben)}
        self.engine = engine


scored = st.tuples(
    st.just("score"),
    st.integers(0, 4),
    st.sampled_from(MEASURES),
    st.integers(0, 30),  # day
    st.integers(0, 27),  # value, kept in the measure's range
)
import_rows = st.lists(
    st.tuples(st.integers(0, 4), st.sampled_from(MEASURES), st.integers(0, 30), st.integers(0, 27)),
    min_size=1,
    max_size=6,
)
imports = st.tuples(st.just("import"), import_rows)
undos = st.tuples(st.just("undo"), st.integers(0, 4))
revalues = st.tuples(st.just("revalue"), st.integers(0, 99), st.integers(0, 21))
redates = st.tuples(st.just("redate"), st.integers(0, 99), st.integers(0, 30))
remeasures = st.tuples(st.just("remeasure"), st.integers(0, 99))
deletes = st.tuples(st.just("delete"), st.integers(0, 99))
drops = st.tuples(st.just("drop client"), st.integers(0, 4))
writes = st.lists(
    st.one_of(scored, imports, undos, revalues, redates, remeasures, deletes, drops), max_size=10
)


def _import_csv(staff: Staff, rows: list[tuple]) -> bytes:
    """A scores CSV; rows with the same client, measure and day keep the last."""
    by_key = {(client, measure, on): value for client, measure, on, value in rows}
    lines = ["client_code,measure,score,recorded_on"]
    for (client, measure, on), value in by_key.items():
        lines.append(f"{staff.codes[client]},{measure},{min(value, TOP[measure])},{day(on)}")
    return "\n".join(lines).encode()


def _pick(engine: Engine, pick: int) -> int | None:
    """The id of one existing score (`pick` modulo how many there are), None when none."""
    with engine.connect() as conn:
        ids = conn.execute(select(Score.id).order_by(Score.id)).scalars().all()
    return ids[pick % len(ids)] if ids else None


def _change(engine: Engine, pick: int, **values: object) -> None:
    """Change one score inside `engine.write`, as a correction by hand would."""
    score_id = _pick(engine, pick)
    if score_id is not None:
        with write(engine, "score") as conn:
            conn.execute(update(Score).where(Score.id == score_id).values(**values))


def _apply(staff: Staff, step: tuple) -> None:
    """One write as the app or the command line makes it; a refused write is part of the run."""
    engine, kind = staff.engine, step[0]
    try:
        if kind == "score":
            _, client, measure, on, value = step
            code = staff.codes[client]
            record_scores(
                engine,
                staff.viewers[staff.owners[code]],
                client_code=code,
                recorded_on=day(on),
                scores={measure: min(value, TOP[measure])},
                today=TODAY,
            )
        elif kind == "import":
            import_file(engine, "scores", _import_csv(staff, step[1]), viewer=None, today=TODAY)
        elif kind == "undo":
            code = staff.codes[step[1]]
            undo_last(engine, staff.viewers[staff.owners[code]])
        elif kind == "revalue":
            with engine.connect() as conn:
                measure = conn.execute(
                    select(Score.measure).where(Score.id == _pick(engine, step[1]))
                ).scalar()
            if measure is not None:
                _change(engine, step[1], value=min(step[2], TOP[measure]))
        elif kind == "redate":
            _change(engine, step[1], recorded_on=day(step[2]))
        elif kind == "remeasure":
            with engine.connect() as conn:
                row = conn.execute(
                    select(Score.measure, Score.value).where(Score.id == _pick(engine, step[1]))
                ).first()
            if row is not None and row.measure != "MOOD":
                other = "GAD-7" if row.measure == "PHQ-9" else "PHQ-9"
                _change(engine, step[1], measure=other, value=min(row.value, TOP["GAD-7"]))
        elif kind == "delete":
            score_id = _pick(engine, step[1])
            if score_id is not None:
                with write(engine, "score") as conn:
                    conn.execute(delete(Score).where(Score.id == score_id))
        elif kind == "drop client":
            client_id = staff.clients[step[1]]
            with write(engine, "client") as conn:
                conn.execute(delete(Score).where(Score.client_id == client_id))
                conn.execute(delete(Client).where(Client.id == client_id))
    except DataError:
        pass  # refused (or the client is gone): nothing was written, and no span moved either


def _spans(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(*ScoreSpan.__table__.c)).all())


def _from_scores(engine: Engine) -> list[tuple]:
    """The spans worked out from the scores in pandas: first and last by (recorded_on, id)."""
    with engine.connect() as conn:
        frame = pd.read_sql(
            select(Score.id, Score.client_id, Score.measure, Score.recorded_on), conn
        )
    frame["recorded_on"] = pd.to_datetime(frame["recorded_on"]).dt.date
    rows = []
    for (client_id, measure), own in frame.groupby(["client_id", "measure"]):
        own = own.sort_values(["recorded_on", "id"])
        first, last = own.iloc[0], own.iloc[-1]
        rows.append(
            (int(client_id), measure, int(first.id), int(last.id), first.recorded_on,
             last.recorded_on, len(own))
        )  # fmt: skip
    return sorted(rows)


def _rebuilt(engine: Engine) -> list[tuple]:
    """The spans a rebuild would make, rolled back afterwards."""
    with engine.connect() as conn:
        transaction = conn.begin()
        score_spans.rebuild(conn)
        rows = sorted(tuple(r) for r in conn.execute(select(*ScoreSpan.__table__.c)).all())
        transaction.rollback()
    return rows


def _pairs_both_ways(engine: Engine, viewer: object, filters: Filters, client_ids=None) -> None:
    """`active_pairs` from the spans equals the live read: same rows, columns, dtypes, order."""
    with engine.connect() as conn:
        scope = scope_of(conn, viewer, filters)
        maintained = expected.active_pairs(conn, scope, client_ids)
        scores.READ_MAINTAINED = False
        try:
            live = expected.active_pairs(conn, scope, client_ids)
        finally:
            scores.READ_MAINTAINED = True
    pd.testing.assert_frame_equal(maintained, live)


def _window_both_ways(engine: Engine, viewer: object, filters: Filters, client_ids=None) -> None:
    """Any window read through the spans equals the live read, with and without the count."""
    with engine.connect() as conn:
        scope = scope_of(conn, viewer, filters)
        for counted in (True, False):
            spans = scores.from_spans(conn, scope, MEASURES, client_ids, counted=counted)
            live = scores.baseline_latest(conn, scope, MEASURES, client_ids, counted=counted)
            pd.testing.assert_frame_equal(spans, live)


def _outcome_counts_agree(engine: Engine, viewer: object, filters: Filters) -> None:
    """The clients with outcomes and those reliably improved, counted in SQL (in all and per
    clinician, through the spans and live), equal `client_outcomes`' rows counted in pandas."""
    with engine.connect() as conn:
        scope = scope_of(conn, viewer, filters)
        clients = practice.client_outcomes(conn, scope)
        grouped = clients.groupby("clinician_id")
        per_clinician = {int(c): (len(rows), int(rows["improved"].sum())) for c, rows in grouped}
        for maintained in (True, False):
            scores.READ_MAINTAINED = maintained
            try:
                total = practice.outcome_counts(conn, scope)
                by = practice.outcome_counts(conn, scope, by_clinician=True)
            finally:
                scores.READ_MAINTAINED = True
            assert total[["outcome_clients", "improved_clients"]].values.tolist() == [
                [len(clients), int(clients["improved"].sum())]
            ]
            counted = zip(
                by["clinician_id"], by["outcome_clients"], by["improved_clients"], strict=True
            )
            assert {int(c): (int(n), int(i)) for c, n, i in counted} == per_clinician


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=writes,
    earlier=st.integers(0, 29),
    window=st.tuples(st.integers(-3, 33), st.integers(0, 14)),
    seek=st.booleans(),
)
def test_score_spans_equal_the_scores_and_pairs_read_through_them_equal_the_live_read(
    fresh_database, steps, earlier, window, seek
):
    engine = fresh_database()
    try:
        _check_a_run(engine, steps, earlier, window, seek)
    finally:
        engine.dispose()  # each example's pool closed now, not at the end of the test


def _check_a_run(
    engine: Engine, steps: list[tuple], earlier: int, window: tuple[int, int], seek: bool
) -> None:
    staff = Staff(engine)
    seek_pairs = score_spans.SEEK_PAIRS
    score_spans.SEEK_PAIRS = seek_pairs if seek else 0  # else the way of a large import
    try:
        for step in steps:
            _apply(staff, step)
    finally:
        score_spans.SEEK_PAIRS = seek_pairs
    with engine.connect() as conn:
        assert conn.execute(select(ScoreSpanStale)).all() == []  # every write recomputed
    assert _spans(engine) == _from_scores(engine) == _rebuilt(engine)
    first, length = window
    for who in (staff.ada, staff.ana):
        viewer = staff.viewers[who]
        for as_of in (TODAY, day(earlier)):
            _pairs_both_ways(engine, viewer, Filters(today=as_of))
            _pairs_both_ways(engine, viewer, Filters(today=as_of, clinician_ids=(staff.ben,)))
            _pairs_both_ways(engine, viewer, Filters(today=as_of), staff.clients[:2])
        in_window = Filters(start=day(first), end=day(first + length), today=TODAY)
        _window_both_ways(engine, viewer, in_window)
        _outcome_counts_agree(engine, viewer, in_window)
        _outcome_counts_agree(engine, viewer, replace(in_window, start=None))
        _window_both_ways(engine, viewer, replace(in_window, start=None))
        _window_both_ways(engine, viewer, replace(in_window, end=None), staff.clients[:2])


def test_a_score_on_the_form_updates_its_span_before_the_write_commits(engine):
    """`engine.write` recomputes the spans a write touched: without its refresh the span of a
    new score would be missing and its pair left marked."""
    staff = Staff(engine)
    ana = staff.viewers[staff.ana]
    for on, value in ((3, 14), (10, 11), (17, 9)):
        record_scores(
            engine, ana, client_code=staff.codes[0], recorded_on=day(on),
            scores={"PHQ-9": value}, today=TODAY,
        )  # fmt: skip
    with engine.connect() as conn:
        assert conn.execute(select(ScoreSpanStale)).all() == []
        span = conn.execute(select(*ScoreSpan.__table__.c)).one()
        first, last = (
            conn.execute(select(Score.id).order_by(Score.recorded_on)).scalars().all()[::2]
        )
    assert (span.client_id, span.measure, span.n) == (staff.clients[0], "PHQ-9", 3)
    assert (span.first_on, span.last_on) == (day(3), day(17))
    assert (span.first_id, span.last_id) == (first, last)


def test_the_flags_read_the_spans_and_agree_with_the_live_read_on_an_earlier_day(engine):
    """As of an earlier day, the clients scored after it are read live and the others from the
    spans; both halves together equal the live read."""
    staff = Staff(engine)
    for n, client in enumerate(staff.codes):
        viewer = staff.viewers[staff.owners[client]]
        for on in (2, 9 + n, 16 + n):
            record_scores(
                engine, viewer, client_code=client, recorded_on=day(on),
                scores={"PHQ-9": 10 + n + on % 5, "GAD-7": 8 + on % 4}, today=TODAY,
            )  # fmt: skip
    # one client scored after day 20, the others not
    record_scores(
        engine, staff.viewers[staff.ana], client_code=staff.codes[0], recorded_on=day(28),
        scores={"GAD-7": 3}, today=TODAY,
    )  # fmt: skip
    admin = staff.viewers[staff.ada]
    with engine.connect() as conn:
        pairs = expected.active_pairs(conn, scope_of(conn, admin, Filters(today=day(20))))
    assert len(pairs) == 10  # five clients (the last not yet discharged), two measures each
    assert pairs.loc[pairs["client_id"] == staff.clients[0], "latest_on"].tolist() == [
        day(16),
        day(16),
    ]
    _pairs_both_ways(engine, admin, Filters(today=day(20)))
    _pairs_both_ways(engine, admin, Filters(today=TODAY))


def test_a_score_written_outside_engine_write_is_read_live_until_the_next_write(sqlite_engine):
    """A score inserted past `engine.write` leaves its pair marked: active_pairs then reads the
    scores themselves, and the next write through `engine.write` recomputes the span."""
    staff = Staff(sqlite_engine)
    with sqlite_engine.begin() as conn:
        conn.execute(
            insert(Score).values(
                client_id=staff.clients[0], measure="PHQ-9", value=12, recorded_on=day(4)
            )
        )
    admin = staff.viewers[staff.ada]
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(ScoreSpan)).all() == []  # not yet recomputed
        pairs = expected.active_pairs(conn, scope_of(conn, admin, Filters(today=TODAY)))
    assert pairs[["measure", "baseline", "latest_on"]].values.tolist() == [["PHQ-9", 12, day(4)]]
    with write(sqlite_engine, "nothing"):
        pass
    assert _spans(sqlite_engine) == _from_scores(sqlite_engine)
    assert len(_spans(sqlite_engine)) == 1


def _some_scores(staff: Staff) -> None:
    for n, code in enumerate(staff.codes[:3]):
        viewer = staff.viewers[staff.owners[code]]
        for on in (1, 8, 15):
            record_scores(
                staff.engine, viewer, client_code=code, recorded_on=day(on + n),
                scores={"PHQ-9": 9 + on % 7, "MOOD": 5}, today=TODAY,
            )  # fmt: skip


def test_the_migration_fills_the_spans_as_a_rebuild_does(engine):
    """0012 fills `score_spans` from the scores already there: a downgrade to 0011 and an
    upgrade give the rows a rebuild gives."""
    from alembic import command

    from data_access.store.migrate import alembic_config, upgrade

    staff = Staff(engine)
    _some_scores(staff)
    before = _spans(engine)
    assert len(before) == 6
    command.downgrade(alembic_config(engine), "0011")
    try:
        with engine.begin() as conn:  # a score written while 0012 is not there: no trigger
            conn.execute(
                insert(Score).values(
                    client_id=staff.clients[3], measure="GAD-7", value=9, recorded_on=day(6)
                )
            )
    finally:
        upgrade(engine)
    filled = _spans(engine)
    assert filled == _rebuilt(engine) == _from_scores(engine)
    assert len(filled) == 7 and set(before) < set(filled)


def test_rebuild_aggregates_recomputes_the_spans_too(sqlite_engine, capsys):
    """`python -m data_access rebuild-aggregates` puts back spans damaged by hand and prints
    their count."""
    from data_access.cli import main

    staff = Staff(sqlite_engine)
    _some_scores(staff)
    right = _spans(sqlite_engine)
    with sqlite_engine.begin() as conn:
        conn.execute(update(ScoreSpan).values(n=99))
        conn.execute(delete(ScoreSpan).where(ScoreSpan.measure == "MOOD"))
    url = sqlite_engine.url.render_as_string(hide_password=False)
    assert main(["rebuild-aggregates", "--database-url", url]) == 0
    assert capsys.readouterr().out == (
        "rebuilt the maintained counts: 0 homework rows, 0 homework week rows, 0 mix rows, "
        "0 homework days, "
        "6 score spans, 3 clients' flag inputs, 0 days of flag inputs, 0 client months, "
        "0 lag weeks\n"
    )
    assert _spans(sqlite_engine) == right


def test_a_window_reads_each_pairs_first_and_latest_score_inside_it_through_the_spans(engine):
    """Scores on days 2, 9, 16, 23 for one client: the window days 5-20 holds 9 and 16 (two
    seeks past the span's ends), days 0-12 holds 2 and 9 (the span's first, one seek), and
    days 17-22 holds none (no row); the count is of the window's scores."""
    staff = Staff(engine)
    ana = staff.viewers[staff.ana]
    for on, value in ((2, 20), (9, 15), (16, 11), (23, 7)):
        record_scores(
            engine, ana, client_code=staff.codes[0], recorded_on=day(on),
            scores={"PHQ-9": value}, today=TODAY,
        )  # fmt: skip

    def read(start: int, end: int, counted: bool = True) -> list[tuple]:
        filters = Filters(start=day(start), end=day(end), today=TODAY)
        with engine.connect() as conn:
            scope = scope_of(conn, ana, filters)
            frame = scores.from_spans(conn, scope, ("PHQ-9",), counted=counted)
        columns = ["baseline", "latest", "baseline_on", "latest_on"]
        return frame[[*columns, "n_scores"] if counted else columns].values.tolist()

    assert read(5, 20) == [[15, 11, day(9), day(16), 2]]
    assert read(0, 12) == [[20, 15, day(2), day(9), 2]]
    assert read(0, 30) == [[20, 7, day(2), day(23), 4]]  # the whole span: no seek at all
    assert read(10, 30, counted=False) == [[11, 7, day(16), day(23)]]
    assert read(17, 22) == []
    assert read(23, 23) == [[7, 7, day(23), day(23), 1]]  # one score: baseline = latest
